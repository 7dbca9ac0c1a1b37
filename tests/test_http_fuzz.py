"""Every route, asked odd things: never a server error; bodies over the limit get 413.

One site (the seed imported, two comments, the admin enabled) is fuzzed through the Flask
test client. Each route of ``app.url_map`` gets sample values for its variables, then:

- odd paths: percent-encoded NUL, dots, invalid and overlong UTF-8, ``..``, ``//``, 8 KB
  segments, look-alike Unicode (fullwidth solidus, one-dot leader, ligatures, combining marks);
- odd query strings: the same values in every parameter the route reads, 64 KB values,
  a thousand repeats of one parameter, raw non-UTF-8 bytes (``QUERY_STRING`` set directly);
- raw ``PATH_INFO`` bytes the client would refuse to build;
- odd bodies on every POST/PATCH/DELETE route (bad JSON, deep JSON, lone surrogates, huge
  numbers, wrong content types) and odd headers (cookies, conditionals, ranges, origins);
- bodies over the limits: MAX_CONTENT_LENGTH (1 MiB) and the comment endpoints' 64 KiB.

Failures are collected as (route, input, status) and asserted empty per family, so one run
reports every failure. The whole module stays at a few thousand requests.
"""

from __future__ import annotations

import io
import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote_from_bytes, unquote_to_bytes

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage
from werkzeug.test import EnvironBuilder, encode_multipart, run_wsgi_app

from app.extensions import db
from app.services.comments.rules import CommentInput, CommentSettings
from app.services.comments.threads import create_comment
from tests.conftest import (
    SAME_ORIGIN,
    SEED_CONTENT,
    admin_settings,
    csrf_token,
    log_in_admin,
    make_app,
)
from tests.hostile.tally import Tally, report

POST = "/posts/the-rise-of-ai-generated-images/"
IMAGE = POST + "gallery/midjourney.png"
ORIGIN = SAME_ORIGIN
TALLY = Tally("HTTP fuzz")
REQUEST_BUDGET = 8000  # grows with the routes (confirm and subscription links, permalinks, stats;
# each language's search pages)
# Seconds: a slower answer to one request is a denial of service. (Generous: the admin login
# checks an scrypt hash on purpose, and CI machines are shared.)
SLOW_REQUEST = 10.0
SECONDS_BUDGET = 60.0

# Path and parameter values, as they travel on the wire (already percent-encoded).
ODD = [
    "%00", "a%00b", "%2e%2e/", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "..", "../..", "./.",
    "%ff", "%fe%ff", "%c0%af", "%c0%ae%c0%ae/", "%e0%80%af", "%ed%a0%80", "%f4%90%80%80",
    "%", "%z", "%zz", "%%", "%u2215", "%25", "%2f", "%5c..%5c..%5cwin.ini", "%0d%0aX: y",
    "%09", "%20", "%c2%a0", "%ef%bc%8f", "%e2%80%a4%e2%80%a4", "%ef%ac%81le", "e%cc%81",
    "%e2%80%ae", "%f0%9f%92%a9", "%ef%bb%bf", "%c4%b0", ";x=1", "~", "*", "'\"<>",
    "index.html", "page/0/", "page/2/", "page/999999999/", "page/%d9%a2/", "page/-1/",
]
LONG_SEGMENT = "a" * 8192
LONG_VALUE = "q" * 65536
PATH_FORMS: list[tuple[str, Callable[[str], str]]] = [
    ("append", lambda u: u.rstrip("/") + "/" + "{v}"),
    ("append-slash", lambda u: u.rstrip("/") + "/" + "{v}" + "/"),
    ("prefix", lambda u: "/" + "{v}" + u),
]
FEW = ["%00", "%2e%2e/", "%ff", "%c0%af", "..", "%ef%bc%8f", "%e2%80%a4%e2%80%a4", "page/2/",
       "a" * 8192]
