"""Static assets under content-hashed URLs, cached for a year by browsers and proxies."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
from pathlib import Path
from typing import Any

from flask import Flask, Response, request

YEAR = 365 * 24 * 3600
_hashes: dict[Path, str] = {}


def asset_version(folder: Path, filename: str) -> str | None:
    """The first 10 hex digits of a static file's SHA-256 (read once per process)."""
    path = (folder / filename).resolve()
    if path not in _hashes:
        try:
            _hashes[path] = hashlib.sha256(path.read_bytes()).hexdigest()[:10]
        except OSError:
            return None
    return _hashes[path]


VENDOR = Path("static/vendor")
VENDOR_MANIFEST = Path("scripts/vendor.json")


def build_id(root: Path) -> str:
    """A digest of the templates and static files: cached pages from older code never match.

    The vendored libraries (static/vendor, megabytes of JavaScript) count by their manifest,
    whose versions and sha512 pins name their content, and by the names and sizes of what
    is installed, not by their bytes: start-up does not read them."""
    digest = hashlib.sha256()
    vendor = root / VENDOR
    for pattern in ("app/**/*.html", "static/**/*"):
        for path in sorted(root.glob(pattern)):
            if path.is_file():
                digest.update(path.relative_to(root).as_posix().encode())
                if path.is_relative_to(vendor):
                    digest.update(str(path.stat().st_size).encode())
                else:
                    digest.update(hashlib.sha256(path.read_bytes()).digest())
    with contextlib.suppress(OSError):  # a tree without scripts/ (a bare static folder)
        digest.update(hashlib.sha256((root / VENDOR_MANIFEST).read_bytes()).digest())
    return digest.hexdigest()[:12]


def init_assets(app: Flask) -> None:
    """Add ?v=<hash> to url_for('static', ...) and make such responses immutable."""
    folder = Path(app.static_folder or "static")
    app.config.setdefault("BUILD_ID", build_id(folder.parent))

    @app.url_defaults
    def _version(endpoint: str, values: dict[str, Any]) -> None:
        if endpoint == "static" and "v" not in values and "filename" in values:
            version = asset_version(folder, values["filename"])
            if version:
                values["v"] = version

    @app.after_request
    def _immutable(response: Response) -> Response:
        if request.endpoint == "static" and response.status_code == 200:
            version = request.args.get("v")
            filename = (request.view_args or {}).get("filename", "")
            if version and version == asset_version(folder, filename):
                response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
            else:
                response.headers["Cache-Control"] = "public, max-age=300"
            return _gzipped(response, folder, filename)
        return response


COMPRESSIBLE = frozenset({"text/css", "text/javascript", "application/javascript",
                          "image/svg+xml", "application/json"})
GZIP_MAX_BYTES = 512 * 1024  # larger files (Mermaid) go as they are, or through nginx
_gzip_cache: dict[tuple[str, str], bytes | None] = {}  # (filename, version): None = too big


def _gzipped(response: Response, folder: Path, filename: str) -> Response:
    """A static text file gzip-compressed (once per process and file version) for a client
    that accepts it: without nginx in front (scripts/serve), the stylesheet that blocks the
    first paint travels at a fifth of its size. Nothing changes for other files."""
    response.vary.add("Accept-Encoding")
    if (response.mimetype not in COMPRESSIBLE or request.accept_encodings.quality("gzip") <= 0
            or response.content_encoding or request.method != "GET"):
        return response
    version = asset_version(folder, filename)  # the file was read, and Flask found it
    if version is None:
        return response
    key = (filename, version)
    if key not in _gzip_cache:
        data = (folder / filename).read_bytes()
        _gzip_cache[key] = (gzip.compress(data, 9, mtime=0)
                            if len(data) <= GZIP_MAX_BYTES else None)
    packed = _gzip_cache[key]
    if packed is None:
        return response
    response.close()  # the file Flask opened to send
    response.direct_passthrough = False
    response.set_data(packed)
    response.content_encoding = "gzip"
    etag, weak = response.get_etag()
    if etag:  # another representation of the file: another tag
        response.set_etag(f"{etag}-gzip", weak=bool(weak))
    return response
