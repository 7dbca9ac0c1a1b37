"""A corpus of broken and hostile Hugo content, built in a temporary folder at test time.

Every case writes its files under a fresh content root (and, for links that escape, into a
sibling ``outside`` folder holding a secret). Each case says what a correct importer does:

- ``error``: exit code 1, a line ``error: PATH:LINE: reason`` or ``error: PATH: reason``
  naming the file, and no page stored for it;
- ``ok``: exit code 0, the page stored and served with 200 (optionally containing a text);
- ``warn``: exit code 0, a warning naming the file, the page imported without it;
- ``skip``: exit code 0, the file silently ignored (as Hugo ignores it);
- ``either``: ``error`` or ``ok``, whichever the importer chose, each checked in full.

Nothing is committed: the 50 MB file and the deep nests are generated on the spot.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

OUTSIDE_SECRET = "OUTSIDE-SECRET-7f3a9c2e"  # in files outside the content folder only
PASSWD_MARK = "root:x:0:0"  # the first line of /etc/passwd on Debian
CONTROL = "posts/control.md"  # a good page written next to every case
CONTROL_URL = "/posts/control/"
CONTROL_TEXT = "Control page body."

Builder = Callable[[Path, Path], None]


@dataclass(frozen=True)
class Case:
    """One hostile input and what a correct import does with it."""

    id: str
    family: str
    build: Builder
    expect: str  # "error" | "ok" | "warn" | "skip" | "either"
    source: str | None = None  # the content path the message must name
    url: str | None = None  # where an imported page must be served (looked up when None)
    contains: str | None = None  # text the served page must show
    reason: str | None = None  # a phrase the error or warning must contain
    gone: tuple[str, ...] = ()  # URLs that must answer 404 (files that must not be served)
    slow: bool = False
    bug: str | None = None  # a known app bug: the case is xfail(strict) with this reason
    extra: dict[str, object] = field(default_factory=dict)


def put(root: Path, rel: str, data: str | bytes) -> Path:
    """Write a file (creating folders)."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def _file(rel: str, data: str | bytes) -> Builder:
    def build(root: Path, _outside: Path) -> None:
        put(root, rel, data)

    return build


def _steps(*steps: Callable[[Path, Path], object]) -> Builder:
    """A builder that runs several steps in order."""

    def build(root: Path, outside: Path) -> None:
        for step in steps:
            step(root, outside)

    return build


def _bundle_with(name: str, data: str | bytes) -> Builder:
    """The leaf bundle posts/b with one extra file."""
    return _steps(lambda r, _o: _bundle(r, "posts/b"), lambda r, _o: put(r, f"posts/b/{name}",
                                                                         data))


def _page(title: str = "Fine", extra: str = "", body: str = "Body text.\n") -> str:
    return f"---\ntitle: {title}\n{extra}---\n{body}"


def outside_tree(outside: Path) -> None:
    """A folder next to the content root, with a secret the site must never show."""
    put(outside, "secret.txt", f"{OUTSIDE_SECRET}\n")
    put(outside, "secret.md", f"---\ntitle: {OUTSIDE_SECRET}\n---\n{OUTSIDE_SECRET}\n")
    put(outside, "dir/secret.md", f"---\ntitle: {OUTSIDE_SECRET}\n---\n{OUTSIDE_SECRET}\n")
    put(outside, "dir/index.md", f"---\ntitle: {OUTSIDE_SECRET}\n---\n{OUTSIDE_SECRET}\n")
    put(outside, "dir/leak.png", OUTSIDE_SECRET)


def _bundle(root: Path, rel_dir: str, title: str = "Bundle") -> None:
    put(root, f"{rel_dir}/index.md", _page(title, body="Bundle body.\n"))


# -- front matter syntax ---------------------------------------------------------------------

