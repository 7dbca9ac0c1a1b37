"""WSGI entry point: `gunicorn wsgi:app`."""

import gc
import sys

# Loading the app makes some 90,000 objects that live as long as the process: no cycle
# collection passes over them while they are made (about 200 of them, 15-20% of start-up,
# for every `flask` command and every worker). Workers collect once and freeze what is
# left after loading (gunicorn.conf.py, post_worker_init).
gc.disable()
try:
    from app import create_app
    from app.config import ConfigError

    try:
        app = create_app()
    except ConfigError as error:
        # One line, not a traceback. Status 4 is gunicorn's "app failed to load": the server
        # stops instead of starting workers that fail the same way.
        print(f"error: {error}", file=sys.stderr)
        raise SystemExit(4) from None
finally:
    gc.enable()