RAW_PATHS = [  # PATH_INFO as the server hands it over: latin-1 str of the raw bytes
    "/\xff/", "/posts/\xff\xfe/", "/posts/\xc0\xaf/", "/\x00/", "/posts/the-rise\x00/",
    "/%/", "//", "///etc/passwd", "/posts//the-rise-of-ai-generated-images/",
    "/posts/./the-rise-of-ai-generated-images/", "/posts/../posts/", "/\\..\\..\\", "",
    "/api/comments/\xff", "/comments/\xff/edit", "/admin/\xff", "/search\xff",
    "/static/\xff.css", "/static/../app/__init__.py", "/static/%2e%2e/app/config.py",
]
QUERY_VALUES = [*ODD, LONG_VALUE, "/" * 5000, "1" * 400, "-1", "0", "99999999999999999999999",
                "1e400", "NaN", "²", "١٢", "true", "[]", "{}", "null"]
RAW_QUERIES = ["q=\xff\xfe", "url=/posts/\xff/", "page=\xb2", "w=\xff", "status=\xc0\xaf",
               "&&&=&=", "=", "a=%", "a=%zz", "\x00=\x00", "url=" + "%" * 3000]
ROUTE_PARAMS = {  # the query parameters each endpoint reads
    "search.results": ("q", "page"), "search.results_json": ("q", "page"),
    "comments_api.get_thread": ("url",), "comments_api.get_counts": ("url",),
    "admin.index": ("status",), "blog.resolve": ("w", "v"), "static": ("v",),
}


@dataclass
class Site:
    """The fuzzed app and the clients that talk to it."""

    app: Flask
    anonymous: FlaskClient
    author: FlaskClient  # holds the author cookie of comment_id
    admin: FlaskClient  # logged in
    admin_csrf: str
    comment_id: int
    reply_id: int
    requests: int = 0
    started: float = field(default_factory=time.monotonic)


@dataclass
class Failures:
    """(route, input, status) of every request that answered 5xx or raised."""

    family: str
    items: list[tuple[str, str, str]] = field(default_factory=list)
    tried: int = 0

    def check(self, site: Site, route: str, label: str, client: FlaskClient, path: str,
              method: str = "GET", **kwargs: Any) -> int | None:
        """Send one request; remember it when it answered 5xx or raised."""
        site.requests += 1
        self.tried += 1
        if path.startswith("//"):
            # The client would read "//host/..." as a network location: hand the server's
            # PATH_INFO over directly (percent-decoded bytes as latin-1, as WSGI has it).
            overrides = {**kwargs.pop("environ_overrides", {}),
                         "PATH_INFO": unquote_to_bytes(path.split("?")[0]).decode("latin-1")}
            kwargs["environ_overrides"] = overrides
            path = "/?" + path.split("?", 1)[1] if "?" in path else "/"
        started = time.monotonic()
        try:
            response = client.open(path, method=method, **kwargs)
        except Exception as exc:  # the test client re-raises what the app did not handle
            self.items.append((route, label[:160], f"raised {type(exc).__name__}: {exc}"[:300]))
            return None
        status = response.status_code
        response.close()
        elapsed = time.monotonic() - started
        if elapsed > SLOW_REQUEST:
            self.items.append((route, label[:160], f"{status} after {elapsed:.1f} s"))
        if status >= 500:
            self.items.append((route, label[:160], str(status)))
        return status

    def assert_clean(self) -> None:
        """Count the family in the tally; fail listing every failure not of a known bug.

        Failures of a known bug (KNOWN_BUGS) are counted as failed in the tally but do not
        fail this test: each must have its own strict-xfail test that reproduces it.
        """
        for _ in range(self.tried - len(self.items)):
            TALLY.record(self.family, "ok")
        unknown = []
        for route, label, status in self.items:
            bug = known_bug(route, label, status)
            TALLY.record(self.family, f"{f'[{bug}] ' if bug else ''}{route} {label!r}",
                         [status])
            if bug is None:
                unknown.append((route, label, status))
        listing = "\n".join(f"  {r} | {i!r} -> {s}" for r, i, s in unknown[:60])
        assert not unknown, (f"{len(unknown)} of {self.tried} {self.family} requests "
                             f"failed:\n{listing}")


# Failures already diagnosed: (name, predicate on (route, input, outcome)). Each has a
# strict-xfail reproduction (test_known_bug_*) that starts passing once the app is fixed;
# then delete the entry here and the xfail mark there.
KNOWN_BUGS: list[tuple[str, Callable[[str, str, str], bool]]] = []