SYNTAX = [
    Case("yaml-unclosed-flow", "front matter syntax",
         _file("posts/a.md", "---\ntitle: [unclosed\ntags: x\n---\nbody\n"), "error",
         "posts/a.md", reason="YAML"),
    Case("yaml-bad-indent", "front matter syntax",
         _file("posts/a.md", "---\ntitle: a\n  b: c\n---\nbody\n"), "error", "posts/a.md",
         reason="YAML"),
    Case("yaml-tab-indent", "front matter syntax",
         _file("posts/a.md", "---\nparams:\n\tx: 1\n---\nbody\n"), "error", "posts/a.md",
         reason="YAML"),
    Case("yaml-never-closed", "front matter syntax",
         _file("posts/a.md", "---\ntitle: a\nbody without a closing line\n"), "error",
         "posts/a.md", reason="never closed"),
    Case("yaml-python-tag", "front matter syntax",
         _file("posts/a.md", "---\ntitle: !!python/object/apply:os.system ['true']\n---\nb\n"),
         "error", "posts/a.md", reason="YAML"),
    Case("yaml-list-not-mapping", "front matter syntax",
         _file("posts/a.md", "---\n- a\n- b\n---\nbody\n"), "error", "posts/a.md",
         reason="mapping"),
    Case("yaml-scalar-not-mapping", "front matter syntax",
         _file("posts/a.md", "---\njust a string\n---\nbody\n"), "error", "posts/a.md",
         reason="mapping"),
    Case("yaml-unknown-alias", "front matter syntax",
         _file("posts/a.md", "---\ntitle: *nope\n---\nbody\n"), "error", "posts/a.md",
         reason="YAML"),
    Case("yaml-self-referencing-alias", "front matter syntax",
         _file("posts/a.md", "---\ntitle: t\nloop: &a [*a]\n---\nbody\n"), "either",
         "posts/a.md"),
    Case("yaml-billion-laughs", "front matter syntax",
         _file("posts/a.md", "---\ntitle: t\n" + "a0: &a0 [x, x, x, x, x, x, x, x, x]\n"
               + "".join(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n"
                         for i in range(1, 9)) + "---\nbody\n"),
         "either", "posts/a.md", extra={"timeout": 8}),
    Case("yaml-deep-flow-nesting", "front matter syntax",
         _file("posts/a.md", "---\ntitle: t\nx: " + "[" * 5000 + "]" * 5000 + "\n---\nb\n"),
         "either", "posts/a.md"),
    Case("toml-missing-value", "front matter syntax",
         _file("posts/a.md", "+++\ntitle = \n+++\nbody\n"), "error", "posts/a.md",
         reason="TOML"),
    Case("toml-unclosed-string", "front matter syntax",
         _file("posts/a.md", '+++\ntitle = "open\ndate = 2020-01-01\n+++\nbody\n'), "error",
         "posts/a.md", reason="TOML"),
    Case("toml-duplicate-key", "front matter syntax",
         _file("posts/a.md", '+++\ntitle = "a"\ntitle = "b"\n+++\nbody\n'), "error",
         "posts/a.md", reason="TOML"),
    Case("toml-never-closed", "front matter syntax",
         _file("posts/a.md", '+++\ntitle = "a"\nbody\n'), "error", "posts/a.md",
         reason="never closed"),
    Case("toml-deep-array", "front matter syntax",
         _file("posts/a.md", '+++\ntitle = "t"\nx = ' + "[" * 5000 + "]" * 5000
               + "\n+++\nbody\n"), "either", "posts/a.md"),
    Case("json-trailing-comma", "front matter syntax",
         _file("posts/a.md", '{"title": "a",}\nbody\n'), "error", "posts/a.md",
         reason="JSON"),
    Case("json-never-closed", "front matter syntax",
         _file("posts/a.md", '{"title": "a"\nbody\n'), "error", "posts/a.md",
         reason="closing"),
    Case("json-trailing-text", "front matter syntax",
         _file("posts/a.md", '{"title": "a"} trailing\n'), "ok", "posts/a.md",
         url="/posts/a/"),
    Case("json-deep-nesting", "front matter syntax",
         _file("posts/a.md", '{"title": "t", "x": ' + "[" * 20000 + "]" * 20000 + "}\nb\n"),
         "either", "posts/a.md"),
    Case("json-braces-in-strings", "front matter syntax",
         _file("posts/a.md", '{"title": "a } { \\" }", "x": "{"}\nThe body.\n'), "ok",
         "posts/a.md", url="/posts/a/", contains="The body."),
]

# -- wrong types -----------------------------------------------------------------------------

