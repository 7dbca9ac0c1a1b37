"""Walking a Hugo content folder: which files are pages and which belong to a bundle."""

from __future__ import annotations

import hashlib
import mimetypes
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from app.content.errors import ContentError

MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown")
OTHER_CONTENT_SUFFIXES = (".html", ".htm", ".org", ".adoc", ".asciidoc", ".pandoc", ".rst")
_LANG_SUFFIX = re.compile(r"^(?P<stem>.+?)\.(?P<lang>[a-z]{2,3}(?:-[a-z0-9]{2,8})?)$", re.I)
_IGNORED_NAMES = frozenset({".DS_Store", "Thumbs.db", ".gitkeep"})
MAX_FILE_BYTES = 64 * 1024 * 1024

mimetypes.add_type("image/webp", ".webp")
mimetypes.add_type("image/avif", ".avif")
mimetypes.add_type("image/svg+xml", ".svg")


@dataclass(frozen=True)
class SourceFile:
    """A bundle file: its path inside the bundle and where it is on disk."""

    rel_path: str
    abs_path: Path
    size: int
    sha256: str
    media_type: str


@dataclass
class PageEntry:
    """A content file found on disk, hashed but not yet parsed."""

    source_path: str  # relative to the content root, with forward slashes
    abs_path: Path
    rel_dir: str  # directory relative to the root ("" at the root)
    name: str  # file stem without language, e.g. "index", "_index", "my-post"
    lang: str | None  # language code from the file name, if any
    bundle: str  # "leaf", "branch" or "" (a single file)
    files: list[SourceFile] = field(default_factory=list)
    source_hash: str = ""
    stat: os.stat_result | None = None  # as the scan found it (an importer's stat check)


@dataclass
class Scan:
    """Everything found under a content root."""

    pages: list[PageEntry]
    errors: list[ContentError]


def split_lang(stem: str, languages: frozenset[str] | None) -> tuple[str, str | None]:
    """Split `index.de` into ("index", "de") when de is a language of the site."""
    found = _LANG_SUFFIX.match(stem)
    if not found:
        return stem, None
    lang = found.group("lang").lower()
    if languages is not None and lang not in languages:
        return stem, None
    return found.group("stem"), lang


