"""Settings from the environment, else from the instance folder's `settings.env`, with safe
defaults."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from dotenv import dotenv_values, set_key

from app.services.site.article import BLOWFISH_DEFAULTS as BLOWFISH_ARTICLE_DEFAULTS

BASE_DIR = Path(__file__).resolve().parent.parent
SETTINGS_FILE = "settings.env"


class ConfigError(RuntimeError):
    """A setting is missing or unsafe."""


def settings_environment(instance_path: Path) -> dict[str, str]:
    """The settings in `instance/settings.env` (KEY='value' lines), overridden by the
    environment: what a setting is read from."""
    path = instance_path / SETTINGS_FILE
    try:
        from_file = dotenv_values(path, interpolate=False) if path.is_file() else {}
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} cannot be read: {exc}") from None
    merged = {key: value for key, value in from_file.items() if value is not None}
    merged.update(os.environ)
    return merged


def save_setting(instance_path: Path, key: str, value: str) -> Path:
    """Write one setting into `instance/settings.env` (made with mode 0600), single-quoted."""
    path = instance_path / SETTINGS_FILE
    instance_path.mkdir(parents=True, exist_ok=True)
    set_key(path, key, value, quote_mode="always")
    return path


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from exc


def _fraction(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 1:
        raise ConfigError(f"{name} must be a number from 0 to 1, got {raw!r}")
    return value


def _database_url(env: Mapping[str, str], instance_path: Path) -> str:
    url = env.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{instance_path / 'blog.sqlite3'}"
    # Heroku-style URLs name the driver-less scheme; psycopg 3 is the driver we ship.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def load_config(instance_path: Path, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Build the settings dict from the environment, then apply overrides."""
    overrides = dict(overrides or {})
    env = settings_environment(instance_path)
    config: dict[str, Any] = {
        "SECRET_KEY": env.get("SECRET_KEY", ""),
        "DEBUG": _bool(env.get("FLASK_DEBUG")),
        "TESTING": False,
        "SQLALCHEMY_DATABASE_URI": _database_url(env, instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "CACHE_TYPE": env.get("CACHE_TYPE", "SimpleCache"),
        "CACHE_DEFAULT_TIMEOUT": _int(env, "CACHE_DEFAULT_TIMEOUT", 0),
        "CACHE_THRESHOLD": _int(env, "CACHE_THRESHOLD", 2000),
        "CACHE_KEY_PREFIX": env.get("CACHE_KEY_PREFIX", "blog:"),
        "CACHE_REDIS_URL": env.get("CACHE_REDIS_URL", env.get("REDIS_URL", "")),
        "CONTENT_DIR": env.get("CONTENT_DIR", str(BASE_DIR / "content")),
        "SITE_TITLE": env.get("SITE_TITLE", "AI Images Blog"),
        "SITE_DESCRIPTION": env.get(
            "SITE_DESCRIPTION", "Notes on AI-generated images and creative tools."
        ),
        "SITE_AUTHOR": env.get("SITE_AUTHOR", ""),
        "SITE_LANGUAGE": env.get("SITE_LANGUAGE", "en"),
        "SITE_TIMEZONE": env.get("SITE_TIMEZONE", "UTC"),
        # Absolute URLs in feeds, sitemap and robots.txt; empty: the request's own origin.
        "SITE_BASE_URL": env.get("SITE_BASE_URL", "").strip().rstrip("/"),
        # Reply emails (`flask comments notify`): an SMTP server and the From address.
        "MAIL_FROM": env.get("MAIL_FROM", ""),
        "SMTP_HOST": env.get("SMTP_HOST", "localhost"),
        "SMTP_PORT": _int(env, "SMTP_PORT", 25),
        "SMTP_SECURITY": env.get("SMTP_SECURITY", ""),  # starttls | ssl | none; by port if unset
        "SMTP_USERNAME": env.get("SMTP_USERNAME", ""),
        "SMTP_PASSWORD": env.get("SMTP_PASSWORD", ""),
        # Thread subscriptions: at most one digest of new comments per post per this many
        # minutes to each subscriber (sent by `flask comments notify`).
        "COMMENTS_DIGEST_MINUTES": max(1, _int(env, "COMMENTS_DIGEST_MINUTES", 60)),
        "FEED_CONTENT": env.get("FEED_CONTENT", "summary"),  # "summary" or "full"
        "FEED_LIMIT": _int(env, "FEED_LIMIT", 20),  # items per feed (Hugo's -1 is unbounded)
        "TAXONOMIES": ("tags", "categories"),
        # Filled from an imported site's configuration (hugo.toml), which takes precedence
        # over these where it says (app/services/site/settings.py resolve; read through
        # settings.for_app, never written back here).
        "SITE_LANGUAGES": [],  # [{"code", "weight", "title", "label", "locale"}], by weight
        "SITE_PARAMS": {},
        "HAS_CJK_LANGUAGE": False,
        "ENABLE_EMOJI": False,
        "MARKUP": None,  # a site config's markup table; None: Blowfish's Markdown settings
        "DEFAULT_LANGUAGE_IN_SUBDIR": False,
        "MAIN_SECTIONS": None,  # None: Hugo's default, the section with the most pages
        "MENUS": {},  # {lang: {menu name: [entry, ...]}} from the site's menus
        "PAGE_SIZE": max(1, _int(env, "PAGE_SIZE", 10)),  # Hugo's pagination.pagerSize
        "RELATED_LIMIT": _int(env, "RELATED_LIMIT", 3),
        "SUMMARY_LENGTH": _int(env, "SUMMARY_LENGTH", 70),
        # Keep parsed pages between imports (a signed file beside an SQLite database, else in
        # the instance folder, or in this folder), so an unchanged page costs a hash, no parse.
        "IMPORT_PARSE_CACHE": _bool(env.get("IMPORT_PARSE_CACHE"), default=True),
        "IMPORT_PARSE_CACHE_DIR": env.get("IMPORT_PARSE_CACHE_DIR", ""),
        # Processes that render pages when an import changes many of them (1: no pool).
        "IMPORT_WORKERS": _int(env, "IMPORT_WORKERS", os.cpu_count() or 1),
        "TOC_START_LEVEL": _int(env, "TOC_START_LEVEL", 2),
        "TOC_END_LEVEL": _int(env, "TOC_END_LEVEL", 4),
        # Blowfish's [params.article] defaults; a post's front matter overrides each.
        "ARTICLE_DEFAULTS": dict(BLOWFISH_ARTICLE_DEFAULTS),
        "MAX_CONTENT_LENGTH": _int(env, "MAX_CONTENT_LENGTH", 1024 * 1024),
        # Seconds a shared cache (nginx, a CDN) may keep a page; browsers always revalidate.
        "PAGE_SHARED_MAX_AGE": _int(env, "PAGE_SHARED_MAX_AGE", 10),
        # Answer cached page hits at the WSGI level, before Flask (app/web/fast_path.py).
        "PAGE_FAST_PATH": _bool(env.get("PAGE_FAST_PATH"), default=True),
        # Megabytes of rendered pages each worker keeps (least recently used go first).
        "PAGE_CACHE_MB": _int(env, "PAGE_CACHE_MB", 24),
        # One JSON line per request on stderr: method, path, status, ms, request id.
        "LOG_REQUESTS": _bool(env.get("LOG_REQUESTS"), default=True),
        # The lines are held in memory and written together: when this many kilobytes are
        # held (0: each at once), this many milliseconds after the first, and at exit.
        "LOG_REQUESTS_BUFFER_KB": max(0, _int(env, "LOG_REQUESTS_BUFFER_KB", 64)),
        "LOG_REQUESTS_FLUSH_MS": max(1, _int(env, "LOG_REQUESTS_FLUSH_MS", 1000)),
        # Comments: moderation "none" | "first" (an author's first comment is held) | "all".
        "COMMENTS_MODERATION": env.get("COMMENTS_MODERATION", "first"),
        "COMMENTS_MAX_DEPTH": _int(env, "COMMENTS_MAX_DEPTH", 3),
        "COMMENTS_EDIT_WINDOW": _int(env, "COMMENTS_EDIT_WINDOW", 15 * 60),
        "COMMENTS_RATE_LIMIT": _int(env, "COMMENTS_RATE_LIMIT", 5),
        "COMMENTS_RATE_WINDOW": _int(env, "COMMENTS_RATE_WINDOW", 60),
        # Views and likes (app/services/stats/): how many a network may send per window.
        "STATS_VIEW_RATE_LIMIT": _int(env, "STATS_VIEW_RATE_LIMIT", 120),
        "STATS_VIEW_RATE_WINDOW": _int(env, "STATS_VIEW_RATE_WINDOW", 60),
        "STATS_LIKE_RATE_LIMIT": _int(env, "STATS_LIKE_RATE_LIMIT", 10),
        "STATS_LIKE_RATE_WINDOW": _int(env, "STATS_LIKE_RATE_WINDOW", 60),
        "COMMENTS_MIN_FILL_SECONDS": _int(env, "COMMENTS_MIN_FILL_SECONDS", 3),
        "COMMENTS_MAX_LINKS": _int(env, "COMMENTS_MAX_LINKS", 3),
        # Top-level comments per page of a thread, each with all its replies.
        "COMMENTS_PER_PAGE": max(1, _int(env, "COMMENTS_PER_PAGE", 50)),
        # A comment whose spam score (learned from your approve/spam decisions) is above this
        # is held for moderation in every mode, `none` too; 1 turns holding off.
        "COMMENTS_SPAM_THRESHOLD": _fraction(env, "COMMENTS_SPAM_THRESHOLD", 0.9),
        # Admin (/admin): a werkzeug password hash (`flask admin hash-password`); empty: no admin.
        "ADMIN_PASSWORD_HASH": env.get("ADMIN_PASSWORD_HASH", "").strip(),
        "ADMIN_LOGIN_RATE_LIMIT": _int(env, "ADMIN_LOGIN_RATE_LIMIT", 5),  # attempts per network
        "ADMIN_LOGIN_RATE_WINDOW": _int(env, "ADMIN_LOGIN_RATE_WINDOW", 15 * 60),  # ... per window
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # The session cookie is Secure whenever the request came over HTTPS
        # (app/web/security.py); true here makes it Secure over plain HTTP too.
        "SESSION_COOKIE_SECURE": _bool(env.get("SESSION_COOKIE_SECURE")),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        # How many reverse proxies in front may set X-Forwarded-For (0: none trusted).
        "PROXY_FIX_X_FOR": _int(env, "PROXY_FIX_X_FOR", 0),
    }
    config.update(overrides)
    if config["CACHE_TYPE"] == "RedisCache" and not config["CACHE_REDIS_URL"]:
        config["CACHE_REDIS_URL"] = "redis://127.0.0.1:6379/0"
    return config
