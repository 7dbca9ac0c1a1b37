"""The importer's parse cache kept between runs, so that an unchanged page costs no parse.

An import stats every file; one whose stat (size, modification time, inode) is as the
cache recorded it, and was not racily clean then, is not read at all (its hash is the
recorded one). Others are read and hashed; a page whose hash (which covers its bytes, its
bundle and the import settings) is in the cache skips front matter parsing. The cache keeps
what parsing found, not the text: a body is cut from the file the import reads anyway. It is
kept in the instance folder, one file per database and content folder, signed with the
site's SECRET_KEY (it is a pickle: an unsigned or foreign file is ignored, never loaded) and
tied to the source of the content reader, so that a new version of the code starts afresh.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import pickle
import tempfile
from pathlib import Path

from app.services.importing.importer import FORMAT, ParseCache, Parsed, gc_paused

MAGIC = b"blog-parse-cache-3\n"  # 2: Parsed entries, bodies left out; 3: file stats
_CODE = Path(__file__).resolve().parents[2] / "content"  # app/content: the reader
_IMPORTER = Path(__file__).resolve().parent / "importer.py"  # what it keeps of a parse


def code_version() -> bytes:
    """A digest of the content reader's source and the import format."""
    digest = hashlib.sha256(FORMAT.encode())
    for path in [*sorted(_CODE.glob("*.py")), _IMPORTER]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.digest()


def cache_file(instance: Path, database_url: str, root: Path) -> Path:
    """Where the cache of this database and content folder lives (beside an SQLite file)."""
    key = hashlib.sha256(f"{database_url}\0{root.resolve()}".encode()).hexdigest()[:16]
    return instance / f"parse-cache-{key}.bin"


def _signature(secret: str, version: bytes, payload: bytes) -> bytes:
    return hmac.new(secret.encode(), version + payload, hashlib.sha256).digest()


def load(path: Path, secret: str) -> ParseCache:
    """The cache saved at path, or an empty one when it is missing, foreign or outdated."""
    try:
        raw = path.read_bytes()
    except OSError:
        return ParseCache()
    head = len(MAGIC)
    if not raw.startswith(MAGIC) or len(raw) < head + 64:
        return ParseCache()
    version, signature, payload = raw[head:head + 32], raw[head + 32:head + 64], raw[head + 64:]
    if version != code_version() or not hmac.compare_digest(
            signature, _signature(secret, version, payload)):
        return ParseCache()
    try:
        with gc_paused():  # ten thousand entries: no collector passes while they are made
            found = pickle.loads(payload)  # noqa: S301 - signed with the site's own key above
    except Exception:  # a damaged file is a cache miss, not an error
        return ParseCache()
    if not isinstance(found, ParseCache) or not all(isinstance(v, Parsed)
                                                    for v in found.values()):
        return ParseCache()
    found.dirty = False
    return found


def save(path: Path, secret: str, cache: ParseCache) -> None:
    """Write the cache atomically (a temporary file renamed over the old one)."""
    version = code_version()
    payload = pickle.dumps(cache, protocol=pickle.HIGHEST_PROTOCOL)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".parse-cache-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(MAGIC + version + _signature(secret, version, payload) + payload)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
