"""Security headers on every response, and the request log line with its request id.

The log line (one JSON object per request: method, path, status, ms, request_id, bytes) is
built by string formatting (the C string escaper for the two values a client chooses) and
kept in memory by RequestLogHandler, which writes what it holds (in writes of whole lines of
at most 4 KB, which stay whole on a pipe that other workers write to too) when it holds
LOG_REQUESTS_BUFFER_KB, LOG_REQUESTS_FLUSH_MS after its first line, and at exit (atexit,
and gunicorn's worker_exit / worker_abort hooks in gunicorn.conf.py). Only a SIGKILL loses
lines: at most one flush interval's.
"""

from __future__ import annotations

import atexit
import logging
import os
import random
import sys
import threading
import time
import weakref
from collections.abc import Iterable, Iterator
from json.encoder import encode_basestring_ascii as _json_string
from typing import TextIO

from flask import Flask, Response, g, request

from app.web import style_hashes

_CSP_BEFORE_STYLES = "default-src 'self'; script-src 'self'; style-src 'self'"
_CSP_AFTER_STYLES = (
    "; img-src 'self' data:; font-src 'self'; connect-src 'self'; media-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
CSP = _CSP_BEFORE_STYLES + _CSP_AFTER_STYLES  # no inline script or style at all


def content_security_policy(style_hashes: Iterable[str] = ()) -> str:
    """The policy; a page whose own content has inline styles allows those, by hash only."""
    hashes = sorted(set(style_hashes))
    if not hashes:
        return CSP
    return (_CSP_BEFORE_STYLES + " 'unsafe-hashes' " + " ".join(f"'{h}'" for h in hashes)
            + _CSP_AFTER_STYLES)


HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}
HSTS = "max-age=31536000; includeSubDomains"
_REQUEST_ID_OK = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
log = logging.getLogger("blog.request")
_random_bits = random.getrandbits  # the random module reseeds it in every forked child


def new_request_id() -> str:
    """32 random hex digits (the form of a UUID4's hex), without a system call: an id to
    find a request's lines by, not a secret."""
    return f"{_random_bits(128):032x}"


def request_id_from(given: str) -> str:
    """Keep a proxy's id (nginx $request_id) when it is sane; never log raw client input."""
    if given and len(given) <= 64 and set(given) <= _REQUEST_ID_OK:
        return given
    return new_request_id()


def response_headers(secure: bool, csp: str | None = None) -> list[tuple[str, str]]:
    """The headers every response carries (HSTS only over HTTPS); csp: the page's own."""
    headers = [(name, csp if csp and name == "Content-Security-Policy" else value)
               for name, value in HEADERS.items()]
    if secure:
        headers.append(("Strict-Transport-Security", HSTS))
    return headers


class RequestLogHandler(logging.Handler):
    """Keeps log lines in memory and writes them together: when `capacity` characters are
    held, `interval` seconds after the first line held (a thread of its own waits for it),
    and when flushed or closed (logging.shutdown at exit; gunicorn's hooks).

    capacity 0: every line is written at once. `stream` None: sys.stderr at writing time.
    """

    def __init__(self, stream: TextIO | None = None, capacity: int = 64 << 10,
                 interval: float = 1.0) -> None:
        super().__init__(logging.INFO)
        self.setFormatter(logging.Formatter("%(message)s"))
        self.stream = stream
        self.capacity = capacity
        self.interval = interval
        self._after_fork()
        _HANDLERS.add(self)

    def _after_fork(self) -> None:
        # In a forked child: the lines held belong to the parent, which writes them, and
        # neither the parent's lock state nor its thread came along.
        self._lines: list[str] = []
        self._size = 0
        self._held = threading.Lock()
        self._wake = threading.Event()
        self._timer: threading.Thread | None = None

    def emit(self, record: logging.LogRecord) -> None:
        """The logging route (a record from log.info); log_request calls add directly."""
        try:
            self.add(self.format(record))
        except Exception:  # what logging handlers do with their errors
            self.handleError(record)

    def add(self, line: str) -> None:
        """Hold one line (without its newline); write what is held when it is full."""
        with self._held:
            lines = self._lines
            lines.append(line)
            self._size += len(line) + 1
            if self._size < self.capacity:
                if len(lines) == 1:
                    self._wake.set()
                    if self._timer is None:
                        self._start_timer()
                return
            self._write()

    def _start_timer(self) -> None:
        self._timer = threading.Thread(target=self._wait_and_flush, daemon=True,
                                       name="request-log-flush")
        self._timer.start()

    def _wait_and_flush(self) -> None:
        wake = self._wake
        while True:
            wake.wait()
            time.sleep(self.interval)
            wake.clear()  # before flushing: a line added after the flush sets it again
            self.flush()

    def flush(self) -> None:
        """Write every line held, in one write."""
        with self._held:
            self._write()

    def _write(self) -> None:
        if not self._lines:
            return
        text = "\n".join(self._lines) + "\n"
        self._lines = []
        self._size = 0
        stream = self.stream or sys.stderr
        try:
            stream.flush()
            try:
                fd = stream.fileno()
            except (AttributeError, OSError, ValueError):  # no file (a StringIO)
                stream.write(text)
                stream.flush()
                return
            for chunk in _whole_lines(text.encode("utf-8", "backslashreplace"), PIPE_BUF):
                while chunk:
                    chunk = chunk[os.write(fd, chunk):]
        except (OSError, ValueError):  # a closed or broken stream: nowhere left to write
            pass

    def close(self) -> None:
        """Write what is held, then close as any handler."""
        self.flush()
        super().close()