def known_bug(route: str, label: str, outcome: str) -> str | None:
    """The name of the known bug a failure is, if any."""
    return next((name for name, match in KNOWN_BUGS if match(route, label, outcome)), None)


@pytest.fixture(scope="module", autouse=True)
def _summary(request: pytest.FixtureRequest) -> Iterator[None]:
    yield from report(request, TALLY)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The seed imported, a comment and a reply, the admin on; clients for each role."""
    tmp = tmp_path_factory.mktemp("fuzz")
    app = make_app(tmp, **admin_settings(
        COMMENTS_MODERATION="none", COMMENTS_MIN_FILL_SECONDS=0, COMMENTS_RATE_LIMIT=100000,
        ADMIN_LOGIN_RATE_LIMIT=100000))
    result = app.test_cli_runner().invoke(args=["content", "import", str(SEED_CONTENT)])
    assert result.exit_code == 0, result.output
    rules = CommentSettings(moderation="none", rate_limit=100000)
    with app.app_context():
        first = create_comment(db.session, CommentInput(POST, None, "Ann", "ann@example.com",
                                                        None, "First comment.", False),
                               "192.0.2.1", app.config["SECRET_KEY"], rules)
        reply = create_comment(db.session, CommentInput(POST, first.id, "Bob", None,
                                                        "https://bob.example", "A reply.",
                                                        False),
                               "192.0.2.2", app.config["SECRET_KEY"], rules)
        first_id, reply_id = first.id, reply.id
        db.session.remove()
    author = app.test_client()
    token = author.get("/api/comments", query_string={"url": POST}).get_json()["form_token"]
    posted = author.post("/api/comments", json={"url": POST, "text": "Mine, editable.",
                                                "form_token": token})
    assert posted.status_code == 201, posted.data
    admin = log_in_admin(app)
    admin_csrf = csrf_token(admin, "/admin/")
    yield Site(app, app.test_client(), author, admin, admin_csrf,
               posted.get_json()["comment"]["id"], reply_id)
    with app.app_context():
        db.engine.dispose()
    del first_id


def _samples(site: Site, rule: Any) -> list[str]:
    """Concrete URLs for a rule: its variables filled with values that exist.

    Deleting routes get a comment the fuzzing client does not own, so that the comment the
    other routes edit survives the run.
    """
    own = site.reply_id if "delete" in rule.endpoint else site.comment_id
    values: dict[str, list[str]] = {
        "path": ["posts/the-rise-of-ai-generated-images/", IMAGE.lstrip("/"), "tags/ai/",
                 "posts/page/2/"],
        "post": ["posts/the-rise-of-ai-generated-images"],
        "comment_id": [str(own)],
        "filename": ["css/site.css"],
        "token": ["0" * 32, "not-a-token"],  # unsubscribe and confirmation links of emails
        "lang": ["fr", "xx"],  # a language's own search page, and one no site declares
        "subscription_id": ["1", "999999"],  # thread subscriptions' mailed links
        "action": ["confirm", "unsubscribe"],
    }
    urls = [rule.rule]
    for name in rule.arguments:
        pattern = re.compile(rf"<(?:[^<>:]+:)?{name}>")  # <name>, <int:name>, <any(a, b):name>
        urls = [pattern.sub(v, u) for u in urls for v in values[name]]
    assert all("<" not in u for u in urls), urls
    return sorted(set(urls))


def _with_odd_variables(rule: Any, value: str) -> str:
    """The rule with every variable replaced by `value` (or, for paths, extended by it)."""
    def fill(match: re.Match[str]) -> str:
        if match.group(1) == "path:":
            return "posts/the-rise-of-ai-generated-images/" + value
        return value
    return re.sub(r"<([^<>:]+:)?\w+>", fill, rule.rule)


@dataclass(frozen=True)
class Route:
    """One method of one URL rule, with sample URLs and the client that fuzzes it."""

    endpoint: str
    method: str
    rule: Any
    samples: list[str]

    @property
    def name(self) -> str:
        return f"{self.method} {self.rule.rule}"


def _routes(site: Site) -> list[Route]:
    """Every route and method of the app."""
    found = []
    for rule in site.app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            found.append(Route(rule.endpoint, method, rule, _samples(site, rule)))
    assert len(found) >= 25, "the url map shrank: is the app complete?"
    return found


def _client(site: Site, route: Route) -> FlaskClient:
    if route.endpoint == "admin.logout":
        return site.anonymous  # the logged-in admin must stay logged in for the others
    if route.endpoint.startswith("admin."):
        return site.admin
    if route.endpoint.startswith("comments"):
        return site.author
    return site.anonymous


def _budget(site: Site) -> None:
    assert site.requests < REQUEST_BUDGET, f"over the request budget: {site.requests}"


def _body_kwargs(site: Site, route: Route) -> dict[str, Any]:
    """A minimal body for state-changing routes, so that fuzzing reaches the handler."""
    if route.method == "GET":
        return {}
    headers = {"Origin": ORIGIN}
    if route.endpoint.startswith("admin."):
        return {"headers": headers, "data": {"csrf_token": site.admin_csrf}}
    if route.endpoint.startswith("comments_api."):
        return {"headers": headers, "json": {"text": "fuzz"}}
    return {"headers": headers, "data": {"text": "fuzz"}}


def test_every_route_with_odd_paths(site: Site) -> None:
    failures = Failures("odd paths")
    for route in _routes(site):
        client, body = _client(site, route), _body_kwargs(site, route)
        if route.rule.arguments:
            # The odd value in the route's own variables: the handler itself gets it.
            for value in [*ODD, LONG_SEGMENT]:
                failures.check(site, route.name, f"variable={value[:40]}", client,
                               _with_odd_variables(route.rule, value), route.method, **body)
        for sample in route.samples[:1]:
            for form_name, form in PATH_FORMS:
                for value in FEW:
                    failures.check(site, route.name, f"{form_name} {value}", client,
                                   form(sample).replace("{v}", value), route.method, **body)
            # Dots, doubled slashes and case inside the sample itself.
            for variant in (sample.replace("/", "//"), sample.replace("/", "/./"),
                            sample.replace("/", "/x/../"), sample.replace("/", "/%2e/"),
                            sample.upper(), sample + "?", sample + "#x", sample + ";x"):
                failures.check(site, route.name, variant[:60], client, variant, route.method,
                               **body)
    _budget(site)
    failures.assert_clean()


def test_every_route_with_odd_query_strings(site: Site) -> None:
    failures = Failures("odd query strings")
    for route in _routes(site):
        client, body = _client(site, route), _body_kwargs(site, route)
        params = ROUTE_PARAMS.get(route.endpoint, ())
        for sample in route.samples[: 2 if params else 1]:
            for name in params:
                for value in QUERY_VALUES:
                    failures.check(site, route.name, f"{sample} ?{name}={value[:40]}", client,
                                   f"{sample}?{name}={value}", route.method, **body)
                for raw in RAW_QUERIES:
                    raw = raw.replace("q=", f"{name}=", 1)
                    failures.check(site, route.name, f"{sample} raw ?{raw[:40]!r}", client,
                                   sample, route.method,
                                   environ_overrides={"QUERY_STRING": raw}, **body)
            for name in (*params, "x"):
                repeated = "&".join(f"{name}=/posts/{i}/" for i in range(1000))
                failures.check(site, route.name, f"{sample} ?{name}= x1000", client,
                               f"{sample}?{repeated}", route.method, **body)
            for value in [*FEW, LONG_VALUE]:
                failures.check(site, route.name, f"{sample} ?x={value[:40]}", client,
                               f"{sample}?x={value}&{value}={value}", route.method, **body)
            for raw in RAW_QUERIES[:4]:
                failures.check(site, route.name, f"{sample} raw ?{raw[:40]!r}", client, sample,
                               route.method, environ_overrides={"QUERY_STRING": raw}, **body)
    _budget(site)
    failures.assert_clean()


def test_raw_path_bytes(site: Site) -> None:
    failures = Failures("raw PATH_INFO bytes")
    for raw in RAW_PATHS:
        for client in (site.anonymous, site.author, site.admin):
            for method in ("GET", "POST"):
                failures.check(site, "PATH_INFO", f"{method} {raw[:60]!r}", client, "/", method,
                               environ_overrides={"PATH_INFO": raw, "REQUEST_URI": "/"})
    _budget(site)
    failures.assert_clean()


ODD_JSON_VALUES: list[object] = ["\ud800", "a\udfffb", "x" * 20000, "\x00", 10**30, -(10**30),
                                 1e308, -1, 0, True, None, [], {}, [1, [2, [3]]], "1e5", "²"]
BASE_JSON_BODIES: list[tuple[str, dict[str, Any]]] = [
    ("empty", {"data": b"", "content_type": "application/json"}),
    ("null", {"data": b"null", "content_type": "application/json"}),
    ("list", {"data": b"[]", "content_type": "application/json"}),
    ("string", {"data": b'"x"', "content_type": "application/json"}),
    ("broken", {"data": b'{"text": ', "content_type": "application/json"}),
    ("deep array", {"data": b"[" * 100000 + b"]" * 100000,
                    "content_type": "application/json"}),
    ("deep object", {"data": b'{"a":' * 50000 + b"1" + b"}" * 50000,
                     "content_type": "application/json"}),
    ("NaN", {"data": b'{"text": NaN, "parent_id": Infinity}',
             "content_type": "application/json"}),
    ("bytes", {"data": b'{"text": "\xff\xfe"}', "content_type": "application/json"}),
    ("utf-16", {"data": '{"text": "hello"}'.encode("utf-16"),
                "content_type": "application/json; charset=utf-16"}),
    ("latin-1 charset", {"data": b'{"text": "caf\xe9"}',
                         "content_type": "application/json; charset=latin-1"}),
    ("form", {"data": {"text": "hello"}}),
    ("multipart file", {"data": {"text": "hi", "f": (b"# md", "x.md")}}),
    ("text/plain", {"data": b'{"text": "hello"}', "content_type": "text/plain"}),
    ("bad content type", {"data": b"{}", "content_type": "application/json; ;;; =="}),
]
JSON_FIELDS = {  # the JSON keys each API route reads
    "comments_api.post_comment": ("text", "url", "parent_id", "author", "email", "website",
                                  "form_token", "notify", "homepage"),
    "comments_api.patch_comment": ("text",),
    "comments_api.preview": ("text",),
}
FORM_FIELDS = {  # the form fields each form route reads
    "comments.post_form": ("text", "url", "parent_id", "author", "email", "website",
                           "form_token", "notify", "homepage"),
    "comments.edit_form": ("text",),
    "comments.delete_form": (),
    "admin.login": ("password", "csrf_token"),
    "admin.logout": ("csrf_token",),
    "admin.bulk": ("ids", "action", "status", "csrf_token"),
    "admin.close_post": ("url", "closed", "csrf_token"),
}
ODD_FORM_VALUES = ["\x00", "%00", "99999999999999999999999", "-1", "²", "x" * 20000,
                   "javascript:alert(1)", "/" * 3000, "\ud800", " "]


def _json_bodies(site: Site, route: Route) -> list[tuple[str, dict[str, Any]]]:
    bodies = list(BASE_JSON_BODIES)
    token = site.anonymous.get(f"/api/comments?url={POST}").get_json()["form_token"]
    for key in JSON_FIELDS.get(route.endpoint, ()):
        for value in ODD_JSON_VALUES:
            payload = {"text": "Some text", "url": POST, "form_token": token, key: value}
            data = json.dumps(payload).encode()
            bodies.append((f"{key}={value!r:.30}", {"data": data,
                                                    "content_type": "application/json"}))
    return bodies


def _form_bodies(site: Site, route: Route) -> list[tuple[str, dict[str, Any]]]:
    token = site.anonymous.get(f"/api/comments?url={POST}").get_json()["form_token"]
    bodies: list[tuple[str, dict[str, Any]]] = [
        ("empty form", {"data": {}}),
        ("raw bytes", {"data": b"text=\xff\xfe&url=\xc0\xaf",
                       "content_type": "application/x-www-form-urlencoded"}),
        ("bad escapes", {"data": b"text=%zz%&url=%ff%00&=&&",
                         "content_type": "application/x-www-form-urlencoded"}),
        ("json to a form", {"json": {"text": "hi"}}),
        ("multipart", {"data": {"text": "hi", "f": (b"\xff" * 100, "x.bin")}}),
    ]
    for key in FORM_FIELDS.get(route.endpoint, ()):
        for value in ODD_FORM_VALUES:
            data = {"text": "Some text", "url": POST, "csrf_token": site.admin_csrf,
                    "form_token": token, key: value}
            bodies.append((f"{key}={value[:20]!r}", {"data": _urlencoded(data),
                           "content_type": "application/x-www-form-urlencoded"}))
    return bodies


def _urlencoded(data: dict[str, str]) -> bytes:
    """A form body; lone surrogates go out as their (invalid) UTF-8 bytes, as a raw client
    could send them (the test client would refuse to encode them)."""
    return "&".join(f"{k}={quote_from_bytes(v.encode('utf-8', 'surrogatepass'), safe='')}"
                    for k, v in data.items()).encode()


def _fresh(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Request arguments with file fields as new streams (a stream is read only once)."""
    data = kwargs.get("data")
    if isinstance(data, dict) and any(isinstance(v, tuple) for v in data.values()):
        data = {k: (io.BytesIO(v[0]), v[1]) if isinstance(v, tuple) else v
                for k, v in data.items()}
        return {**kwargs, "data": data}
    return kwargs


