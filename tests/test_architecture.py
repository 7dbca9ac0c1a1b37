"""The layout's walls, checked on the import graph of app/ (README, "How it is built").

- A blueprint (admin, blog, comments, feeds, search, health) never imports another one;
  what they share over HTTP lives in app/web/, which imports no blueprint.
- app/content/ and app/render/ are pure: no Flask, SQLAlchemy, werkzeug, database or HTTP
  code, and render depends on content, never the reverse.
- A service (app/services/) knows no request and no app wiring: no `flask.request`,
  `current_app`, `g` or `session`, no blueprint, no app/web, no CLI, no factory, no
  `app.config` paths, no Flask-Migrate object: what it needs is passed in.

Every import counts, including those inside functions and under TYPE_CHECKING.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parent.parent / "app"
BLUEPRINTS = ("app.admin", "app.blog", "app.comments", "app.feeds", "app.search", "app.health")
PURE = ("app.content", "app.render")
FRAMEWORKS = ("flask", "flask_caching", "flask_migrate", "flask_sqlalchemy", "sqlalchemy",
              "werkzeug")
APP_LAYERS = ("app.services", "app.web", "app.models", "app.extensions", "app.database",
              "app.cli", "app.config", *BLUEPRINTS)
REQUEST_STATE = frozenset({"request", "current_app", "g", "session", "has_request_context",
                           "has_app_context"})


@dataclass(frozen=True)
class Import:
    """One imported module (and, for `from m import n`, the names) at a line of a file."""

    module: str
    names: tuple[str, ...]
    line: int


def module_name(path: Path) -> str:
    """The dotted module name of a file under app/."""
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_in(source: str) -> Iterator[Import]:
    """Every import statement of a module's source, wherever it sits."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(alias.name, (), node.lineno)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = tuple(alias.name for alias in node.names)
            yield Import(node.module, names, node.lineno)
            for name in names:  # `from app.services import ratelimit` imports a module too
                yield Import(f"{node.module}.{name}", (), node.lineno)


def within(module: str, packages: tuple[str, ...]) -> str | None:
    """The package of `packages` that `module` is (or is inside of), if any."""
    for package in packages:
        if module == package or module.startswith(package + "."):
            return package
    return None


def violations(module: str, source: str) -> list[str]:
    """Each rule a module's imports break, as 'module:line imports x (rule)'."""
    found: list[str] = []
    own_blueprint = within(module, BLUEPRINTS)
    for imp in imports_in(source):
        target = imp.module

        def report(rule: str, target: str = target, line: int = imp.line) -> None:
            found.append(f"{module}:{line} imports {target} ({rule})")

        other = within(target, BLUEPRINTS)
        if own_blueprint and other and other != own_blueprint:
            report("a blueprint imports another blueprint")
        if within(module, ("app.web",)) and other:
            report("app/web is shared by the blueprints and imports none of them")
        if within(module, PURE):
            if within(target, FRAMEWORKS) or within(target, APP_LAYERS):
                report("content/ and render/ stay pure")
            if within(module, ("app.content",)) and within(target, ("app.render",)):
                report("render depends on content, never the reverse")
        if within(module, ("app.services",)):
            if target == "flask" and REQUEST_STATE.intersection(imp.names):
                names = sorted(REQUEST_STATE.intersection(imp.names))
                report("a service knows no request or app", f"flask.{'/'.join(names)}")
            if other or within(target, ("app.web", "app.cli", "app.config")) or target == "app":
                report("a service knows no blueprint, HTTP layer, CLI or app wiring")
            if target == "app.extensions" and "migrate" in imp.names:
                report("a service knows no app wiring", "app.extensions.migrate")
    return found


def app_modules() -> Iterator[tuple[str, str]]:
    """Every module of app/ with its source."""
    for path in sorted(APP.rglob("*.py")):
        yield module_name(path), path.read_text(encoding="utf-8")


def test_the_app_keeps_its_walls() -> None:
    broken = [v for module, source in app_modules() for v in violations(module, source)]
    assert broken == []


def test_every_blueprint_package_exists() -> None:
    """The rules name real packages: a rename cannot silently empty a rule."""
    names = {module for module, _ in app_modules()}
    for package in (*BLUEPRINTS, *PURE, "app.services", "app.web"):
        assert package in names, package


@pytest.mark.parametrize(("module", "source", "rule"), [
    ("app.admin.views", "from app.comments.edge import client_ip\n",
     "a blueprint imports another blueprint"),
    ("app.blog.views", "def f():\n    import app.feeds.views\n",
     "a blueprint imports another blueprint"),
    ("app.web.page_cache", "from app.blog import views\n", "imports none of them"),
    ("app.render.toc", "from flask import Markup\n", "content/ and render/ stay pure"),
    ("app.content.refs", "from app.services.site import queries\n",
     "content/ and render/ stay pure"),
    ("app.content.refs", "from app.render.shortcodes import parser\n",
     "render depends on content, never the reverse"),
    ("app.render.pipeline", "import sqlalchemy.orm\n", "content/ and render/ stay pure"),
    ("app.services.site.state", "from flask import has_request_context, request\n",
     "knows no request"),
    ("app.services.site.rendering", "from flask import current_app\n", "knows no request"),
    ("app.services.comments.threads", "from app.comments import edge\n", "knows no blueprint"),
    ("app.services.backup.archive", "from app.config import BASE_DIR\n", "app wiring"),
    ("app.services.backup.archive", "from app.extensions import db, migrate\n", "app wiring"),
    ("app.services.importing.run", "from app import create_app\n", "app wiring"),
])
def test_each_rule_catches_what_it_forbids(module: str, source: str, rule: str) -> None:
    found = violations(module, source)
    assert found and all(rule in v for v in found), found


@pytest.mark.parametrize(("module", "source"), [
    ("app.admin.views",
     "from app.services.comments import moderation\nfrom app.web import origin\n"),
    ("app.comments.edge", "from app.comments.openapi import OPENAPI\n"),
    ("app.render.pipeline", "from app.content.shortcodes import parse\n"),
    ("app.services.site.settings", "from flask import Flask\nfrom app.extensions import db\n"),
    ("app.web.fast_path", "from flask import request\n"),
])
def test_what_the_layout_allows_passes(module: str, source: str) -> None:
    assert violations(module, source) == []
