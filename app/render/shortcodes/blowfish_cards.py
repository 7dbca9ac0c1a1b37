"""Blowfish's cards for things on other hosts, as plain links: nothing is fetched.

Blowfish fills repository, model and Galaxy cards (and imports code or Markdown) by calling
other hosts' APIs at build time and again from the reader's browser. Here each becomes a
link card naming what it points to, so a page never contacts a third party on load.
"""

from __future__ import annotations

import posixpath
import re
from urllib.parse import quote, urlsplit

from app.content.shortcodes import Shortcode
from app.render.shortcodes.helpers import arg, host_of, link_card
from app.render.shortcodes.registry import ShortcodeContext, shortcode

_REPO = re.compile(r"[\w.-]{1,100}/[\w.-]{1,100}")
_GALAXY = re.compile(r"([\w-]{1,100})\.([\w-]{1,100})")


def _repo(sc: Shortcode, ctx: ShortcodeContext, name: str = "repo") -> str | None:
    value = (arg(sc, name, 0) or "").strip().strip("/")
    if not _REPO.fullmatch(value):
        ctx.warn(f"{name} {value!r} is not of the form owner/name; nothing rendered")
        return None
    return value


def _is_http(url: str) -> bool:
    try:
        parts = urlsplit(url)
        return parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        return False


def _server(sc: Shortcode, ctx: ShortcodeContext, name: str, default: str = "") -> str | None:
    value = (arg(sc, name) or default).strip().rstrip("/")
    if not _is_http(value) or re.search(r"[\s\"'<>]", value):
        ctx.warn(f"{name} {value!r} is not an http(s) server URL; nothing rendered")
        return None
    return value


@shortcode("github")
def render_github(sc: Shortcode, ctx: ShortcodeContext) -> str:
    """``{{< github repo="owner/name" >}}``: a link card to the repository."""
    repo = _repo(sc, ctx)
    if repo is None:
        return ""
    return link_card("github", f"https://github.com/{repo}", repo,
                     "View the repository on GitHub", detail="github.com")


@shortcode("codeberg")
def render_codeberg(sc: Shortcode, ctx: ShortcodeContext) -> str:
    """``{{< codeberg repo="owner/name" >}}``: a link card to the repository."""
    repo = _repo(sc, ctx)
    if repo is None:
        return ""
    return link_card("codeberg", f"https://codeberg.org/{repo}", repo,
                     "View the repository on Codeberg", detail="codeberg.org")


@shortcode("gitea", "forgejo")
def render_gitea(sc: Shortcode, ctx: ShortcodeContext) -> str:
    """``{{< gitea server="https://..." repo="owner/name" >}}`` (and forgejo): a link card."""
    repo = _repo(sc, ctx)
    server = _server(sc, ctx, "server") if repo else None
    if repo is None or server is None:
        return ""
    host = host_of(server)
    return link_card(sc.name.lower(), f"{server}/{repo}", repo,
                     f"View the repository on {host}", detail=host)


@shortcode("gitlab")
def render_gitlab(sc: Shortcode, ctx: ShortcodeContext) -> str:
    """``{{< gitlab projectID="N" baseURL="https://gitlab.com/" >}}``: a link card."""
    project = (arg(sc, "projectID", 0) or "").strip()
    server = _server(sc, ctx, "baseURL", "https://gitlab.com/")
    if server is None:
        return ""
    if project.isdigit():
        href, title = f"{server}/projects/{project}", f"GitLab project {project}"
    elif _REPO.fullmatch(project.strip("/")):
        href, title = f"{server}/{project.strip('/')}", project.strip("/")
    else:
        ctx.warn(f"projectID {project!r} is not a project number; nothing rendered")
        return ""
    host = host_of(server)
    return link_card("gitlab", href, title, f"View the project on {host}", detail=host)