def test_odd_bodies_on_every_state_changing_route(site: Site) -> None:
    failures = Failures("odd bodies")
    for route in _routes(site):
        if route.method == "GET":
            continue
        client = _client(site, route)
        api = route.endpoint.startswith("comments_api.")
        bodies = _json_bodies(site, route) if api else _form_bodies(site, route)
        for label, kwargs in bodies:
            failures.check(site, route.name, label, client, route.samples[0], route.method,
                           headers={"Origin": ORIGIN}, **_fresh(kwargs))
    _budget(site)
    failures.assert_clean()


ODD_HEADERS: list[tuple[str, dict[str, str]]] = [
    ("garbage author cookie", {"Cookie": "comment_auth=" + "x" * 3000}),
    ("forged author cookie", {"Cookie": "comment_auth=WzEsMiwzXQ.forged"}),
    ("garbage session", {"Cookie": "session=" + "." * 100}),
    ("huge cookie", {"Cookie": "a=" + "b" * 60000}),
    ("bytes cookie", {"Cookie": "comment_auth=\xff\xfe; session=\xc0\xaf"}),
    ("If-None-Match *", {"If-None-Match": "*"}),
    ("If-None-Match junk", {"If-None-Match": '"' * 500 + "W/" * 100}),
    ("If-Modified-Since junk", {"If-Modified-Since": "Thu, 99 Foo 99999 99:99:99 GMT"}),
    ("If-Modified-Since far", {"If-Modified-Since": "Fri, 31 Dec 9999 23:59:59 GMT"}),
    ("Range past end", {"Range": "bytes=99999999-"}),
    ("Range nonsense", {"Range": "bytes=5-1,a-b,-0"}),
    ("Range many", {"Range": "bytes=" + ",".join(f"{i}-{i}" for i in range(2000))}),
    ("Accept-Encoding junk", {"Accept-Encoding": "gzip;q=NaN, *;q=-1, br;q=2"}),
    ("X-Forwarded-For junk", {"X-Forwarded-For": "\xff, 999.1.1.1, ::::"}),
    ("X-Request-ID junk", {"X-Request-ID": "\x00\xff" * 40}),
    ("Origin junk", {"Origin": "http://[::1"}),
    ("Origin null", {"Origin": "null"}),
    ("Host junk", {"Host": "\xff:99999"}),
    ("Content-Length junk", {"Content-Length": "abc"}),
    ("Accept junk", {"Accept": "*/*;q=x, text/html;;;"}),
]


