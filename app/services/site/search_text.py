"""Chinese and Japanese words for a word index: overlapping character pairs (bigrams).

Neither FTS5's unicode61 tokenizer nor PostgreSQL's parser splits text written without
spaces: a whole run of Han or kana becomes one "word", and a query for a word inside it finds
nothing. The index therefore also holds every pair of neighbouring CJK characters (a run of
one character is kept as it is), and a query's CJK word becomes the phrase of its pairs, so
that 検索 finds ...全文検索を... on SQLite and PostgreSQL alike. The same function runs
inside SQLite (registered on every connection, used by the index's triggers) and in Python
for queries; PostgreSQL has its SQL twin in migration 0009.
"""

from __future__ import annotations

import re

# Han (with extension A and compatibility ideographs), hiragana, katakana (with the
# half-width forms and the prolonged sound mark), the CJK symbols' iteration marks.
CJK_CHARS = (
    "\u3005\u3006\u3007\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\uff66-\uff9f"
)
_CJK_RUN = re.compile(f"[{CJK_CHARS}]+")
_SCRIPT_PARTS = re.compile(f"[{CJK_CHARS}]+|[^{CJK_CHARS}]+")


def has_cjk(text: str) -> bool:
    """Whether the text holds a Chinese or Japanese character."""
    return _CJK_RUN.search(text) is not None


def bigrams(run: str) -> list[str]:
    """The overlapping pairs of a CJK run; a one-character run is itself."""
    if len(run) < 2:
        return [run] if run else []
    return [run[i:i + 2] for i in range(len(run) - 1)]


def index_text(text: str | None) -> str:
    """The text to index: as written, then the pairs of each CJK run (unchanged without)."""
    if not text:
        return ""
    runs = _CJK_RUN.findall(text)
    if not runs:
        return text
    return text + "\n" + " ".join(" ".join(bigrams(run)) for run in runs)


def split_scripts(word: str) -> list[str]:
    """A query word cut where CJK and other scripts meet: "hugo入門" -> ["hugo", "入門"]."""
    return _SCRIPT_PARTS.findall(word)
