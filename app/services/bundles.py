"""Bundle files: stored once per content hash, attached to the pages that use them."""

from __future__ import annotations

from collections.abc import Sequence

from PIL import Image, UnidentifiedImageError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.content.tree import SourceFile
from app.content.urls import escape_path
from app.models import Blob, BundleFile, Page
from app.render.shortcodes.registry import PageFile

_RASTER = ("image/png", "image/jpeg", "image/gif", "image/webp", "image/avif", "image/bmp",
           "image/tiff")


def image_size(item: SourceFile) -> tuple[int | None, int | None]:
    """Width and height of a raster image, read from its header; (None, None) otherwise."""
    if item.media_type not in _RASTER:
        return None, None
    try:
        with Image.open(item.abs_path) as image:
            return image.size
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None, None


def file_url(page_url: str, rel_path: str) -> str:
    """The (unescaped) URL path a bundle file is served under: below its page's URL."""
    return page_url.rstrip("/") + "/" + rel_path


class FileInfoCache:
    """Image sizes by content hash, from the database or read once from disk."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.sizes: dict[str, tuple[int | None, int | None]] = {}

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
        out = []
        for item in items:
            width, height = self.size(item)
            out.append(PageFile(item.rel_path, escape_path(file_url(page_url, item.rel_path)),
                                item.media_type, width, height))
        return tuple(out)


def attach_files(session: Session, page: Page, items: Sequence[SourceFile],
                 cache: FileInfoCache) -> None:
    """Store missing blobs and link every file of the bundle to the page."""
    for item in items:
        if session.get(Blob, item.sha256) is None:
            width, height = cache.size(item)
            session.add(Blob(sha256=item.sha256, data=item.abs_path.read_bytes(),
                             size=item.size, media_type=item.media_type,
                             width=width, height=height))
            session.flush()
        page.files.append(BundleFile(rel_path=item.rel_path,
                                     url_path=file_url(page.url_path, item.rel_path),
                                     blob_sha256=item.sha256))


def drop_orphan_blobs(session: Session) -> None:
    """Delete blobs no bundle file points at any more."""
    session.execute(delete(Blob).where(Blob.sha256.not_in(select(BundleFile.blob_sha256))))