def test_odd_headers(site: Site) -> None:
    failures = Failures("odd headers")
    for route in _routes(site):
        client = _client(site, route)
        for label, extra in ODD_HEADERS:
            kwargs: dict[str, Any] = {"headers": extra}
            if route.method != "GET":
                kwargs["data"] = b"text=hi"
                kwargs["content_type"] = "application/x-www-form-urlencoded"
            failures.check(site, route.name, label, client, route.samples[-1], route.method,
                           **kwargs)
    _budget(site)
    failures.assert_clean()


# -- bodies over the limits ------------------------------------------------------------------

MIB = 1024 * 1024
KIB64 = 64 * 1024
BIG_FORM = {"text": "x" * (MIB + 10), "url": POST}
FORM_64K = {"text": "x" * (KIB64 + 10), "url": POST}
BIG_JSON = json.dumps({"text": "x" * (MIB + 10), "url": POST}).encode()
JSON_64K = json.dumps({"text": "x" * (KIB64 + 10), "url": POST}).encode()
OVERSIZED = [  # label, who, method, path ({id}: a comment the author may edit), body
    ("form > 1 MiB", "author", "POST", "/comments", {"data": BIG_FORM}),
    ("form > 64 KiB", "author", "POST", "/comments", {"data": FORM_64K}),
    ("API > 1 MiB", "author", "POST", "/api/comments",
     {"data": BIG_JSON, "content_type": "application/json"}),
    ("API > 64 KiB", "author", "POST", "/api/comments",
     {"data": JSON_64K, "content_type": "application/json"}),
    ("preview > 64 KiB", "author", "POST", "/api/comments/preview",
     {"data": JSON_64K, "content_type": "application/json"}),
    ("PATCH > 64 KiB", "author", "PATCH", "/api/comments/{id}",
     {"data": JSON_64K, "content_type": "application/json"}),
    ("edit form > 64 KiB", "author", "POST", "/comments/{id}/edit", {"data": FORM_64K}),
    ("delete form > 1 MiB", "author", "POST", "/comments/{id}/delete", {"data": BIG_FORM}),
    ("admin login > 1 MiB", "anonymous", "POST", "/admin/login", {"data": BIG_FORM}),
    ("admin bulk > 1 MiB", "admin", "POST", "/admin/comments", {"data": BIG_FORM}),
    ("admin close > 1 MiB", "admin", "POST", "/admin/posts/close", {"data": BIG_FORM}),
    ("multipart > 1 MiB", "author", "POST", "/comments", {"multipart": MIB + 10}),
]


