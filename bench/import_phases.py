"""One `flask content import` with the time of each phase (read, render, write), on stderr.

    cd CHECKOUT && .venv/bin/python PATH/TO/bench/import_phases.py CONTENT

Runs the code of the current directory's checkout (so an older worktree can be timed the
same way) against DATABASE_URL (with SECRET_KEY set), which must be migrated; delete
IMPORT_PARSE_CACHE_DIR first, or the parse cache makes a second run skip the work.
"""

from __future__ import annotations

import contextlib
import functools
import sys
import time
from collections.abc import Callable
from typing import Any

sys.path.insert(0, ".")

from app.cli.content import import_command  # the checkout in the current directory
from app.services.importing import importer
from wsgi import app

PHASES = ("_read", "_render_all", "_write")


def timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """fn, printing how long each call took."""
    @functools.wraps(fn)
    def wrap(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            print(f"{name}: {time.perf_counter() - start:.2f} s", file=sys.stderr)
    return wrap


def main(content: str) -> None:
    for name in PHASES:
        setattr(importer, name, timed(name, getattr(importer, name)))
    with app.app_context():
        context = import_command.make_context("import", [content])
        start = time.perf_counter()
        with contextlib.suppress(SystemExit):  # a run with errors exits non-zero
            import_command.invoke(context)
        print(f"import (in process): {time.perf_counter() - start:.2f} s", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1])
