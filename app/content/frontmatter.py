"""Front matter in Hugo's three formats, split off with python-frontmatter handlers."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from typing import Any

import frontmatter
import yaml
from frontmatter.default_handlers import BaseHandler

from app.content.errors import ContentProblem

try:  # libyaml's loader: several times faster
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # PyYAML built without libyaml
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]  # the same interface


class _YamlLoader(_BaseLoader):
    """Safe YAML; an impossible date stays text, so the date check can name its line."""


def _timestamp(loader: _YamlLoader, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_YamlLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


@dataclass(frozen=True)
class FrontMatter:
    """Front matter keys (lower-cased) and the Markdown body after it."""

    data: dict[str, Any]
    body: str
    body_line: int  # 1-based line of the file where the body starts
    format: str  # "yaml", "toml", "json" or "none"


class _Yaml(BaseHandler):
    FM_BOUNDARY = re.compile(r"^-{3}[ \t]*\r?$", re.MULTILINE)

    def load(self, fm: str, **kwargs: Any) -> Any:
        return yaml.load(fm, Loader=_YamlLoader)  # noqa: S506 - safe loader


class _Toml(BaseHandler):
    FM_BOUNDARY = re.compile(r"^\+{3}[ \t]*\r?$", re.MULTILINE)

    def load(self, fm: str, **kwargs: Any) -> Any:
        return tomllib.loads(fm)


class _Json(BaseHandler):
    """Hugo's JSON front matter: one balanced, quote-aware {...} object."""

    FM_BOUNDARY = re.compile(r"^\{")  # detection only; split() balances the braces

    def detect(self, text: str) -> bool:
        return text.startswith("{")

    def split(self, text: str) -> tuple[str, str]:
        end = _balanced_object_end(text)
        return text[:end], text[end:]

    def load(self, fm: str, **kwargs: Any) -> Any:
        return json.loads(fm)


_HANDLERS = {"yaml": _Yaml(), "toml": _Toml(), "json": _Json()}


def _balanced_object_end(text: str) -> int:
    depth = 0
    in_string = False
    escaped = False
    for index, ch in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return index + 1
    raise ContentProblem(1, "JSON front matter has no closing '}'")


MAX_VALUES = 100_000  # YAML aliases can make a few lines expand to millions of values


def _lower_keys(value: Any, budget: list[int] | None = None) -> Any:
    # Hugo treats params case-insensitively at every level.
    budget = [MAX_VALUES] if budget is None else budget
    budget[0] -= 1
    if budget[0] < 0:
        raise ContentProblem(1, f"front matter has more than {MAX_VALUES} values "
                             "(YAML aliases expanding?)")
    if isinstance(value, dict):
        return {str(k).lower(): _lower_keys(v, budget) for k, v in value.items()}
    if isinstance(value, list):
        return [_lower_keys(v, budget) for v in value]
    return value


def _unclosed_line(fm_text: str) -> int | None:
    """For a TOML value left open to the end: the line where it starts (1-based in fm_text)."""
    lines = fm_text.split("\n")
    for end in range(len(lines), 0, -1):
        try:
            tomllib.loads("\n".join(lines[: end - 1]))
        except tomllib.TOMLDecodeError:
            continue
        return end
    return None


def _error_line(exc: Exception, offset: int, fm_text: str = "") -> int:
    """The file line of a parser error; `offset` is the file line before the front matter text."""
    # A construct left open (quote, flow list) is best reported where it was opened.
    mark: yaml.Mark | None = (getattr(exc, "context_mark", None)
                              or getattr(exc, "problem_mark", None))
    if mark is not None:
        return offset + mark.line + 1
    if isinstance(exc, tomllib.TOMLDecodeError) and (
        "end of document" in str(exc) or str(exc).startswith("Unclosed")
    ):
        line = _unclosed_line(fm_text)
        if line is not None:
            return offset + line
    lineno = getattr(exc, "lineno", None)  # JSONDecodeError
    if isinstance(lineno, int):
        return offset + lineno
    found = re.search(r"line (\d+)", str(exc))
    return offset + int(found.group(1)) if found else offset + 1


def _reason(exc: Exception, fmt: str) -> str:
    if isinstance(exc, yaml.MarkedYAMLError):
        detail = " ".join(part for part in (exc.context, exc.problem) if part)
    elif isinstance(exc, json.JSONDecodeError):
        detail = exc.msg
    else:
        detail = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
    return f"invalid {fmt.upper()} front matter: {detail or exc.__class__.__name__}"


def _split(handler: BaseHandler, fmt: str, text: str, skipped: int) -> tuple[str, str]:
    if fmt == "json":
        return handler.split(text)
    # Hugo's lexer: the front matter ends at the first line break followed by the delimiter.
    delimiter = text[:3]
    opening_end = 3 + (2 if text.startswith("\r\n", 3) else 1 if text[3:4] in "\r\n" else 0)
    found = re.search(rf"[\r\n]{re.escape(delimiter)}", text[opening_end - 1 :])
    if found is None:
        raise ContentProblem(skipped + 1, f"{fmt.upper()} front matter is never closed "
                             f"(no line starting with {delimiter})")
    close = opening_end - 1 + found.start() + 1
    return "\n" + text[opening_end:close], text[close + 3 :]


def split_front_matter(text: str) -> FrontMatter:
    """Split a content file's text into front matter and body, as Hugo does."""
    text = text.lstrip("\ufeff")
    stripped = text.lstrip()
    skipped = text[: len(text) - len(stripped)].count("\n")
    handler = frontmatter.detect_format(stripped, _HANDLERS.values())
    if handler is None:
        return FrontMatter({}, text, 1, "none")
    fmt = next(name for name, h in _HANDLERS.items() if h is handler)
    fm_text, body = _split(handler, fmt, stripped, skipped)
    try:
        data = handler.load(fm_text)
    except (yaml.YAMLError, tomllib.TOMLDecodeError, ValueError) as exc:
        raise ContentProblem(_error_line(exc, skipped, fm_text), _reason(exc, fmt)) from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ContentProblem(skipped + 1, f"{fmt.upper()} front matter must be a mapping of keys")
    if body.startswith("\r\n"):
        body = body[2:]
    elif body.startswith("\n"):
        body = body[1:]
    return FrontMatter(_lower_keys(data), body, skipped + fm_text.count("\n") + 2, fmt)