def _fresh_author(site: Site) -> tuple[FlaskClient, int]:
    """A new browser that has just posted a comment it may still edit."""
    client = site.app.test_client()
    token = client.get(f"/api/comments?url={POST}").get_json()["form_token"]
    posted = client.post("/api/comments", json={"url": POST, "form_token": token,
                                                "text": f"Fresh {time.monotonic_ns()}"})
    assert posted.status_code == 201, posted.data
    return client, posted.get_json()["comment"]["id"]


def _fresh_admin(site: Site) -> tuple[FlaskClient, str]:
    client = log_in_admin(site.app)
    return client, csrf_token(client, "/admin/")


def _label(case: Any) -> str:
    return (case.values[0] if hasattr(case, "values") else case)[0]


@pytest.mark.parametrize("case", OVERSIZED, ids=[_label(c) for c in OVERSIZED])
def test_bodies_over_the_limit_get_413(site: Site, case: tuple) -> None:
    label, who, method, path, body = case
    kwargs = dict(body)
    if who == "admin":
        client, csrf = _fresh_admin(site)
        kwargs["data"] = {**kwargs["data"], "csrf_token": csrf}
    elif who == "author":
        client, comment_id = _fresh_author(site)
        path = path.replace("{id}", str(comment_id))
    else:
        client = site.app.test_client()
    if "multipart" in kwargs:
        # Encoded here, in memory: the test client would spool a body this size to a
        # temporary file that nothing closes once the app has refused it.
        upload = FileStorage(io.BytesIO(b"x" * kwargs.pop("multipart")), "f.bin")
        boundary, encoded = encode_multipart({"url": POST, "f": upload})
        kwargs = {"data": encoded, "content_type": f"multipart/form-data; boundary={boundary}"}
    response = client.open(path, method=method, headers={"Origin": ORIGIN}, **kwargs)
    problems = [] if response.status_code == 413 else [f"answered {response.status_code}"]
    TALLY.record("bodies over the limit", label, problems)
    assert response.status_code == 413, (label, response.status_code, response.data[:200])
    if path.startswith("/api/"):
        assert response.get_json()["code"] == "too_large"