@shortcode("huggingface")
def render_huggingface(sc: Shortcode, ctx: ShortcodeContext) -> str:
    """``{{< huggingface model="..." >}}`` or ``dataset="..."``: a link card."""
    model, dataset = arg(sc, "model"), arg(sc, "dataset")
    kind = "model" if model else "dataset"
    name = (model or dataset or "").strip().strip("/")
    if not _REPO.fullmatch(name) and not re.fullmatch(r"[\w.-]{1,100}", name):
        ctx.warn(f"needs a model or dataset of the form owner/name (got {name!r})")
        return ""
    path = name if kind == "model" else f"datasets/{name}"
    return link_card("huggingface", f"https://huggingface.co/{path}", name,
                     f"View the {kind} on Hugging Face", detail=f"huggingface.co · {kind}")


@shortcode("ansible")
def render_ansible(sc: Shortcode, ctx: ShortcodeContext) -> str:
    """``{{< ansible role="ns.name" >}}`` or ``collection="ns.name"``: a Galaxy link card."""
    role, collection = arg(sc, "role"), arg(sc, "collection")
    kind = "role" if role else "collection"
    m = _GALAXY.fullmatch((role or collection or "").strip())
    if m is None:
        ctx.warn("needs a role or collection of the form namespace.name; nothing rendered")
        return ""
    ns, name = m.groups()
    path = f"standalone/roles/{ns}/{name}/" if kind == "role" else f"repo/published/{ns}/{name}/"
    return link_card("ansible", f"https://galaxy.ansible.com/ui/{path}", f"{ns}.{name}",
                     f"View the {kind} on Ansible Galaxy", detail="galaxy.ansible.com")


def _viewable(url: str) -> str:
    """A raw.githubusercontent.com file URL as its page on github.com; others unchanged."""
    parts = urlsplit(url)
    if parts.hostname == "raw.githubusercontent.com":
        segments = parts.path.strip("/").split("/")
        if len(segments) >= 4:
            owner, repo, ref, *rest = segments
            return f"https://github.com/{owner}/{repo}/blob/{ref}/{'/'.join(rest)}"
    return url


def _remote_file(sc: Shortcode, ctx: ShortcodeContext) -> str | None:
    url = (arg(sc, "url") or "").strip()
    if not _is_http(url) or re.search(r"[\s\"'<>]", url):
        ctx.warn(f"url {url!r} is not an http(s) URL; nothing rendered")
        return None
    ctx.warn("the remote file is not fetched; rendered as a link")
    return url


@shortcode("codeimporter")
def render_codeimporter(sc: Shortcode, ctx: ShortcodeContext) -> str:
    """``{{< codeimporter url type startLine endLine >}}``: a link to the code, not fetched."""
    url = _remote_file(sc, ctx)
    if url is None:
        return ""
    href = _viewable(url)
    start = (arg(sc, "startLine") or "").strip()
    end = (arg(sc, "endLine") or "").strip()
    details = []
    if start.isdigit() or end.isdigit():
        first = start if start.isdigit() else "1"
        details.append(f"lines {first} to {end}" if end.isdigit() else f"from line {first}")
        if href != url:
            href += f"#L{first}" + (f"-L{end}" if end.isdigit() else "")
    lang = (arg(sc, "type") or "").strip()
    if lang:
        details.append(lang)
    details.append(host_of(href))
    title = posixpath.basename(urlsplit(url).path) or url
    return link_card("code", quote(href, safe=":/#?&=%~+@,;-._"), title,
                     f"View the code on {host_of(href)}", detail=" · ".join(details),
                     icon="file")


@shortcode("mdimporter")
def render_mdimporter(sc: Shortcode, ctx: ShortcodeContext) -> str:
    """``{{< mdimporter url="..." >}}``: a link to the Markdown document, not fetched."""
    url = _remote_file(sc, ctx)
    if url is None:
        return ""
    href = _viewable(url)
    title = posixpath.basename(urlsplit(url).path) or url
    return link_card("markdown", quote(href, safe=":/#?&=%~+@,;-._"), title,
                     f"Read the document on {host_of(href)}", detail=host_of(href),
                     icon="file")