TYPES = [
    Case("date-is-a-list", "wrong types", _file("posts/a.md", _page(extra="date: [2020-01-01]\n")),
         "error", "posts/a.md", reason="date"),
    Case("date-is-a-mapping", "wrong types",
         _file("posts/a.md", _page(extra="date: {y: 2020}\n")), "error", "posts/a.md",
         reason="date"),
    Case("date-impossible", "wrong types", _file("posts/a.md", _page(extra="date: 2023-02-30\n")),
         "error", "posts/a.md", reason="date"),
    Case("date-huge-unix-timestamp", "wrong types",
         _file("posts/a.md", _page(extra="date: 100000000000000000000\n")), "error",
         "posts/a.md", reason="date"),
    Case("date-negative-huge-timestamp", "wrong types",
         _file("posts/a.md", _page(extra="date: -99999999999999\n")), "error", "posts/a.md",
         reason="date"),
    Case("date-overflows-on-utc-conversion", "wrong types",
         _file("posts/a.md", _page(extra="date: 9999-12-31T23:59:59-05:00\n")), "either",
         "posts/a.md"),
    Case("date-year-one-east-of-utc", "wrong types",
         _file("posts/a.md", _page(extra="date: 0001-01-01T00:00:00+05:00\n")), "either",
         "posts/a.md"),
    Case("tags-is-a-number", "wrong types", _file("posts/a.md", _page(extra="tags: 42\n")), "ok",
         "posts/a.md", url="/posts/a/", extra={"also_ok": "/tags/42/"}),
    Case("tags-is-a-mapping", "wrong types",
         _file("posts/a.md", _page(extra="tags: {a: 1}\n")), "error", "posts/a.md",
         reason="tags"),
    Case("tags-list-of-lists", "wrong types",
         _file("posts/a.md", _page(extra="tags: [[a, b], c]\n")), "error", "posts/a.md",
         reason="tags"),
    Case("title-is-a-mapping", "wrong types",
         _file("posts/a.md", "---\ntitle: {en: Hi}\n---\nbody\n"), "error", "posts/a.md",
         reason="title"),
    Case("title-is-a-list", "wrong types", _file("posts/a.md", "---\ntitle: [a, b]\n---\nb\n"),
         "error", "posts/a.md", reason="title"),
    Case("title-is-binary", "wrong types",
         _file("posts/a.md", "---\ntitle: !!binary aGVsbG8=\n---\nb\n"), "error", "posts/a.md",
         reason="title"),
    Case("title-huge-integer", "wrong types",
         _file("posts/a.md", '{"title": ' + "9" * 5000 + "}\nbody\n"), "error",
         "posts/a.md"),
    Case("draft-maybe", "wrong types", _file("posts/a.md", _page(extra="draft: maybe\n")),
         "error", "posts/a.md", reason="draft"),
    Case("weight-is-text", "wrong types", _file("posts/a.md", _page(extra="weight: heavy\n")),
         "error", "posts/a.md", reason="weight"),
    Case("weight-is-infinite", "wrong types", _file("posts/a.md", _page(extra="weight: .inf\n")),
         "error", "posts/a.md", reason="weight"),
    Case("weight-beyond-64-bits", "wrong types",
         _file("posts/a.md", _page(extra="weight: 100000000000000000000000\n")), "error",
         "posts/a.md", reason="weight"),
    Case("slug-is-a-list", "wrong types", _file("posts/a.md", _page(extra="slug: [a]\n")),
         "error", "posts/a.md", reason="slug"),
    Case("aliases-is-a-mapping", "wrong types",
         _file("posts/a.md", _page(extra="aliases: {a: b}\n")), "error", "posts/a.md",
         reason="aliases"),
    Case("url-climbs-out", "wrong types",
         _file("posts/a.md", _page(extra="url: ../../../etc/passwd\n")), "either", "posts/a.md",
         gone=("/etc/passwd",)),
    Case("alias-climbs-out", "wrong types",
         _file("posts/a.md", _page(extra="aliases: [../../../../etc/passwd]\n")), "ok",
         "posts/a.md", url="/posts/a/"),
    Case("title-with-nul", "wrong types",
         _file("posts/a.md", '{"title": "a\\u0000b"}\nbody\n'), "either", "posts/a.md"),
]

# -- shortcodes ------------------------------------------------------------------------------

