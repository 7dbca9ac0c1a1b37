"""A Hugo site's configuration (hugo.toml, config/_default/...), merged as Hugo does."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from app.content.errors import ContentProblem

ROOT_NAMES = ("hugo", "config")
SUFFIXES = (".toml", ".yaml", ".yml", ".json")
KINDS = ("page", "section", "taxonomy", "term")
HUGO_TAXONOMIES = {"tag": "tags", "category": "categories"}


@dataclass(frozen=True)
class Language:
    """One language of a multilingual site."""

    code: str
    weight: int = 0
    title: str | None = None
    label: str = ""
    locale: str = ""
    content_dir: str | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    menus: Mapping[str, tuple[MenuEntry, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class MenuEntry:
    """One entry of a menu in the site's configuration (`[[menus.main]]`)."""

    name: str = ""
    page_ref: str = ""
    url: str = ""
    weight: int = 0
    identifier: str = ""
    parent: str = ""
    title: str = ""

    def data(self) -> dict[str, Any]:
        """The entry as JSON-ready data (empty fields left out)."""
        return {key: value for key, value in self.__dict__.items() if value}


@dataclass(frozen=True)
class SiteConfig:
    """The settings of a Hugo site that the engine uses; None means "not set"."""

    root: Path
    files: tuple[str, ...]
    content_dir: str = "content"
    title: str | None = None
    base_url: str | None = None
    default_lang: str = "en"
    default_in_subdir: bool = False
    languages: tuple[Language, ...] = ()
    summary_length: int | None = None
    toc_start: int | None = None
    toc_end: int | None = None
    taxonomies: tuple[str, ...] | None = None
    params: Mapping[str, Any] = field(default_factory=dict)
    permalinks: tuple[tuple[str, str, str], ...] = ()  # (kind, section, pattern)
    timezone: str | None = None
    has_cjk: bool | None = None
    enable_emoji: bool | None = None
    markup: Mapping[str, Any] = field(default_factory=dict)  # markup.goldmark, .highlight
    ref_not_found_url: str | None = None  # refLinksNotFoundURL
    main_sections: tuple[str, ...] | None = None
    menus: Mapping[str, tuple[MenuEntry, ...]] = field(default_factory=dict)

    @property
    def content_root(self) -> Path:
        """The default language's content folder."""
        return (self.root / self.content_dir).resolve()

    def language_codes(self) -> frozenset[str] | None:
        """The configured language codes (None when the site names none)."""
        return frozenset(lang.code for lang in self.languages) if self.languages else None

    def menus_by_language(self) -> dict[str, dict[str, list[dict[str, Any]]]]:
        """Each language's menus: its own (languages.<code>.menus) over the site's."""
        langs = self.languages or (Language(self.default_lang),)
        out: dict[str, dict[str, list[dict[str, Any]]]] = {}
        for lang in langs:
            merged = {**self.menus, **lang.menus}
            if merged:
                out[lang.code] = {name: [entry.data() for entry in entries]
                                  for name, entries in merged.items()}
        return out

    def settings(self) -> dict[str, Any]:
        """The settings as JSON-ready data, for the site_settings table."""
        langs = self.languages or (Language(self.default_lang),)
        data: dict[str, Any] = {
            "title": self.title, "base_url": self.base_url, "default_lang": self.default_lang,
            "default_in_subdir": self.default_in_subdir,
            "languages": [{"code": x.code, "weight": x.weight, "title": x.title,
                           "label": x.label or x.code, "locale": x.locale,
                           # a language's own params (Blowfish's params.author per language)
                           **({"params": _jsonable(dict(x.params))} if x.params else {})}
                          for x in langs],
            "summary_length": self.summary_length, "toc_start": self.toc_start,
            "toc_end": self.toc_end,
            "taxonomies": list(self.taxonomies) if self.taxonomies is not None else None,
            "params": _jsonable(dict(self.params)), "timezone": self.timezone,
            "has_cjk": self.has_cjk, "enable_emoji": self.enable_emoji,
            "markup": _jsonable({k: v for k, v in self.markup.items()
                                 if k in ("goldmark", "highlight")}),
            "permalinks": [list(item) for item in self.permalinks],
            "files": list(self.files),
            "main_sections": list(self.main_sections) if self.main_sections is not None
            else None,
            "menus": self.menus_by_language() or None,
        }
        return {key: value for key, value in data.items() if value is not None}