def file_sha256(path: Path, info: os.stat_result | None = None) -> str:
    """The SHA-256 of a file's bytes (`info`, its stat, lets a caller's own version of this
    function answer from what it knows of the file without reading it)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _inside(root: Path, path: Path) -> bool:
    try:
        path.resolve().relative_to(root)
    except (ValueError, OSError, RuntimeError):  # RuntimeError: a symlink loop (Python 3.11)
        return False
    return True


def _unfit(root: Path, path: Path) -> str | None:
    """Why `path` cannot be imported (as a page or a bundle file), or None when it can."""
    return _checked(root, path)[0]


def _checked(root: Path, path: Path) -> tuple[str | None, os.stat_result | None]:
    """_unfit's answer, and the file's stat (through a symbolic link) when it is fit."""
    if _undecodable(str(path)):
        return "file or folder name is not valid UTF-8; not imported", None
    try:
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            try:
                path.resolve(strict=True)
            except (OSError, RuntimeError):
                return "symbolic link is broken or loops; not imported", None
            if not _inside(root, path):
                return "symbolic link points outside the content folder; not imported", None
            info = path.stat()
    except OSError as exc:
        return f"cannot read file: {exc.strerror}", None
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file (a pipe, socket or device); not imported", None
    return None, info


_SURROGATE = re.compile("[\udc80-\udcff]")


def _undecodable(name: str) -> bool:
    """os.walk turns bytes that are not UTF-8 into lone surrogates (surrogateescape)."""
    return _SURROGATE.search(name) is not None


def shown(path: str) -> str:
    """A path safe to print and store: undecodable bytes as U+FFFD."""
    if not _undecodable(path):
        return path
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _media_type(name: str) -> str:
    guessed, _ = mimetypes.guess_type(name)
    return guessed or "application/octet-stream"


def _stem(name: str) -> str:
    """Path(name).stem of a plain file name, without building a Path."""
    dot = name.rfind(".")
    return name[:dot] if dot > 0 else name


def _is_content(name: str) -> bool:
    return name.lower().endswith(MARKDOWN_SUFFIXES)


Hasher = Callable[[Path, os.stat_result], str]


def _bundle_file(root: Path, bundle_dir: Path, path: Path, errors: list[ContentError],
                 hasher: Hasher = file_sha256) -> SourceFile | None:
    rel_source = shown(path.relative_to(root).as_posix())
    problem = _unfit(root, path)
    if problem:
        errors.append(ContentError(rel_source, 0, problem, "warning"))
        return None
    rel = path.relative_to(bundle_dir).as_posix()
    if any(ch in rel for ch in "\x00\\") or any(part in ("", ".", "..") for part in rel.split("/")):
        errors.append(ContentError(rel_source, 0, "unsafe file name; not imported", "warning"))
        return None
    try:
        info = path.stat()
        size = info.st_size
        if size > MAX_FILE_BYTES:
            errors.append(ContentError(rel_source, 0, f"file is larger than "
                                       f"{MAX_FILE_BYTES // (1024 * 1024)} MB; not imported",
                                       "warning"))
            return None
        return SourceFile(rel, path, size, hasher(path, info), _media_type(path.name))
    except OSError as exc:
        errors.append(ContentError(rel_source, 0, f"cannot read file: {exc.strerror}", "warning"))
        return None


def _walk_files(directory: Path, recursive: bool) -> list[Path]:
    if not recursive:
        return sorted(p for p in directory.iterdir() if p.is_file() or p.is_symlink())
    found: list[Path] = []
    for current, dirnames, filenames in os.walk(directory, followlinks=False):
        dirnames.sort()
        found.extend(Path(current) / name for name in sorted(filenames))
    return found


def scan(root: Path, languages: frozenset[str] | None = None, lang: str | None = None,
         prefix: str = "", skip: frozenset[Path] = frozenset(),
         hasher: Hasher = file_sha256) -> Scan:
    """Find every page and bundle file under a Hugo content root, with content hashes.

    `lang` is the language of a language's own content folder (its files carry no suffix),
    `prefix` goes before every source path, and folders in `skip` are left out. `hasher`
    gives a bundle file's SHA-256 (an importer's may know it from the file's stat).
    """
    root = root.resolve()
    pages: list[PageEntry] = []
    errors: list[ContentError] = []
    for current, dirnames, filenames in os.walk(root, followlinks=False):
        here = Path(current)
        dirnames[:] = sorted(d for d in dirnames
                             if not d.startswith(".") and (here / d).resolve() not in skip)
        names = sorted(n for n in filenames if n not in _IGNORED_NAMES and not n.startswith("."))
        split = {n: split_lang(_stem(n), languages) for n in names if _is_content(n)}
        stems = {stem for stem, _ in split.values()}
        is_leaf = "index" in stems and here != root
        is_branch = "_index" in stems or here == root
        if is_leaf:
            dirnames[:] = []  # everything under a leaf bundle is a resource of it
        rel_dir = "" if here == root else here.relative_to(root).as_posix()
        rel_prefix = prefix + (rel_dir + "/" if rel_dir else "")
        shared: list[SourceFile] = []
        if is_leaf:
            for path in _walk_files(here, recursive=True):
                if _is_content(path.name) and path.parent == here:
                    continue
                if _is_content(path.name) or path.name in _IGNORED_NAMES:
                    continue
                item = _bundle_file(root, here, path, errors, hasher)
                if item:
                    shared.append(item)
        elif is_branch:
            for name in names:
                path = here / name
                if not _is_content(name) and not name.lower().endswith(OTHER_CONTENT_SUFFIXES):
                    item = _bundle_file(root, here, path, errors, hasher)
                    if item:
                        shared.append(item)
        for name in names:
            rel_source = shown(rel_prefix + name)
            if name not in split:
                if name.lower().endswith(OTHER_CONTENT_SUFFIXES) and not is_leaf:
                    errors.append(ContentError(rel_source, 0, "content format not supported "
                                               "(only Markdown); skipped", "warning"))
                continue
            path = here / name
            problem, info = _checked(root, path)
            if problem:
                errors.append(ContentError(rel_source, 0, problem))
                continue
            stem, file_lang = split[name]
            if is_leaf and stem != "index":
                continue  # Markdown inside a leaf bundle is a resource, not a page
            bundle = "leaf" if stem == "index" else "branch" if stem == "_index" else ""
            entry = PageEntry(rel_source, path, rel_dir, stem, file_lang or lang, bundle,
                              shared if bundle else [], stat=info)
            pages.append(entry)
    return Scan(pages, errors)


def entry_hash(entry: PageEntry, page_bytes: bytes, salt: str = "") -> str:
    """A hash of everything a page is made of: its file, its bundle files and settings."""
    return entry_hash_of(entry, hashlib.sha256(page_bytes).digest(), salt)


def entry_hash_of(entry: PageEntry, page_digest: bytes, salt: str = "") -> str:
    """entry_hash from the SHA-256 digest of the page's bytes."""
    digest = hashlib.sha256(salt.encode())
    digest.update(page_digest)
    for item in entry.files:
        digest.update(f"\x00{item.rel_path}\x00{item.sha256}".encode())
    return digest.hexdigest()
