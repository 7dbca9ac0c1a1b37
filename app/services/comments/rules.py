"""Comment settings and input validation: every limit names its field."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import SplitResult, quote, urlsplit, urlunsplit

from app.services.site.article import BLOWFISH_DEFAULTS, shows_comments

if TYPE_CHECKING:
    from app.models import Page

MODERATION_MODES = ("none", "first", "all")
MAX_ID = 2**31  # ids are INTEGER columns: 32 bits on PostgreSQL


class CommentError(Exception):
    """A refused comment request: HTTP status, message and the field at fault."""

    def __init__(self, status: int, message: str, field: str | None = None,
                 code: str = "invalid") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field
        self.code = code

    def as_json(self) -> dict[str, Any]:
        """The JSON error body."""
        body: dict[str, Any] = {"error": self.message, "code": self.code}
        if self.field:
            body["field"] = self.field
        return body


def check_open(page: Page, article_defaults: Mapping[str, Any] = BLOWFISH_DEFAULTS) -> None:
    """Refuse (403) a comment or a subscription to a post closed to comments, or one whose
    page shows none (its front matter or the site's [params.article])."""
    if page.comments_closed or not shows_comments(page, article_defaults):
        raise CommentError(403, "comments are closed on this post", None, "closed")


@dataclass(frozen=True)
class CommentSettings:
    """Comment rules, from the app config."""

    moderation: str = "first"
    max_depth: int = 3
    edit_window: int = 15 * 60
    rate_limit: int = 5
    rate_window: int = 60
    min_fill_seconds: int = 3
    max_links: int = 3
    max_author: int = 100
    max_email: int = 254
    max_website: int = 500
    min_text: int = 2
    max_text: int = 10_000
    max_body: int = 64 * 1024
    spam_threshold: float = 0.9  # a trained spam score above it holds the comment
    per_page: int = 50  # top-level comments (with all their replies) on a page of a thread

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> CommentSettings:
        """Read COMMENTS_* settings."""
        mode = str(config.get("COMMENTS_MODERATION", "first")).lower()
        if mode not in MODERATION_MODES:
            raise ValueError(f"COMMENTS_MODERATION must be one of {MODERATION_MODES}")
        return cls(
            moderation=mode,
            max_depth=max(1, int(config.get("COMMENTS_MAX_DEPTH", 3))),
            edit_window=int(config.get("COMMENTS_EDIT_WINDOW", 15 * 60)),
            rate_limit=int(config.get("COMMENTS_RATE_LIMIT", 5)),
            rate_window=int(config.get("COMMENTS_RATE_WINDOW", 60)),
            min_fill_seconds=int(config.get("COMMENTS_MIN_FILL_SECONDS", 3)),
            max_links=int(config.get("COMMENTS_MAX_LINKS", 3)),
            # checked (0 to 1) when app/config.py reads it
            spam_threshold=float(config.get("COMMENTS_SPAM_THRESHOLD", 0.9)),
            per_page=max(1, int(config.get("COMMENTS_PER_PAGE", 50))),
        )


@dataclass(frozen=True)
class CommentInput:
    """A validated new comment."""

    url: str
    parent_id: int | None
    author: str
    email: str | None
    website: str | None
    text: str
    notify: bool
    subscribe: bool = False  # email me about new comments on this post (needs an email)


def _text(data: Mapping[str, Any], field: str, limit: int, required: bool = False) -> str:
    value = data.get(field)
    if value is None or value == "":
        if required:
            raise CommentError(400, f"{field} is required", field, "required")
        return ""
    if not isinstance(value, str):
        raise CommentError(400, f"{field} must be text", field, "type")
    if "\x00" in value:
        raise CommentError(400, f"{field} must not contain NUL characters", field)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # JSON may carry lone surrogates ("\ud800"), not Unicode text
        raise CommentError(400, f"{field} is not valid Unicode text", field, "type") from None
    value = value.replace("\r\n", "\n").strip()
    if len(value) > limit:
        raise CommentError(400, f"{field} is too long (at most {limit} characters)", field,
                           "too_long")
    return value


text_field = _text  # the same checks for other forms' fields (thread subscriptions)

_OTHER_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:(?!\d)", re.IGNORECASE)


def check_website(value: str, limit: int = 500) -> str | None:
    """An http(s) URL with a host, or None when empty; anything else is refused."""
    if not value:
        return None
    bad = CommentError(400, "website must be an http or https address", "website", "url")
    if "://" not in value:
        if _OTHER_SCHEME.match(value) or value.startswith("/"):
            raise bad  # javascript:, data:, mailto: ... never get an https:// prefix
        value = "https://" + value
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        raise bad from None
    if parts.scheme not in ("http", "https") or not parts.hostname or any(
        ch.isspace() or ch in "<>\"'" or ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in value
    ):
        raise bad
    value = _as_uri(value, parts, bad)
    if len(value) > limit:
        raise CommentError(400, f"website is too long (at most {limit} characters)", "website",
                           "too_long")
    return value


_URI_SAFE = "/:@!$&'()*+,;=-._~%"  # RFC 3986 characters kept as they are in a path or query
_URI_CHARS = frozenset(string.ascii_letters + string.digits + _URI_SAFE + "?#[]")


def _as_uri(original: str, parts: SplitResult, bad: CommentError) -> str:
    """The address as an IRI: as written when it is one, else percent-encoded with an IDNA host.

    The host must be a name IDNA can encode (or an IP literal) either way.
    """
    host = parts.hostname or ""
    try:
        ascii_host = host if host.isascii() else host.encode("idna").decode("ascii")
    except UnicodeError:
        raise bad from None
    if not ascii_host or any(not (ch.isalnum() or ch in "-.:[]") for ch in ascii_host):
        raise bad
    if ":" in ascii_host:  # an IPv6 literal
        ascii_host = f"[{ascii_host}]"
    netloc = ascii_host if parts.port is None else f"{ascii_host}:{parts.port}"
    if parts.username is not None:
        raise bad  # user:password@host hides where a link really goes
    original = parts.scheme + original[original.index(":"):]  # "HTTP://" -> "http://"
    if all(ch in _URI_CHARS or ord(ch) >= 160 for ch in original):
        return original  # already an IRI (a URI, or one with Unicode): kept as written
    return urlunsplit((parts.scheme, netloc, quote(parts.path, safe=_URI_SAFE),
                       quote(parts.query, safe=_URI_SAFE + "?"),
                       quote(parts.fragment, safe=_URI_SAFE + "?#")))


def check_email(value: str) -> str | None:
    """A plausible address (one @, a dot in the domain, no spaces), or None."""
    if not value:
        return None
    local, _, domain = value.rpartition("@")
    if not local or "." not in domain or any(ch.isspace() for ch in value) or domain.startswith(
        "."
    ) or domain.endswith("."):
        raise CommentError(400, "email is not a valid address", "email", "email")
    return value


def validate(data: Mapping[str, Any], settings: CommentSettings) -> CommentInput:
    """Check a new comment's fields; raises CommentError naming the first bad field."""
    url = _text(data, "url", 1024, required=True)
    parent = data.get("parent_id")
    if parent in (None, ""):
        parent_id = None
    else:
        try:
            parent_id = int(parent)
        except (TypeError, ValueError, OverflowError):
            raise CommentError(400, "parent_id must be a comment id", "parent_id") from None
        if isinstance(parent, bool) or not 0 < parent_id < MAX_ID:
            raise CommentError(400, "parent_id must be a comment id", "parent_id")
    text = _text(data, "text", settings.max_text, required=True)
    if len(text) < settings.min_text:
        raise CommentError(400, f"text is too short (at least {settings.min_text} characters)",
                           "text", "too_short")
    author = _text(data, "author", settings.max_author) or "Anonymous"
    email = check_email(_text(data, "email", settings.max_email))
    website = check_website(_text(data, "website", settings.max_website), settings.max_website)
    notify = is_ticked(data.get("notify"))
    subscribe = is_ticked(data.get("subscribe"))
    return CommentInput(url, parent_id, author, email, website, text, notify and bool(email),
                        subscribe and bool(email))


def is_ticked(value: object) -> bool:
    """A checkbox of the form ("1", "on") or a JSON true."""
    return value in (True, "1", "on", "true", 1)


def keyed_hash(secret: str, value: str) -> str:
    """HMAC-SHA256 of value under the site secret: stable, but useless without the secret."""
    return hmac.new(secret.encode(), value.encode(), hashlib.sha256).hexdigest()


def client_network(ip: str) -> str:
    """The /24 (IPv4) or /64 (IPv6) a client is in: what rate limits count."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return "unknown"
    prefix = 24 if address.version == 4 else 64
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))
