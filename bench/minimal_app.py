"""The baseline for target 1: the least a Flask app can do to answer with a page.

    BENCH_BODY_FILE=page.html gunicorn -c gunicorn.conf.py --pythonpath bench minimal_app:app

Answers every GET with the bytes of BENCH_BODY_FILE (read once, at import) as text/html, or
with "Hello, World!" (13 bytes, text/plain) when the variable is unset.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, Response

_FILE = os.environ.get("BENCH_BODY_FILE", "")
BODY = Path(_FILE).read_bytes() if _FILE else b"Hello, World!"
MIMETYPE = "text/html" if _FILE else "text/plain"

app = Flask(__name__)


@app.route("/", defaults={"path": ""})
@app.route("/<path:path>")
def page(path: str) -> Response:
    """The precomputed body, whatever the path."""
    return Response(BODY, mimetype=MIMETYPE)