SHORTCODES = [
    Case("shortcode-unterminated-tag", "shortcodes",
         _file("posts/a.md", _page(body='Text\n\n{{< figure src="x.png" \n\nmore\n')), "error",
         "posts/a.md"),
    Case("shortcode-unterminated-quote", "shortcodes",
         _file("posts/a.md", _page(body='{{< alert "open >}}\n')), "error", "posts/a.md"),
    Case("shortcode-paired-never-closed", "shortcodes",
         _file("posts/a.md", _page(body="{{< alert >}}\ninside\n")), "either", "posts/a.md"),
    Case("shortcode-stray-close", "shortcodes",
         _file("posts/a.md", _page(body="text\n{{< /alert >}}\n")), "either", "posts/a.md"),
    Case("shortcode-crossed-nesting", "shortcodes",
         _file("posts/a.md", _page(body="{{< alert >}}{{% details %}}x{{< /alert >}}"
                                        "{{% /details %}}\n")), "either", "posts/a.md"),
    Case("shortcode-nested-200-deep", "shortcodes",
         _file("posts/a.md", _page(body="{{< alert >}}" * 200 + "deep" + "{{< /alert >}}" * 200
                                   + "\n")), "either", "posts/a.md"),
    Case("shortcode-unknown", "shortcodes",
         _file("posts/a.md", _page(body="{{< no-such-thing a=1 >}}\nText after.\n")), "ok",
         "posts/a.md", url="/posts/a/", contains="Text after."),
    Case("shortcode-script-in-param", "shortcodes",
         _file("posts/a.md", _page(body='{{< alert icon="\\"><script>alert(1)</script>" >}}'
                                        "x{{< /alert >}}\n")), "either", "posts/a.md",
         extra={"no_script": True}),
    # Shortcode parameters carrying the URL and style forms of issue 13: dropped, never
    # rendered into an attribute (nothing a policy would then have to block).
    Case("shortcode-javascript-href", "shortcodes",
         _file("posts/a.md", _page(body='{{< button href="JaVaScRiPt:alert(1)" >}}Go'
                                        '{{< /button >}}\n{{< screenshot src="x.png" '
                                        'href=" javascript:alert(2)" >}}\n')), "either",
         "posts/a.md", extra={"absent": ["javascript:", "JaVaScRiPt:"]}),
    Case("shortcode-data-and-vbscript-href", "shortcodes",
         _file("posts/a.md", _page(body='{{< button href="data:text/html,<script>alert(1)'
                                        '</script>" >}}A{{< /button >}}\n{{< button '
                                        'href="vbscript:msgbox(1)" >}}B{{< /button >}}\n')),
         "either", "posts/a.md", extra={"absent": ["data:text/html", "vbscript:"]}),
    Case("shortcode-style-injection-in-colours", "shortcodes",
         _file("posts/a.md", _page(body='{{< alert cardColor="red;background:url(javascript:'
                                        'alert(1))" iconColor="red\\" onmouseover=\\"alert(2)"'
                                        ' >}}x{{< /alert >}}\n{{< swatches "red\\" '
                                        'onload=\\"alert(3)" "#fff;position:fixed" >}}\n')),
         "either", "posts/a.md",
         extra={"absent": ["url(javascript", "onmouseover", "onload=", "position:fixed"]}),
    Case("shortcode-many-params", "shortcodes",
         _file("posts/a.md", _page(body="{{< figure " + " ".join(f"k{i}=v" for i in range(5000))
                                   + " >}}\n")), "either", "posts/a.md"),
    Case("shortcode-inline-template", "shortcodes",
         _file("posts/a.md", _page(body='{{< x.inline >}}{{ os.Getenv "HOME" }}'
                                        "{{< /x.inline >}}\n")), "either", "posts/a.md"),
]

# -- encodings and line endings --------------------------------------------------------------

PNG_HEADER = bytes.fromhex("89504e470d0a1a0a0000000d49484452") + b"\x00" * 64

