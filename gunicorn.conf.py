"""Production defaults for gunicorn; every value can be overridden from the environment."""

import multiprocessing
import os

bind = os.environ.get("BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
# Sync workers: a page is served from the cache in well under a millisecond, and SQLite
# readers do not block each other in WAL mode.
workers = int(os.environ.get("WEB_CONCURRENCY", min(multiprocessing.cpu_count() * 2 + 1, 9)))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = 50
# The app writes one JSON line per request (with its request id), held in memory and written
# in batches (app/web/security.py; flushed by the hooks below); gunicorn's own access log is
# off unless asked for.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Trust X-Forwarded-* only from the reverse proxy in front (nginx on the same host).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proc_name = "blog"
# gunicorn's control socket defaults to one path per user (~/.gunicorn/gunicorn.ctl), which two
# servers on one host would fight over; enable it with a path of its own where wanted.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET") or "gunicorn-blog.ctl"
control_socket_disable = "GUNICORN_CONTROL_SOCKET" not in os.environ


def post_worker_init(worker: object) -> None:
    """What the worker made while loading the app lives as long as the worker: move it out
    of the cycle collector's sight, so that full collections under load scan only what
    requests make (shorter pauses, a steadier p99)."""
    import gc

    gc.collect()
    gc.freeze()


def _flush_request_log() -> None:
    # Through logging, so that apps without the blog's log (bench/minimal_app.py) import
    # nothing of it.
    import logging

    for handler in logging.getLogger("blog.request").handlers:
        handler.flush()


def worker_exit(server: object, worker: object) -> None:
    """A worker stops (SIGTERM, SIGQUIT, max_requests, a crash): write the request log lines
    it holds (atexit would too; this also covers exits that skip it)."""
    _flush_request_log()


def worker_abort(worker: object) -> None:
    """A worker timed out (SIGABRT): write its request log lines before it goes."""
    _flush_request_log()
