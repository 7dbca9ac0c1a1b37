"""A spam score learned from this site's own moderation: naive Bayes, in pure Python.

The moderator's decisions are the training set: a comment approved is ham, a comment marked
as spam is spam. Each comment becomes a set of features (each counted once per comment, the
"binarized" multinomial naive Bayes that does well on short texts):

- `w:` the words of its text, lowercased (Unicode-aware; runs of Chinese or Japanese
  characters, written without spaces, also give their neighbouring pairs);
- `links:` how many links it has, `link:` / `site:` / `tld:` the host, the registered name
  and the top-level domain of each;
- `anon` / `name:`, `email` / `email:`, `website` / `website:`: whether the author gave a
  name, an address and a website, the words of the name and the domains given;
- `net:` the keyed hash of the client's network the comment stores (never an address);
- `len:` a coarse length, and `shout` / `bang` for capitals and exclamation marks.

Nothing here reads a database or the network: `app/services/comments/spam_store.py` loads
the counts a score needs and saves what a decision teaches.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

MIN_DECISIONS = 5  # of each kind before a score means anything
NEUTRAL = 0.5  # the score while the model is still learning
ALPHA = 1.0  # Laplace smoothing
MAX_FEATURE = 120  # characters; longer features are cut
MAX_WORD = 40
MAX_WORDS = 1000  # distinct words a comment contributes, at most (a long text teaches no more)

_WORD = re.compile(r"\w+")  # str patterns are Unicode-aware: é, ж, 中 are word characters
_URL = re.compile(r"(?:\b[a-z][a-z0-9+.-]*://|\bwww\.)[^\s<>()\[\]{}\"'`|\\^]+", re.IGNORECASE)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]{2,}")
_SECOND_LEVEL = frozenset({"co", "com", "net", "org", "gov", "edu", "ac", "or", "ne"})


@dataclass(frozen=True)
class Document:
    """What a comment gives the classifier."""

    text: str
    author: str = ""
    email: str | None = None
    website: str | None = None
    network: str = ""  # a keyed hash of the client's network, as the comment stores it


@dataclass(frozen=True)
class Counts:
    """What the model knows, as far as one comment needs it.

    `ham_docs`, `spam_docs`: decisions learned; `ham_total`, `spam_total`: features counted
    over them; `vocabulary`: distinct features ever seen; `features`: (ham, spam) for the
    comment's features that were seen (the others tell nothing).
    """

    ham_docs: int = 0
    spam_docs: int = 0
    ham_total: int = 0
    spam_total: int = 0
    vocabulary: int = 0
    features: Mapping[str, tuple[int, int]] = field(default_factory=dict)


@dataclass(frozen=True)
class Score:
    """A comment's spam score in [0, 1]; `trained`: the model had enough decisions."""

    value: float
    trained: bool

    def holds(self, threshold: float) -> bool:
        """True when the comment should wait for a moderator (never on an untrained model)."""
        return self.trained and self.value > threshold


def host_of(url: str) -> str | None:
    """The lowercased host of a link or website ("www." dropped), or None."""
    url = url.strip()
    if "://" not in url:
        url = "http://" + url
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host:
        return None
    host = host.rstrip(".").lower()
    return host[4:] if host.startswith("www.") else host


def registered_name(host: str) -> str:
    """The name a host was registered under, roughly: `shop.pills.co.uk` -> `pills.co.uk`."""
    labels = host.split(".")
    keep = 3 if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2 else 2
    return ".".join(labels[-keep:])


def words(text: str) -> list[str]:
    """The lowercased words of a text, with the character pairs of CJK runs."""
    text = unicodedata.normalize("NFKC", text).casefold()
    found = [w[:MAX_WORD] for w in _WORD.findall(text) if len(w) > 1 or not w.isascii()]
    for run in _CJK.findall(text):
        found.extend(run[i:i + 2] for i in range(len(run) - 1))
    return found


def _host_features(prefix: str, host: str) -> list[str]:
    name = registered_name(host)
    return [f"{prefix}:{host}", f"{prefix}-site:{name}", f"{prefix}-tld:{name.rsplit('.', 1)[-1]}"]


def _link_features(text: str) -> list[str]:
    hosts = [h for h in (host_of(u) for u in _URL.findall(text)) if h]
    out = [f"links:{min(len(hosts), 3)}"]
    for host in hosts:
        out.extend(_host_features("link", host))
    return out


def _author_features(doc: Document) -> list[str]:
    name = doc.author.strip()
    out = ["anon"] if not name or name.lower() == "anonymous" else [
        f"name:{w}" for w in words(name)] + [f"name-words:{min(len(name.split()), 4)}"]
    if doc.email:
        out.append("email")
        out.extend(_host_features("email", doc.email.rpartition("@")[2].lower()))
    else:
        out.append("no-email")
    host = host_of(doc.website) if doc.website else None
    if host:
        out.append("website")
        out.extend(_host_features("website", host))
    else:
        out.append("no-website")
    return out


def _shape_features(text: str) -> list[str]:
    length = len(text)
    out = ["len:" + ("short" if length < 40 else "medium" if length < 300 else "long")]
    letters = [c for c in text if c.isalpha()]
    if len(letters) >= 12 and sum(c.isupper() for c in letters) > len(letters) / 2:
        out.append("shout")
    if "!!" in text or text.count("!") >= 3:
        out.append("bang")
    return out


def features(doc: Document) -> frozenset[str]:
    """Every feature of a comment, each once."""
    found = [f"w:{w}" for w in dict.fromkeys(words(doc.text))][:MAX_WORDS]
    found += _link_features(doc.text) + _author_features(doc) + _shape_features(doc.text)
    if doc.network:
        found.append(f"net:{doc.network[:32]}")
    return frozenset(f[:MAX_FEATURE] for f in found)


def is_trained(counts: Counts) -> bool:
    """True once the moderator made at least MIN_DECISIONS decisions of each kind."""
    return counts.ham_docs >= MIN_DECISIONS and counts.spam_docs >= MIN_DECISIONS


def log_odds(counts: Counts, found: Iterable[str]) -> float:
    """log P(spam | features) - log P(ham | features), with Laplace smoothing."""
    odds = math.log(counts.spam_docs / counts.ham_docs)
    vocabulary = max(counts.vocabulary, 1)
    spam_denominator = max(counts.spam_total, 0) + ALPHA * vocabulary
    ham_denominator = max(counts.ham_total, 0) + ALPHA * vocabulary
    for name in found:
        ham, spam = counts.features.get(name, (0, 0))
        ham, spam = max(ham, 0), max(spam, 0)  # an edited comment unlearned may go below 0
        if ham == 0 and spam == 0:
            continue
        odds += math.log((spam + ALPHA) / spam_denominator)
        odds -= math.log((ham + ALPHA) / ham_denominator)
    return odds


def score(counts: Counts, found: Iterable[str]) -> Score:
    """The spam score of a comment's features; NEUTRAL until the model is trained."""
    if not is_trained(counts):
        return Score(NEUTRAL, False)
    odds = max(-50.0, min(50.0, log_odds(counts, found)))
    return Score(1.0 / (1.0 + math.exp(-odds)), True)