ENCODING = [
    Case("binary-named-md", "encoding", _file("posts/a.md", PNG_HEADER), "error", "posts/a.md",
         reason="binary"),
    Case("utf16-with-bom", "encoding",
         _file("posts/a.md", "\ufeff---\ntitle: Sixteen\n---\nbody\n".encode("utf-16-le")),
         "error", "posts/a.md"),
    Case("invalid-utf8", "encoding",
         _file("posts/a.md", b"---\ntitle: ok\n---\nline two\n\xff\xfe bad\n"), "error",
         "posts/a.md", reason="UTF-8", extra={"line": 5}),
    Case("overlong-utf8", "encoding",
         _file("posts/a.md", b"---\ntitle: x\xc0\xaf\n---\nbody\n"), "error", "posts/a.md",
         reason="UTF-8"),
    Case("utf8-bom", "encoding", _file("posts/a.md", "\ufeff---\ntitle: With BOM\n---\nBody.\n"),
         "ok", "posts/a.md", url="/posts/a/", contains="With BOM"),
    Case("nul-after-first-8k", "encoding",
         _file("posts/a.md", _page(body="x" * 9000 + "\x00" + "tail\n")), "either",
         "posts/a.md"),
    Case("crlf-everywhere", "encoding",
         _file("posts/a.md", "---\r\ntitle: Windows\r\ntags: [crlf]\r\n---\r\n## Head\r\n\r\n"
                             "Body line.\r\n"), "ok", "posts/a.md", url="/posts/a/",
         contains="Body line."),
    Case("cr-only-line-endings", "encoding",
         _file("posts/a.md", "---\rtitle: Old Mac\r---\rBody.\r"), "either", "posts/a.md"),
    Case("only-front-matter", "encoding", _file("posts/a.md", "---\ntitle: Just FM\n---\n"),
         "ok", "posts/a.md", url="/posts/a/", contains="Just FM"),
    Case("only-front-matter-no-newline", "encoding",
         _file("posts/a.md", "---\ntitle: Tight\n---"), "ok", "posts/a.md", url="/posts/a/",
         contains="Tight"),
    Case("empty-file", "encoding", _file("posts/a.md", b""), "ok", "posts/a.md",
         url="/posts/a/"),
    Case("control-characters", "encoding",
         _file("posts/a.md", _page("Bell\x07", body="esc \x1b[31m red \x0b\x0c\n")), "either",
         "posts/a.md"),
    Case("bidi-override-in-title", "encoding",
         _file("posts/a.md", _page("\u202egnp.exe", body="text\n")), "ok", "posts/a.md",
         url="/posts/a/"),
]

# -- size and depth --------------------------------------------------------------------------


