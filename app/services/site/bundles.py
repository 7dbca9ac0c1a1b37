"""Bundle files: stored once per content hash, attached to the pages that use them."""

from __future__ import annotations

import contextlib
import hashlib
import io
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import delete, select
from sqlalchemy.orm import undefer

from app.content.tree import SourceFile
from app.content.urls import escape_path
from app.models import Blob, BundleFile, ImageVariant
from app.render.shortcodes.registry import PageFile
from app.services import DbSession

if TYPE_CHECKING:
    from types import ModuleType


def _pillow() -> ModuleType:
    """PIL.Image, imported when an image is first measured or resized: Pillow is not loaded
    by a start-up (a `flask` command, a worker) that never does."""
    from PIL import Image

    return Image

_RASTER = ("image/png", "image/jpeg", "image/gif", "image/webp", "image/avif", "image/bmp",
           "image/tiff")
# Resized WebP copies offered in srcset; only widths smaller than the original are made.
VARIANT_WIDTHS = (800, 1280)
_RESIZABLE = ("image/png", "image/jpeg", "image/webp")


def variant_widths(media_type: str, width: int | None) -> tuple[int, ...]:
    """The variant widths an image gets: a pure function of its type and width."""
    if media_type not in _RESIZABLE or not width:
        return ()
    return tuple(w for w in VARIANT_WIDTHS if w < width)


