"""Admin access: the password check and its rate limit, the login session, CSRF tokens."""

from __future__ import annotations

import hmac
import secrets
import time
from collections.abc import Mapping
from typing import Any

from flask import abort, current_app, request, session
from werkzeug.security import check_password_hash

from app.config import ConfigError
from app.extensions import db
from app.services import ratelimit
from app.services.comments.rules import client_network, keyed_hash
from app.services.site.state import bump_counter, read_counter
from app.web.origin import client_ip, cross_site_refusal

EPOCH_KEY = "admin_epoch"  # bumped on logout: every admin session issued before ends
MAX_PASSWORD_LENGTH = 1024
KNOWN_METHODS = ("scrypt", "pbkdf2")


def check_hash_setting(config: Mapping[str, Any]) -> None:
    """Refuse an ADMIN_PASSWORD_HASH that werkzeug could never match (e.g. '$' eaten by a shell)."""
    value = str(config.get("ADMIN_PASSWORD_HASH") or "")
    if value and (value.count("$") != 2 or not value.startswith(KNOWN_METHODS)):
        raise ConfigError(
            "ADMIN_PASSWORD_HASH is not a werkzeug password hash (method$salt$hash); make one "
            "with `flask admin hash-password` and single-quote it so the shell keeps its '$'"
        )


def enabled() -> bool:
    """The admin exists only when a password hash is configured."""
    return bool(current_app.config.get("ADMIN_PASSWORD_HASH"))


def password_matches(password: str) -> bool:
    """Constant-time comparison of a password with the configured hash."""
    if not password or len(password) > MAX_PASSWORD_LENGTH:
        return False
    try:
        return check_password_hash(current_app.config["ADMIN_PASSWORD_HASH"], password)
    except (ValueError, TypeError):
        current_app.logger.error("ADMIN_PASSWORD_HASH cannot be checked; is it a werkzeug hash?")
        return False


def count_login_attempt(now: float | None = None) -> tuple[bool, int]:
    """Count one attempt for the client's network: (allowed, seconds until one is allowed)."""
    now = time.time() if now is None else now
    limit = int(current_app.config.get("ADMIN_LOGIN_RATE_LIMIT", 5))
    seconds = max(1, int(current_app.config.get("ADMIN_LOGIN_RATE_WINDOW", 15 * 60)))
    key = "login:" + keyed_hash(current_app.config["SECRET_KEY"], client_network(client_ip()))
    allowed = ratelimit.hit(db.session, key, limit, seconds, now)
    db.session.commit()
    return allowed, 0 if allowed else max(1, ratelimit.retry_after(db.session, key, limit,
                                                                      seconds, now))


def _epoch() -> int:
    return read_counter(db.session, EPOCH_KEY)


def _fingerprint(epoch: int) -> str:
    """Ties a session to the current password hash and logout epoch."""
    material = f"admin-session:{epoch}:{current_app.config['ADMIN_PASSWORD_HASH']}"
    return keyed_hash(current_app.config["SECRET_KEY"], material)


def log_in() -> None:
    """Start a fresh admin session (nothing from the anonymous one is kept)."""
    session.clear()
    session.permanent = True
    session["admin"] = True
    session["admin_since"] = int(time.time())
    session["admin_key"] = _fingerprint(_epoch())
    csrf_token()


def log_out() -> None:
    """End this session and every other admin session issued so far."""
    bump_counter(db.session, EPOCH_KEY)
    db.session.commit()
    session.clear()


def is_admin() -> bool:
    """True for a logged-in session that is recent, for this password, and not logged out."""
    if session.get("admin") is not True:
        return False
    since = session.get("admin_since")
    lifetime = current_app.permanent_session_lifetime.total_seconds()
    if not isinstance(since, int) or not 0 <= time.time() - since <= lifetime:
        return False
    key = session.get("admin_key")
    return isinstance(key, str) and hmac.compare_digest(key.encode(), _fingerprint(_epoch())
                                                        .encode())


def csrf_token() -> str:
    """This session's CSRF token, created on first use."""
    token = session.get("csrf")
    if not isinstance(token, str) or len(token) < 32:
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def check_csrf() -> None:
    """Refuse (403) a POST from another origin or without this session's token."""
    refusal = cross_site_refusal()
    if refusal is not None:
        abort(403, refusal)
    expected = session.get("csrf")
    given = request.form.get("csrf_token")
    if not (isinstance(expected, str) and expected and isinstance(given, str)
            and hmac.compare_digest(expected.encode(), given.encode())):
        abort(403, "the form's security token is missing or out of date; reload the page "
                   "and try again")