def _big(root: Path, _outside: Path) -> None:
    path = root / "posts" / "big.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    line = b"All work and no play makes Jack a dull boy. " * 2 + b"\n"
    with path.open("wb") as handle:
        handle.write(b"---\ntitle: Big\n---\n")
        for _ in range(50 * 1024 * 1024 // len(line) + 1):
            handle.write(line)


def _deep_list_indented(root: Path, _outside: Path) -> None:
    # A nested list written the usual way, one level per line (2,000 levels: 4 MB).
    lines = ["  " * depth + "- item" for depth in range(2000)]
    put(root, "posts/a.md", _page(body="\n".join(lines) + "\n"))


SIZE = [
    Case("file-50-mb", "size and depth", _big, "error", "posts/big.md", reason="larger",
         slow=True),
    Case("list-10000-deep", "size and depth",
         _file("posts/a.md", _page(body="- " * 10000 + "bottom\n")), "either", "posts/a.md",
         slow=True, extra={"timeout": 120}),
    Case("list-2000-deep-indented", "size and depth", _deep_list_indented, "either",
         "posts/a.md", slow=True, extra={"timeout": 60}),
    Case("blockquote-10000-deep", "size and depth",
         _file("posts/a.md", _page(body=">" * 10000 + " bottom\n")), "either", "posts/a.md",
         slow=True, extra={"timeout": 120}),
    Case("list-500-deep", "size and depth",
         _file("posts/a.md", _page(body="- " * 500 + "bottom\n")), "either", "posts/a.md"),
    Case("emphasis-brackets-5000", "size and depth",
         _file("posts/a.md", _page(body="[" * 5000 + "*" * 5000 + "x\n")), "either",
         "posts/a.md", extra={"timeout": 60}),
    Case("headings-5000", "size and depth",
         _file("posts/a.md", _page(extra="showTableOfContents: true\n",
                                   body="".join(f"## H {i}\n\ntext\n\n" for i in range(5000)))),
         "ok", "posts/a.md", url="/posts/a/", contains="H 4999"),
    Case("one-line-5-mb", "size and depth",
         _file("posts/a.md", _page(body="word " * (1024 * 1024) + "\n")), "either",
         "posts/a.md", slow=True, extra={"timeout": 120}),
]

# -- file system: links, names ---------------------------------------------------------------


def _symlink(rel: str, target: str | Callable[[Path, Path], Path], bundle: str | None = None,
             ) -> Builder:
    def build(root: Path, outside: Path) -> None:
        if bundle:
            _bundle(root, bundle)
        link = root / rel
        link.parent.mkdir(parents=True, exist_ok=True)
        where = target(root, outside) if callable(target) else target
        os.symlink(where, link)

    return build


def _make_fifo(root: Path, _outside: Path) -> None:
    (root / "posts").mkdir(parents=True, exist_ok=True)
    os.mkfifo(root / "posts" / "fifo.md")


def _bytes_name(root: Path, _outside: Path) -> None:
    folder = os.fsencode(root / "posts")
    os.makedirs(folder, exist_ok=True)
    with open(folder + b"/bad-\xff\xfe-name.md", "wb") as handle:
        handle.write(_page("Bytes name").encode())


def _bytes_bundle_file(root: Path, _outside: Path) -> None:
    _bundle(root, "posts/b")
    with open(os.fsencode(root / "posts" / "b") + b"/pic-\xff.png", "wb") as handle:
        handle.write(PNG_HEADER)


def _nul_name(root: Path, _outside: Path) -> None:
    (root / "posts").mkdir(parents=True, exist_ok=True)
    try:
        with open(os.fsencode(root / "posts") + b"/nul\x00name.md", "wb") as handle:
            handle.write(b"x")
    except (ValueError, OSError) as exc:
        raise NotSupported(f"the file system refuses a NUL in a name: {exc}") from exc


class NotSupported(Exception):
    """The platform cannot express this case (e.g. NUL in a file name on Linux)."""


def _dir_named_index_md(root: Path, _outside: Path) -> None:
    (root / "posts" / "index.md").mkdir(parents=True)
    put(root, "posts/index.md/inner.md", _page("Inner"))


def _unreadable(root: Path, _outside: Path) -> None:
    path = put(root, "posts/a.md", _page("Locked"))
    path.chmod(0)
    if os.access(path, os.R_OK):
        raise NotSupported("running as root: permissions do not stop reading")


def _case_clash(root: Path, _outside: Path) -> None:
    put(root, "posts/Same.md", _page("Upper"))
    put(root, "posts/same.md", _page("Lower"))


FILESYSTEM = [
    Case("symlink-page-to-etc-passwd", "symlinks", _symlink("posts/passwd.md", "/etc/passwd"),
         "error", "posts/passwd.md", reason="outside", gone=("/posts/passwd/",)),
    Case("symlink-page-to-outside-md", "symlinks",
         _symlink("posts/leak.md", lambda _r, o: o / "secret.md"), "error", "posts/leak.md",
         reason="outside", gone=("/posts/leak/",)),
    Case("symlink-bundle-file-to-etc-passwd", "symlinks",
         _symlink("posts/b/passwd", "/etc/passwd", bundle="posts/b"), "warn",
         "posts/b/passwd", url="/posts/b/", reason="outside",
         gone=("/posts/b/passwd",)),
    Case("symlink-bundle-image-to-outside", "symlinks",
         _symlink("posts/b/leak.png", lambda _r, o: o / "dir" / "leak.png", bundle="posts/b"),
         "warn", "posts/b/leak.png", url="/posts/b/", reason="outside",
         gone=("/posts/b/leak.png",)),
    Case("symlink-dir-in-bundle-to-etc", "symlinks",
         _symlink("posts/b/etc", "/etc", bundle="posts/b"), "ok", "posts/b/index.md",
         url="/posts/b/", gone=("/posts/b/etc/passwd", "/posts/b/etc/hostname")),
    Case("symlink-dir-in-branch-to-outside", "symlinks",
         _symlink("posts/ext", lambda _r, o: o / "dir"), "skip",
         gone=("/posts/ext/", "/posts/ext/secret/", "/posts/ext/leak.png")),
    Case("symlink-section-to-outside", "symlinks",
         _symlink("evil", lambda _r, o: o / "dir"), "skip",
         gone=("/evil/", "/evil/secret/", "/evil/leak.png")),
    Case("symlink-branch-resource-to-etc-passwd", "symlinks",
         _steps(lambda r, _o: put(r, "posts/_index.md", _page("Posts")),
                lambda r, _o: os.symlink("/etc/passwd", r / "posts" / "passwd.txt")),
         "warn", "posts/passwd.txt", url="/posts/", reason="outside",
         gone=("/posts/passwd.txt",)),
    Case("symlink-inside-content", "symlinks",
         _steps(lambda r, _o: put(r, "posts/real.md", _page("Real")),
                lambda r, _o: os.symlink("real.md", r / "posts" / "twin.md")),
         "either", "posts/twin.md"),
    Case("symlink-loop", "symlinks",
         _steps(lambda r, _o: os.symlink("loop.md", r / "posts" / "loop.md")),
         "error", "posts/loop.md"),
    Case("symlink-dangling", "symlinks",
         _steps(lambda r, _o: os.symlink("missing.md", r / "posts" / "gone.md")),
         "error", "posts/gone.md"),
    Case("fifo-named-md", "special files", _make_fifo, "error", "posts/fifo.md",
         extra={"timeout": 5}),
    Case("unreadable-file", "special files", _unreadable, "error", "posts/a.md"),
    Case("dir-named-index-md", "names", _dir_named_index_md, "either", "posts/index.md/inner.md"),
    Case("file-named-dot-md", "names", _file("posts/.md", _page("Dot")), "skip",
         gone=("/posts/.md",)),
    Case("file-named-dot-md-at-root", "names", _file(".md", _page("Dot")), "skip"),
    Case("bundle-file-dotdot-prefix", "names",
         _bundle_with("..evil.png", PNG_HEADER),
         "either", "posts/b/index.md", url="/posts/b/"),
    Case("bundle-file-triple-dot", "names",
         _bundle_with("...", b"dots"),
         "either", "posts/b/index.md", url="/posts/b/"),
    Case("bundle-file-backslash-dotdot", "names",
         _bundle_with("..\\..\\evil.png", PNG_HEADER), "warn", "posts/b/..\\..\\evil.png",
         url="/posts/b/", reason="unsafe"),
    Case("bundle-file-percent-encoded-dotdot", "names",
         _bundle_with("%2e%2e%2fx.png", PNG_HEADER), "either", "posts/b/index.md", url="/posts/b/",
         gone=("/posts/x.png", "/x.png")),
    Case("bundle-file-nul-name", "names", _nul_name, "either"),
    Case("page-name-invalid-utf8", "names", _bytes_name, "either", "posts/bad-"),
    Case("bundle-file-name-invalid-utf8", "names", _bytes_bundle_file, "either",
         "posts/b/index.md", url="/posts/b/"),
    Case("page-name-accented", "names", _file("posts/café crème.md", _page("Café")), "ok",
         "posts/café crème.md", contains="Café"),
    Case("page-name-decomposed-unicode", "names",
         _file("posts/cafe\u0301.md", _page("Decomposed")), "ok", "posts/cafe\u0301.md",
         contains="Decomposed"),
    Case("page-name-cjk", "names", _file("posts/日本語の記事.md", _page("CJK")), "ok",
         "posts/日本語の記事.md", contains="CJK"),
    Case("page-name-rtl", "names", _file("posts/مرحبا بالعالم.md", _page("RTL")), "ok",
         "posts/مرحبا بالعالم.md", contains="RTL"),
    Case("page-name-bidi-override", "names",
         _file("posts/evil\u202egnp.md", _page("Bidi")), "either", "posts/evil\u202egnp.md"),
    Case("page-name-only-punctuation", "names", _file("posts/!!!.md", _page("Bang")), "either",
         "posts/!!!.md"),
    Case("page-names-differ-by-case", "names", _case_clash, "error", "posts/same.md",
         reason="already used"),
    Case("page-name-very-long", "names", _file("posts/" + "n" * 250 + ".md", _page("Long")),
         "ok", "posts/" + "n" * 250 + ".md"),
    Case("slug-2000-chars", "names", _file("posts/a.md", _page(extra=f"slug: {'s' * 2000}\n")),
         "either", "posts/a.md"),
    Case("folder-100-deep", "names",
         _file("/".join(["d"] * 100) + "/deep.md", _page("Deep")), "ok",
         "/".join(["d"] * 100) + "/deep.md"),
    Case("bundle-file-with-space-and-hash", "names",
         _bundle_with("a #1?.png", PNG_HEADER),
         "ok", "posts/b/index.md", url="/posts/b/"),
]

CASES: list[Case] = [*SYNTAX, *TYPES, *SHORTCODES, *ENCODING, *SIZE, *FILESYSTEM]