def make_variant(data: bytes, width: int) -> bytes:
    """The image resized to `width` pixels wide, as WebP."""
    Image = _pillow()  # noqa: N806 - the module, under its usual name
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        height = max(1, round(image.height * width / image.width))
        mode = "RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB"
        resized = image.convert(mode).resize((width, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    resized.save(out, "WEBP", quality=80, method=4)
    return out.getvalue()


def page_file(page_url: str, rel_path: str, media_type: str, width: int | None,
              height: int | None, sha256: str) -> PageFile:
    """A bundle file as the renderer sees it: versioned URL, size, srcset of its variants."""
    version = sha256[:10]
    url = escape_path(file_url(page_url, rel_path))
    widths = variant_widths(media_type, width)
    srcset = ""
    if widths:
        candidates = [f"{url}?w={w}&v={version} {w}w" for w in widths]
        srcset = ", ".join([*candidates, f"{url}?v={version} {width}w"])
    return PageFile(rel_path, f"{url}?v={version}", media_type, width, height, srcset)


def image_size(item: SourceFile) -> tuple[int | None, int | None]:
    """Width and height of a raster image, read from its header; (None, None) otherwise."""
    if item.media_type not in _RASTER:
        return None, None
    Image = _pillow()  # noqa: N806 - the module, under its usual name
    try:
        with Image.open(item.abs_path) as image:
            width, height = image.size
            return int(width), int(height)
    except (Image.UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None, None


def file_url(page_url: str, rel_path: str) -> str:
    """The (unescaped) URL path a bundle file is served under: below its page's URL."""
    return page_url.rstrip("/") + "/" + rel_path


class FileInfoCache:
    """Image sizes by content hash, from the database or read once from disk; and the resized
    copies of new images, made before the import writes (see `prepare_variants`)."""

    def __init__(self, session: DbSession) -> None:
        self.session = session
        self.sizes: dict[str, tuple[int | None, int | None]] = {}
        self.variants: dict[tuple[str, int], Path] = {}
        self.unresizable: set[str] = set()
        self._folder: tempfile.TemporaryDirectory[str] | None = None

    def prepare_variants(self, items: Iterable[SourceFile]) -> None:
        """Resize the images that are not stored yet, into a temporary folder: Pillow's work
        is done before the import's write transaction, which then only copies bytes (on
        SQLite, the write lock that comments wait for is held that much shorter)."""
        seen: set[str] = set()
        for item in items:
            if item.sha256 in seen:
                continue  # the same image in several bundles is resized once
            seen.add(item.sha256)
            widths = variant_widths(item.media_type, self.size(item)[0])
            if not widths or self.session.get(Blob, item.sha256) is not None:
                continue
            try:
                data = item.abs_path.read_bytes()
                made = [(target, make_variant(data, target)) for target in widths]
            except (OSError, ValueError, _pillow().DecompressionBombError):
                self.unresizable.add(item.sha256)
                continue
            if self._folder is None:
                self._folder = tempfile.TemporaryDirectory(prefix="blog-variants-")
            for target, variant in made:
                path = Path(self._folder.name) / f"{item.sha256}-{target}.webp"
                path.write_bytes(variant)
                self.variants[(item.sha256, target)] = path

    def variant(self, sha256: str, data: bytes, target: int) -> bytes | None:
        """The resized copy: prepared, or made now; None when Pillow cannot resize it."""
        if sha256 in self.unresizable:
            return None
        prepared = self.variants.get((sha256, target))
        if prepared is not None:
            with contextlib.suppress(OSError):
                return prepared.read_bytes()
        try:
            return make_variant(data, target)
        except (OSError, ValueError, _pillow().DecompressionBombError):
            self.unresizable.add(sha256)
            return None

    def close(self) -> None:
        """Delete the prepared copies."""
        if self._folder is not None:
            self._folder.cleanup()
            self._folder = None
        self.variants.clear()

    def size(self, item: SourceFile) -> tuple[int | None, int | None]:
        """The (width, height) of a file, without reading a blob twice."""
        if item.sha256 not in self.sizes:
            row = self.session.execute(
                select(Blob.width, Blob.height).where(Blob.sha256 == item.sha256)
            ).first()
            self.sizes[item.sha256] = (row[0], row[1]) if row else image_size(item)
        return self.sizes[item.sha256]

    def page_files(self, page_url: str, items: Sequence[SourceFile]) -> tuple[PageFile, ...]:
        """The files of a page as shortcodes and image hooks see them."""
        return tuple(
            page_file(page_url, item.rel_path, item.media_type, *self.size(item), item.sha256)
            for item in items
        )


def store_blob(session: DbSession, item: SourceFile, cache: FileInfoCache) -> None:
    """Store the file's bytes (and its image variants) unless a blob has them already."""
    if session.get(Blob, item.sha256) is None:
        width, height = cache.size(item)
        data = item.abs_path.read_bytes()
        session.add(Blob(sha256=item.sha256, data=data, size=item.size,
                         media_type=item.media_type, width=width, height=height))
        session.flush()
        _add_variants(session, item.sha256, data, item.media_type, width, cache)


def _add_variants(session: DbSession, sha256: str, data: bytes, media_type: str,
                  width: int | None, cache: FileInfoCache) -> None:
    for target in variant_widths(media_type, width):
        variant = cache.variant(sha256, data, target)
        if variant is None:
            return  # an image Pillow cannot resize is still served as it is
        variant_sha = hashlib.sha256(variant).hexdigest()
        if session.get(Blob, variant_sha) is None:
            with _pillow().open(io.BytesIO(variant)) as image:
                size = image.size
            session.add(Blob(sha256=variant_sha, data=variant, size=len(variant),
                             media_type="image/webp", width=size[0], height=size[1]))
        session.add(ImageVariant(source_sha256=sha256, width=target,
                                 variant_sha256=variant_sha))
        session.flush()


def find_variant(session: DbSession, source_sha256: str, width: int) -> Blob | None:
    """The resized copy of an image at a width, with its bytes."""
    return session.execute(
        select(Blob).join(ImageVariant, ImageVariant.variant_sha256 == Blob.sha256)
        .where(ImageVariant.source_sha256 == source_sha256, ImageVariant.width == width)
        .options(undefer(Blob.data))
    ).scalar_one_or_none()


def drop_orphan_blobs(session: DbSession) -> None:
    """Delete blobs (and their variants) that no bundle file points at any more."""
    used = select(BundleFile.blob_sha256)
    session.execute(delete(ImageVariant).where(ImageVariant.source_sha256.not_in(used)))
    session.execute(delete(Blob).where(Blob.sha256.not_in(used),
                                       Blob.sha256.not_in(select(ImageVariant.variant_sha256))))
