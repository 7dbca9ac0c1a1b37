"""The application factory: it assembles settings, extensions, blueprints, the CLI and the
error handlers, each defined in its own module."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from app.config import BASE_DIR, ConfigError, load_config
from app.database import configure_engine
from app.errors import init_errors
from app.extensions import cache, db, migrate
from app.secret_key import resolve_secret_key
from app.services import ratelimit
from app.services.stats import daily as stats_daily


def create_app(config: dict[str, Any] | None = None,
               instance_path: Path | None = None) -> Flask:
    """Build the blog application; `config` overrides settings read from the environment
    and the instance folder's `settings.env` (INSTANCE_PATH, else ./instance). A setting
    that is missing or unsafe raises ConfigError, except under the `flask` command: there
    every command is still listed, and running one prints what is wrong in one line
    (app/cli/unconfigured.py)."""
    instance = Path(instance_path or os.environ.get("INSTANCE_PATH") or BASE_DIR / "instance")
    try:
        return _build(config, instance)
    except ConfigError as error:
        if click.get_current_context(silent=True) is None:
            raise  # serving: refuse to start
        from app.cli.unconfigured import unconfigured_app

        return unconfigured_app(instance, error)


def _new_flask(instance: Path) -> Flask:
    instance.mkdir(parents=True, exist_ok=True)
    return Flask(
        __name__,
        instance_path=str(instance),
        static_folder=str(BASE_DIR / "static"),
        static_url_path="/static",
    )


def _build(config: dict[str, Any] | None, instance: Path) -> Flask:
    app = _new_flask(instance)
    app.config.update(load_config(instance, config))
    resolve_secret_key(app.config, instance)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"))
    cache.init_app(app)
    with app.app_context():
        configure_engine(db.engine)
        ratelimit.configure(db.engine, app.config)
        stats_daily.configure(db.engine, app.config)

    from app.admin import bp as admin_bp
    from app.blog import bp as blog_bp
    from app.cli import register_cli
    from app.comments import api as comments_api
    from app.comments import bp as comments_bp
    from app.feeds import bp as feeds_bp
    from app.health import bp as health_bp
    from app.search import bp as search_bp
    from app.web import filters
    from app.web import site as site_settings
    from app.web.assets import init_assets
    from app.web.edge import init_edge
    from app.web.fast_path import init_fast_path
    from app.web.security import init_security

    filters.register(app)
    init_security(app)
    init_edge(app)
    init_assets(app)
    app.register_blueprint(health_bp)
    app.register_blueprint(comments_api)
    app.register_blueprint(comments_bp)
    app.register_blueprint(feeds_bp)  # /index.xml, /sitemap.xml: before the catch-all
    app.register_blueprint(admin_bp)  # before the blog's catch-all route
    app.register_blueprint(search_bp)
    app.register_blueprint(blog_bp)
    init_errors(app)
    register_cli(app)
    site_settings.init_app(app)
    init_fast_path(app)  # cached page hits answered before Flask; inside ProxyFix
    if app.config["PROXY_FIX_X_FOR"]:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"], x_proto=1, x_host=1
        )
    return app
