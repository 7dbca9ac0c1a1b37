"""Settings from the environment, with safe defaults."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any

BASE_DIR = Path(__file__).resolve().parent.parent
WEAK_KEYS = frozenset({"", "dev", "secret", "changeme", "change-me", "development"})


class ConfigError(RuntimeError):
    """A setting is missing or unsafe."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from exc


def _database_url(instance_path: Path) -> str:
    url = os.environ.get("DATABASE_URL", "").strip()
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
    env = os.environ
    config: dict[str, Any] = {
        "SECRET_KEY": env.get("SECRET_KEY", ""),
        "DEBUG": _bool(env.get("FLASK_DEBUG")),
        "TESTING": False,
        "SQLALCHEMY_DATABASE_URI": _database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "CACHE_TYPE": env.get("CACHE_TYPE", "SimpleCache"),
        "CACHE_DEFAULT_TIMEOUT": _int("CACHE_DEFAULT_TIMEOUT", 0),
        "CACHE_THRESHOLD": _int("CACHE_THRESHOLD", 2000),
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
        "SMTP_PORT": _int("SMTP_PORT", 25),
        "SMTP_SECURITY": env.get("SMTP_SECURITY", ""),  # starttls | ssl | none; by port if unset
        "SMTP_USERNAME": env.get("SMTP_USERNAME", ""),
        "SMTP_PASSWORD": env.get("SMTP_PASSWORD", ""),
        "FEED_CONTENT": env.get("FEED_CONTENT", "summary"),  # "summary" or "full"
        "FEED_LIMIT": _int("FEED_LIMIT", 20),  # items per feed (Hugo's -1 is unbounded)
        "TAXONOMIES": ("tags", "categories"),
        # Filled from an imported site's configuration (hugo.toml); see services/site_settings.
        "SITE_LANGUAGES": [],  # [{"code", "weight", "title", "label", "locale"}], by weight
        "SITE_PARAMS": {},
        "HAS_CJK_LANGUAGE": False,
        "ENABLE_EMOJI": False,
        "DEFAULT_LANGUAGE_IN_SUBDIR": False,
        "MAIN_SECTIONS": None,  # None: Hugo's default, the section with the most pages
        "MENUS": {},  # {lang: {menu name: [entry, ...]}} from the site's menus
        "PAGE_SIZE": max(1, _int("PAGE_SIZE", 10)),  # Hugo's pagination.pagerSize
        "RELATED_LIMIT": _int("RELATED_LIMIT", 3),
        "SUMMARY_LENGTH": _int("SUMMARY_LENGTH", 70),
        # Keep parsed pages between imports (a signed file beside an SQLite database, else in
        # the instance folder, or in this folder), so an unchanged page costs a hash, no parse.
        "IMPORT_PARSE_CACHE": _bool(env.get("IMPORT_PARSE_CACHE"), default=True),
        "IMPORT_PARSE_CACHE_DIR": env.get("IMPORT_PARSE_CACHE_DIR", ""),
        # Processes that render pages when an import changes many of them (1: no pool).
        "IMPORT_WORKERS": _int("IMPORT_WORKERS", os.cpu_count() or 1),
        "TOC_START_LEVEL": _int("TOC_START_LEVEL", 2),
        "TOC_END_LEVEL": _int("TOC_END_LEVEL", 4),
        # Blowfish's [params.article] defaults; a post's front matter overrides each.
        "ARTICLE_DEFAULTS": {
            "showdate": True,
            "showreadingtime": True,
            "showwordcount": True,
            "showtableofcontents": False,
            "showtaxonomies": False,
            "showheadinganchors": True,
            "showcomments": True,
        },
        "MAX_CONTENT_LENGTH": _int("MAX_CONTENT_LENGTH", 1024 * 1024),
        # Seconds a shared cache (nginx, a CDN) may keep a page; browsers always revalidate.
        "PAGE_SHARED_MAX_AGE": _int("PAGE_SHARED_MAX_AGE", 10),
        # Answer cached page hits at the WSGI level, before Flask (app/blog/fast_path.py).
        "PAGE_FAST_PATH": _bool(env.get("PAGE_FAST_PATH"), default=True),
        # Megabytes of rendered pages each worker keeps (least recently used go first).
        "PAGE_CACHE_MB": _int("PAGE_CACHE_MB", 24),
        # One JSON line per request on stderr: method, path, status, ms, request id.
        "LOG_REQUESTS": _bool(env.get("LOG_REQUESTS"), default=True),
        # Comments: moderation "none" | "first" (an author's first comment is held) | "all".
        "COMMENTS_MODERATION": env.get("COMMENTS_MODERATION", "first"),
        "COMMENTS_MAX_DEPTH": _int("COMMENTS_MAX_DEPTH", 3),
        "COMMENTS_EDIT_WINDOW": _int("COMMENTS_EDIT_WINDOW", 15 * 60),
        "COMMENTS_RATE_LIMIT": _int("COMMENTS_RATE_LIMIT", 5),
        "COMMENTS_RATE_WINDOW": _int("COMMENTS_RATE_WINDOW", 60),
        "COMMENTS_MIN_FILL_SECONDS": _int("COMMENTS_MIN_FILL_SECONDS", 3),
        "COMMENTS_MAX_LINKS": _int("COMMENTS_MAX_LINKS", 3),
        # Admin (/admin): a werkzeug password hash (`flask admin hash-password`); empty: no admin.
        "ADMIN_PASSWORD_HASH": env.get("ADMIN_PASSWORD_HASH", "").strip(),
        "ADMIN_LOGIN_RATE_LIMIT": _int("ADMIN_LOGIN_RATE_LIMIT", 5),  # attempts per network
        "ADMIN_LOGIN_RATE_WINDOW": _int("ADMIN_LOGIN_RATE_WINDOW", 15 * 60),  # ... per window
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # The session cookie is Secure whenever the request came over HTTPS
        # (app/security.py); true here makes it Secure over plain HTTP too.
        "SESSION_COOKIE_SECURE": _bool(env.get("SESSION_COOKIE_SECURE")),
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
        # How many reverse proxies in front may set X-Forwarded-For (0: none trusted).
        "PROXY_FIX_X_FOR": _int("PROXY_FIX_X_FOR", 0),
    }
    config.update(overrides)
    if config["CACHE_TYPE"] == "RedisCache" and not config["CACHE_REDIS_URL"]:
        config["CACHE_REDIS_URL"] = "redis://127.0.0.1:6379/0"
    return config


def check_secret_key(config: dict[str, Any]) -> None:
    """Refuse to run in production without a strong SECRET_KEY."""
    if config.get("DEBUG") or config.get("TESTING"):
        if not config.get("SECRET_KEY"):
            config["SECRET_KEY"] = "insecure-development-key"  # noqa: S105 - debug/tests only
        return
    key = str(config.get("SECRET_KEY") or "")
    if key.lower() in WEAK_KEYS or len(key) < 32 or len(set(key)) < 5:
        raise ConfigError(
            "SECRET_KEY must be set to a random value of at least 32 characters, "
            "at least 5 of them different "
            "(for example: python3 -c 'import secrets; print(secrets.token_urlsafe(48))')"
        )