CHUNKED = [
    ("chunked form > 1 MiB", "/comments", MIB + 10),
    ("chunked API > 1 MiB", "/api/comments", MIB + 10),
    ("chunked API > 64 KiB", "/api/comments", KIB64 + 10),
    ("chunked form > 64 KiB", "/comments", KIB64 + 10),
]
@pytest.mark.parametrize(("label", "path", "size"), CHUNKED, ids=[c[0] for c in CHUNKED])
def test_chunked_bodies_over_the_limit_get_413(site: Site, label: str, path: str,
                                               size: int) -> None:
    if path.startswith("/api/"):
        body = json.dumps({"text": "x" * size, "url": POST}).encode()
        content_type = "application/json"
    else:
        body = b"url=" + POST.encode() + b"&text=" + b"x" * size
        content_type = "application/x-www-form-urlencoded"
    # What gunicorn hands over for `Transfer-Encoding: chunked`: no CONTENT_LENGTH at all.
    environ = EnvironBuilder(path=path, method="POST", input_stream=io.BytesIO(body),
                             content_type=content_type, headers={"Origin": ORIGIN},
                             base_url="http://localhost").get_environ()
    environ.pop("CONTENT_LENGTH", None)
    environ["wsgi.input_terminated"] = True
    app_iter, status, _headers = run_wsgi_app(site.app, environ)
    b"".join(app_iter)
    code = int(status.split()[0])
    TALLY.record("bodies over the limit", label, [] if code == 413 else [f"answered {code}"])
    assert code == 413, (label, status)


