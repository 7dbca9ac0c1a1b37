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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.services.importing.importer import FORMAT, ParseCache, Parsed, gc_paused

MAGIC = b"blog-parse-cache-3\n"  # 2: Parsed entries, bodies left out; 3: file stats
DELTA_MAGIC = b"blog-parse-cache-delta-1\n"
# A delta is written instead of the whole cache while it holds at most this share of the
# entries (or MIN_DELTA of them): one changed file rewrites a few entries, not 10,000.
MAX_DELTA_SHARE = 0.05
MIN_DELTA = 64
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


def _read_signed(path: Path, magic: bytes, secret: str) -> tuple[bytes, Any] | None:
    """(signature, unpickled payload) of a file written by _write_signed with this code and
    key, else None."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    head = len(magic)
    if not raw.startswith(magic) or len(raw) < head + 64:
        return None
    version, signature, payload = raw[head:head + 32], raw[head + 32:head + 64], raw[head + 64:]
    if version != code_version() or not hmac.compare_digest(
            signature, _signature(secret, version, payload)):
        return None
    try:
        with gc_paused():  # ten thousand entries: no collector passes while they are made
            return signature, pickle.loads(payload)  # noqa: S301 - signed with our key above
    except Exception:  # a damaged file is a cache miss, not an error
        return None


def _write_signed(path: Path, magic: bytes, secret: str, data: Any) -> bytes:
    """Write data atomically (a temporary file renamed over the old one); its signature."""
    version = code_version()
    payload = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
    signature = _signature(secret, version, payload)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".parse-cache-", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(magic + version + signature + payload)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return signature


def delta_file(path: Path) -> Path:
    """Where the changes since the cache file was written are kept."""
    return path.with_name(path.name + ".delta")


@dataclass
class Base:
    """The cache file as loaded (or last written): what a delta is counted from."""

    signature: bytes
    keys: frozenset[tuple[str, str]]
    files: dict[str, Any]
    linked: dict[str, Any]


def _base(signature: bytes, cache: ParseCache) -> Base:
    return Base(signature, frozenset(cache), dict(cache.files), dict(cache.linked))


def load(path: Path, secret: str) -> ParseCache:
    """The cache saved at path (with the delta written since, if any), or an empty one when
    it is missing, foreign or outdated."""
    read = _read_signed(path, MAGIC, secret)
    if read is None:
        return ParseCache()
    signature, found = read
    if not isinstance(found, ParseCache) or not all(isinstance(v, Parsed)
                                                    for v in found.values()):
        return ParseCache()
    found.base = _base(signature, found)
    delta = _read_signed(delta_file(path), DELTA_MAGIC, secret)
    if delta is not None and isinstance(delta[1], dict) and delta[1].get("base") == signature:
        _apply(found, delta[1])
    found.dirty = False
    return found


def _changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """What turns old into new: changed or added values, and None for keys gone."""
    out: dict[str, Any] = {k: v for k, v in new.items() if old.get(k) != v}
    out.update((k, None) for k in old if k not in new)
    return out


def _apply(cache: ParseCache, delta: dict[str, Any]) -> None:
    with gc_paused():
        for key in delta["drop"]:
            cache.pop(key, None)
        cache.update(delta["add"])
        for name in ("files", "linked"):
            table = getattr(cache, name)
            for key, value in delta[name].items():
                if value is None:
                    table.pop(key, None)
                else:
                    table[key] = value
        cache.sections = delta["sections"]
        cache.scanned_ns = delta["scanned_ns"]


def save(path: Path, secret: str, cache: ParseCache) -> None:
    """Write the cache: when few of its entries changed since the file was written, only
    those (the delta file, rewritten whole each time), else the whole cache afresh."""
    base = cache.base
    if base is not None and _current(path, base.signature):
        delta = {"base": base.signature, "add": {k: v for k, v in cache.items()
                                                  if k not in base.keys},
                 "drop": [k for k in base.keys if k not in cache],
                 "files": _changes(base.files, cache.files),
                 "linked": _changes(base.linked, cache.linked),
                 "sections": cache.sections, "scanned_ns": cache.scanned_ns}
        size = sum(len(delta[name]) for name in ("add", "drop", "files", "linked"))
        if size <= max(MIN_DELTA, len(cache) * MAX_DELTA_SHARE):
            _write_signed(delta_file(path), DELTA_MAGIC, secret, delta)
            return
    signature = _write_signed(path, MAGIC, secret, cache)
    delta_file(path).unlink(missing_ok=True)
    cache.base = _base(signature, cache)


def _current(path: Path, signature: bytes) -> bool:
    """Whether the cache file is still the one with this signature."""
    try:
        with path.open("rb") as handle:
            head = handle.read(len(MAGIC) + 64)
    except OSError:
        return False
    return head[len(MAGIC) + 32:] == signature
