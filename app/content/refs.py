"""Hugo's `ref`/`relref` lookup: which page a reference names, in which language."""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from app.content.shortcodes import Node, Shortcode

REF_NAMES = frozenset({"ref", "relref"})
# Hugo's refLinksNotFoundURL: what an unresolved ref renders as. Hugo's own default is "" with
# the build failing (refLinksErrorLevel ERROR); an import goes on, with "#" (a link that goes
# nowhere) unless the site sets one. Kept in a page's refs under a key no target can have.
DEFAULT_NOT_FOUND_URL = "#"
NOT_FOUND_KEY = "\x00refLinksNotFoundURL"
_SUFFIXES = (".md", ".markdown", ".mdown", ".html", ".htm")


def ref_key(target: str, lang: str | None = None) -> str:
    """How a reference is stored: the target as written, with its language if one is named."""
    return f"{lang or ''}|{target}"


def ref_args(sc: Shortcode) -> tuple[str, str | None] | None:
    """The target and language of a ref/relref call, or None when it names no target."""
    target = sc.kwargs.get("path", sc.args[0] if sc.args else None)
    if target is None:
        return None
    return target, sc.kwargs.get("lang") or None


def _walk(nodes: Sequence[Node]) -> Iterator[Shortcode]:
    for node in nodes:
        if not isinstance(node, Shortcode):
            continue
        yield node
        if node.inner is not None:
            yield from _walk(node.inner)


def collect(body: str) -> list[tuple[str, str | None]]:
    """Every (target, lang) a body's ref/relref shortcodes name, in order, without repeats."""
    from app.content.shortcodes import ShortcodeSyntaxError, parse

    if "ref" not in body:
        return []
    try:
        nodes = parse(body)
    except (ShortcodeSyntaxError, RecursionError):
        return []  # the page fails to render anyway, with the error reported then
    found = [ref_args(sc) for sc in _walk(nodes) if sc.name.lower() in REF_NAMES]
    return list(dict.fromkeys(item for item in found if item is not None))


def normalize(path: str) -> str:
    """A reference's path as Hugo's path parser keys pages: no suffix, no index, lower-case."""
    path = path.strip().replace("\\", "/").rstrip("/")
    lowered = path.lower()
    for suffix in _SUFFIXES:
        if lowered.endswith(suffix):
            path = path[: -len(suffix)]
            break
    parts = path.split("/")
    if parts and parts[-1].lower() in ("index", "_index"):
        parts = parts[:-1]
    return "/".join(parts).lower().replace(" ", "-")


@dataclass
class RefIndex:
    """Every page's URL by language and Hugo path, and the paths by their last name."""

    urls: dict[tuple[str, str], str] = field(default_factory=dict)
    names: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    @classmethod
    def build(cls, pages: Iterable[tuple[str, str, str]],
              others: Iterable[tuple[str, str, str]] = ()) -> RefIndex:
        """An index of content pages' (lang, hugo path, URL), then of lists without a file.

        Only content pages are found by their bare name, as in Hugo's reverse index.
        """
        index = cls()
        for lang, path, url in pages:
            index.urls.setdefault((lang, path), url)
            name = path.rsplit("/", 1)[-1]
            if name:
                index.names[name].add(path)
        for lang, path, url in others:
            index.urls.setdefault((lang, path), url)
        return index

    def _get(self, lang: str, path: str) -> str | None:
        path = posixpath.normpath(path) if path not in ("", "/") else "/"
        return self.urls.get((lang, "/" if path in (".", "") else path))

    def lookup(self, target: str, lang: str, page_dir: str) -> str | None:
        """The URL a reference names (anchor included), or None when no page matches.

        As Hugo's GetPage for refs: relative to the page's folder first, then from the
        content root, then (a bare name) the one page anywhere with that name.
        """
        raw_path, hash_mark, fragment = target.partition("#")
        anchor = f"#{fragment}" if hash_mark else ""
        if not raw_path.strip():
            return anchor if hash_mark else None
        path = normalize(raw_path)
        if raw_path.strip().startswith("/") or not path:
            url = self._get(lang, "/" + path.lstrip("/"))
        else:
            url = self._get(lang, posixpath.join(page_dir, path)) or self._get(lang, "/" + path)
            if url is None and "/" not in path:
                candidates = self.names.get(path, set())
                if len(candidates) == 1:
                    url = self._get(lang, next(iter(candidates)))
        return None if url is None else url + anchor

    def resolve_all(self, refs: Iterable[tuple[str, str | None]], lang: str, page_dir: str,
                    not_found_url: str = DEFAULT_NOT_FOUND_URL) -> dict[str, str | None]:
        """Resolve a page's references: {ref_key: URL or None}, and the URL an unresolved
        one renders as (under NOT_FOUND_KEY) when there is one."""
        found = {ref_key(target, ref_lang): self.lookup(target, ref_lang or lang, page_dir)
                 for target, ref_lang in refs}
        if None in found.values():
            found[NOT_FOUND_KEY] = not_found_url
        return found


def not_found_url(refs: Mapping[str, str | None]) -> str:
    """What an unresolved ref renders as on a page (Hugo's refLinksNotFoundURL)."""
    url = refs.get(NOT_FOUND_KEY)
    return DEFAULT_NOT_FOUND_URL if url is None else url