# -- edge cases that once answered 500, one request each -------------------------------------


def _outcome(client: FlaskClient, path: str, method: str = "GET", **kwargs: Any) -> str:
    try:
        return str(client.open(path, method=method, **kwargs).status_code)
    except Exception as exc:
        return f"raised {type(exc).__name__}: {exc}"


@pytest.mark.parametrize("path", ["/api/comments", "/api/comments/counts", "/search",
                                  "/search.json", "/static/css/site.css", IMAGE])
def test_raw_non_utf8_query_bytes_are_a_client_error(site: Site, path: str) -> None:
    outcome = _outcome(site.anonymous, path,
                       environ_overrides={"QUERY_STRING": "url=\xff&q=\xff&w=\xff&v=\xff"})
    assert outcome.isdigit() and int(outcome) < 500, outcome


@pytest.mark.parametrize(("method", "path", "body"), [
    ("POST", "/api/comments/preview", {"text": "a\udfffb"}),
    ("POST", "/api/comments", {"text": "hello \ud800", "url": POST}),
    ("POST", "/api/comments", {"text": "hello", "author": "\ud800x", "url": POST}),
])
def test_json_lone_surrogates_are_refused(site: Site, method: str, path: str,
                                       body: dict[str, str]) -> None:
    client, _ = _fresh_author(site)
    token = client.get(f"/api/comments?url={POST}").get_json()["form_token"]
    outcome = _outcome(client, path, method, data=json.dumps({**body, "form_token": token}),
                       content_type="application/json")
    assert outcome in ("400", "200"), outcome


@pytest.mark.parametrize("path", ["/comments", "/admin/login"])
def test_unparsable_origin_is_refused(site: Site, path: str) -> None:
    for header in ("Origin", "Referer"):
        outcome = _outcome(site.app.test_client(), path, "POST", data={"text": "hi"},
                           headers={header: "http://[::1"})
        assert outcome == "403", (header, outcome)


def test_fuzzing_stayed_within_its_budget(site: Site) -> None:
    """A few thousand requests; about 35 s on an idle two-core machine (the hard cap is for
    runaways, not for a busy CI box)."""
    elapsed = time.monotonic() - site.started
    TALLY.notes.append(f"{site.requests} requests in {elapsed:.0f} s "
                       f"(target {SECONDS_BUDGET:.0f} s on an idle machine)")
    assert site.requests < REQUEST_BUDGET
    assert elapsed < SECONDS_BUDGET * 5, f"{site.requests} requests took {elapsed:.0f} s"
