"""The site generation as a request sees it: read once per request, on the request itself.

Settings, page keys and per-generation values all ask for it; the fast path sets it when it
already read it, so a request costs one read at most.
"""

from __future__ import annotations

from flask import has_request_context, request
from sqlalchemy.engine import Engine

from app.services.site.state import generation_reader

REQUEST_GENERATION = "blog.site_generation"  # environ key: read once per request


def request_generation(engine: Engine) -> int:
    """The generation, read once per request; outside a request, read each time."""
    if not has_request_context():
        return generation_reader.read(engine)
    # On the request, not on `g`: an app context outlives its requests where a caller (a CLI
    # command, a test) pushed one, and the next request must read the generation again.
    environ = request.environ
    found = environ.get(REQUEST_GENERATION)
    if found is None:
        found = environ[REQUEST_GENERATION] = generation_reader.read(engine)
    return int(found)