def _load_file(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8-sig")
    try:
        if path.suffix == ".toml":
            data: Any = tomllib.loads(text)
        elif path.suffix == ".json":
            data = json.loads(text) if text.strip() else {}
        else:
            data = yaml.safe_load(text) or {}
    except (tomllib.TOMLDecodeError, yaml.YAMLError, ValueError) as exc:
        raise ContentProblem(0, f"{path.name}: invalid configuration: {exc}") from None
    if not isinstance(data, dict):
        raise ContentProblem(0, f"{path.name}: configuration must be a mapping of keys")
    return _lower_keys(data)


def _lower_keys(mapping: Mapping[Any, Any]) -> dict[str, Any]:
    # Hugo's configuration keys are case-insensitive.
    return {str(k).lower(): _lower(v) for k, v in mapping.items()}


def _lower(value: Any) -> Any:
    if isinstance(value, dict):
        return _lower_keys(value)
    if isinstance(value, list):
        return [_lower(v) for v in value]
    return value


def merge(base: dict[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """Deep merge: mappings merge key by key, anything else in `extra` wins."""
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merge(dict(out[key]), value)
        else:
            out[key] = value
    return out


def _key_path(stem: str) -> list[str]:
    """Where a config/_default file goes: params.fr.toml is languages.fr.params, etc."""
    if stem in ROOT_NAMES:
        return []
    name, _, lang = stem.partition(".")
    if not lang:
        return [name]
    if name in ("menu", "menus"):
        return ["languages", lang, "menus"]
    if name == "params":
        return ["languages", lang, "params"]
    return ["languages", lang]


def _nest(keys: list[str], data: dict[str, Any]) -> dict[str, Any]:
    for key in reversed(keys):
        data = {key: data}
    return data


def config_files(root: Path) -> list[Path]:
    """The configuration files of a site root, in the order Hugo merges them."""
    found = [root / f"{name}{suffix}" for name in ROOT_NAMES for suffix in SUFFIXES]
    files = [path for path in found if path.is_file()][:1]
    folder = root / "config" / "_default"
    if folder.is_dir():
        files += sorted(p for p in folder.iterdir() if p.suffix in SUFFIXES and p.is_file())
    return files


def read_raw(root: Path) -> tuple[dict[str, Any], list[Path]]:
    """The merged raw configuration (keys lower-cased) and the files it came from."""
    files = config_files(root)
    data: dict[str, Any] = {}
    for path in files:
        loaded = _load_file(path)
        if path.parent.name == "_default":
            loaded = _nest(_key_path(path.stem.lower()), loaded)
        data = merge(data, loaded)
    return data, files


def _int(data: Mapping[str, Any], key: str) -> int | None:
    value = data.get(key)
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ContentProblem(0, f"configuration: '{key}' must be a whole number") from None


def _bool(data: Mapping[str, Any], key: str) -> bool | None:
    value = data.get(key)
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return None if value is None else bool(value)


def _str(data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    return None if value is None else str(value)


def _languages(data: Mapping[str, Any]) -> tuple[Language, ...]:
    raw = data.get("languages")
    if not isinstance(raw, Mapping):
        return ()
    out = []
    for code, conf in raw.items():
        conf = conf if isinstance(conf, Mapping) else {}
        if conf.get("disabled") is True:
            continue
        label = _str(conf, "label") or _str(conf, "languagename") or code
        params = conf.get("params") if isinstance(conf.get("params"), Mapping) else {}
        out.append(Language(
            code=str(code).lower(), weight=_int(conf, "weight") or 0, title=_str(conf, "title"),
            label=label, locale=_str(conf, "locale") or _str(conf, "languagecode") or "",
            content_dir=_str(conf, "contentdir"), params=dict(params or {}),
            menus=_menus(conf, f"languages.{code}.")))
    # Hugo's order: by weight (0 last), then by code.
    return tuple(sorted(out, key=lambda x: (x.weight == 0, x.weight, x.code)))


def _menu_entry(raw: Any, where: str) -> MenuEntry:
    if not isinstance(raw, Mapping):
        raise ContentProblem(0, f"configuration: each entry of '{where}' must be a table "
                                "with a name and a pageRef or url")
    entry = MenuEntry(
        name=_str(raw, "name") or "", page_ref=_str(raw, "pageref") or "",
        url=_str(raw, "url") or "", weight=_int(raw, "weight") or 0,
        identifier=_str(raw, "identifier") or "", parent=_str(raw, "parent") or "",
        title=_str(raw, "title") or "")
    if not entry.name and not entry.page_ref:
        raise ContentProblem(0, f"configuration: an entry of '{where}' needs a name")
    return entry


def _menus(data: Mapping[str, Any], where: str = "") -> dict[str, tuple[MenuEntry, ...]]:
    """`menus` (or Hugo's older `menu`): menu name -> its entries, as written."""
    raw = data.get("menus", data.get("menu"))
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise ContentProblem(0, f"configuration: '{where}menus' must be a mapping of menus")
    out = {}
    for name, entries in raw.items():
        items = entries if isinstance(entries, list) else [entries]
        out[str(name)] = tuple(_menu_entry(item, f"{where}menus.{name}") for item in items)
    return out


def _main_sections(data: Mapping[str, Any], params: Mapping[str, Any]) -> tuple[str, ...] | None:
    """`mainSections` (Hugo 0.112+) or the older `params.mainSections`; None when unset."""
    raw = data.get("mainsections", params.get("mainsections"))
    if raw is None:
        return None
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, list) or not all(isinstance(x, str) for x in items):
        raise ContentProblem(0, "configuration: 'mainSections' must be a list of section names")
    return tuple(x.strip("/") for x in items if x.strip("/"))


def _permalinks(data: Mapping[str, Any]) -> tuple[tuple[str, str, str], ...]:
    raw = data.get("permalinks")
    if not isinstance(raw, Mapping):
        return ()
    out: list[tuple[str, str, str]] = []
    for key, value in raw.items():
        if isinstance(value, str):  # legacy form: applies to pages and terms
            out += [("page", key, value), ("term", key, value)]
        elif isinstance(value, Mapping) and key in KINDS:
            out += [(key, str(k), str(v)) for k, v in value.items() if isinstance(v, str)]
    return tuple(sorted(set(out)))


def _toc(data: Mapping[str, Any]) -> Mapping[str, Any]:
    markup = data.get("markup")
    toc = markup.get("tableofcontents") if isinstance(markup, Mapping) else None
    return toc if isinstance(toc, Mapping) else {}


def _taxonomies(data: Mapping[str, Any]) -> tuple[str, ...] | None:
    raw = data.get("taxonomies")
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise ContentProblem(0, "configuration: 'taxonomies' must be a mapping")
    return tuple(str(plural) for plural in raw.values() if plural)


def from_raw(root: Path, data: Mapping[str, Any], files: list[Path]) -> SiteConfig:
    """A SiteConfig from merged raw configuration data."""
    languages = _languages(data)
    default = (_str(data, "defaultcontentlanguage") or "").lower()
    if not default:
        default = languages[0].code if languages else "en"
    params = data.get("params") if isinstance(data.get("params"), Mapping) else {}
    toc = _toc(data)
    return SiteConfig(
        root=root, files=tuple(p.relative_to(root).as_posix() for p in files),
        content_dir=_str(data, "contentdir") or "content", title=_str(data, "title"),
        base_url=_str(data, "baseurl"), default_lang=default,
        default_in_subdir=bool(_bool(data, "defaultcontentlanguageinsubdir")),
        languages=languages, summary_length=_int(data, "summarylength"),
        toc_start=_int(toc, "startlevel"), toc_end=_int(toc, "endlevel"),
        taxonomies=_taxonomies(data), params=dict(params or {}), permalinks=_permalinks(data),
        timezone=_str(data, "timezone"), has_cjk=_bool(data, "hascjklanguage"),
        enable_emoji=_bool(data, "enableemoji"),
        markup=dict(data["markup"]) if isinstance(data.get("markup"), Mapping) else {},
        ref_not_found_url=_str(data, "reflinksnotfoundurl"),
        main_sections=_main_sections(data, params or {}), menus=_menus(data),
    )


def load_site_config(root: Path) -> SiteConfig | None:
    """The configuration of a Hugo site root, or None when the folder has no config file."""
    root = root.resolve()
    data, files = read_raw(root)
    if not files:
        return None
    return from_raw(root, data, files)


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