PIPE_BUF = 4096  # what one write to a pipe may hold and stay whole between processes


def _whole_lines(data: bytes, limit: int) -> Iterator[bytes]:
    """data (lines, each ending in a newline) in pieces of whole lines of at most `limit`
    bytes (a longer line alone): workers writing to one pipe never mix their lines."""
    start, end = 0, len(data)
    while start < end:
        if end - start <= limit:
            yield data[start:]
            return
        cut = data.rfind(b"\n", start, start + limit) + 1
        if cut <= start:  # one line longer than the limit
            cut = data.find(b"\n", start + limit) + 1 or end
        yield data[start:cut]
        start = cut


_HANDLERS: weakref.WeakSet[RequestLogHandler] = weakref.WeakSet()


def _forget_parents_lines() -> None:
    for handler in _HANDLERS:
        handler._after_fork()


def _flush_all() -> None:
    for handler in list(_HANDLERS):
        handler.flush()


os.register_at_fork(after_in_child=_forget_parents_lines)
# At exit, ours: logging.shutdown flushes only the handlers on its own list, which a
# logging.config.fileConfig call (Alembic's env.py) empties.
atexit.register(_flush_all)


def flush_request_log() -> None:
    """Write the request log lines held in memory (gunicorn.conf.py calls it at exit)."""
    for handler in log.handlers:
        handler.flush()


def log_line(method: str, path: str, status: int, ms: float, request_id: str | None,
             size: int | None) -> str:
    """The JSON object of one request, on one line (ASCII: other characters escaped)."""
    return (f'{{"method":{_json_string(method)},"path":{_json_string(path)},'
            f'"status":{int(status)},"ms":{ms!r},"request_id":'
            f'{"null" if request_id is None else _json_string(request_id)},'
            f'"bytes":{"null" if size is None else int(size)}}}')


def log_request(method: str, path: str, status: int, started: float, request_id: str | None,
                size: int | None) -> None:
    """The one JSON line per request: straight to the buffer when it is the logger's only
    handler (no LogRecord made), else through logging as any record."""
    line = log_line(method, path, status, round((time.perf_counter() - started) * 1000, 2),
                    request_id, size)
    handlers = log.handlers
    if len(handlers) == 1 and type(handlers[0]) is RequestLogHandler and log.isEnabledFor(
            logging.INFO):
        handlers[0].add(line)
    else:
        log.info(line)


def init_security(app: Flask) -> None:
    """Install the headers and the one-line-per-request JSON log."""
    if app.config.get("LOG_REQUESTS", True) and not log.handlers:
        log.addHandler(RequestLogHandler(
            capacity=max(0, int(app.config.get("LOG_REQUESTS_BUFFER_KB", 64))) << 10,
            interval=max(1, int(app.config.get("LOG_REQUESTS_FLUSH_MS", 1000))) / 1000))
        log.setLevel(logging.INFO)
        log.propagate = False

    @app.before_request
    def _start() -> None:
        g.request_started = time.perf_counter()
        g.request_id = request_id_from(request.headers.get("X-Request-ID", ""))

    @app.after_request
    def _headers(response: Response) -> Response:
        csp = content_security_policy(style_hashes.recorded())
        for name, value in response_headers(request.is_secure, csp):
            response.headers.setdefault(name, value)
        request_id = g.get("request_id")
        if request_id:
            response.headers["X-Request-ID"] = request_id
        if app.config.get("LOG_REQUESTS", True):
            log_request(request.method, request.path, response.status_code,
                        g.get("request_started", time.perf_counter()), request_id,
                        response.calculate_content_length())
        return response
