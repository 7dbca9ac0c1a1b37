"""WSGI entry point: `gunicorn wsgi:app`."""

import sys

from app import create_app
from app.config import ConfigError

try:
    app = create_app()
except ConfigError as error:
    # One line, not a traceback. Status 4 is gunicorn's "app failed to load": the server
    # stops instead of starting workers that fail the same way.
    print(f"error: {error}", file=sys.stderr)
    raise SystemExit(4) from None
