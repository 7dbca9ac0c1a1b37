"""What every response carries: security headers, a request id, a log line; /healthz."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from flask.testing import FlaskClient, FlaskCliRunner

from tests.conftest import make_app

POST = "/posts/the-rise-of-ai-generated-images/"


@pytest.fixture
def seeded(runner: FlaskCliRunner, seed_dir: Path) -> None:
    assert runner.invoke(args=["content", "import", str(seed_dir)]).exit_code == 0


@pytest.mark.parametrize("url", ["/", POST, "/tags/", "/nope/", "/api/comments?url=/x/",
                                 "/healthz", POST + "gallery/midjourney.png"])
def test_security_headers_on_every_response(seeded: None, client: FlaskClient, url: str) -> None:
    response = client.get(url)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(
        ";")[0]
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert len(response.headers["X-Request-ID"]) >= 16


def test_pages_have_no_inline_scripts(seeded: None, client: FlaskClient) -> None:
    html = client.get(POST).get_data(as_text=True)
    assert "<script>" not in html and "<script " in html
    assert all('src="' in tag for tag in html.split("<script")[1:])


def test_hsts_only_over_https(seeded: None, client: FlaskClient) -> None:
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_a_sane_request_id_from_the_proxy_is_kept(client: FlaskClient) -> None:
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers[
        "X-Request-ID"] == "abc-123"
    for bad in ("<script>alert(1)</script>", "z" * 100, "a b"):
        assert client.get("/healthz", headers={"X-Request-ID": bad}).headers[
            "X-Request-ID"] != bad


def test_one_json_log_line_per_request(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    app = make_app(tmp_path, LOG_REQUESTS=True)
    logger = logging.getLogger("blog.request")
    logger.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.INFO, logger="blog.request"):
            response = app.test_client().get("/nope/?q=1")
    finally:
        logger.removeHandler(caplog.handler)
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "blog.request"]
    assert len(lines) == 1
    line = lines[0]
    assert (line["method"], line["path"], line["status"]) == ("GET", "/nope/", 404)
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert line["ms"] >= 0


def test_healthz_checks_database_and_cache(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["checks"] == {"database": "ok", "cache": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_reports_a_broken_database(tmp_path: Path) -> None:
    from app.extensions import db

    broken = make_app(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/gone.db")
    with broken.app_context():
        db.engine.dispose()
    (tmp_path / "gone.db").unlink()
    (tmp_path / "gone.db").mkdir()  # a directory where the database file was: unopenable
    response = broken.test_client().get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"].startswith("error")
    assert body["checks"]["cache"] == "ok"


def test_static_assets_have_content_hashed_immutable_urls(seeded: None,
                                                          client: FlaskClient) -> None:
    from tests.html import soup

    page = soup(client.get(POST).data)
    urls = [tag.get("href") or tag.get("src") for tag in
            page.select('link[rel="stylesheet"], script[src]')]
    assert urls and all("?v=" in url for url in urls)
    for url in urls:
        with client.get(url) as response:  # closed: a file is streamed
            assert response.status_code == 200
            assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    with client.get(urls[0].split("?")[0] + "?v=0000000000") as stale:
        assert "immutable" not in stale.headers["Cache-Control"]


def test_text_assets_are_gzipped_for_clients_that_accept_it(seeded: None,
                                                            client: FlaskClient) -> None:
    import gzip

    from tests.html import soup

    page = soup(client.get(POST).data)
    css = page.select_one('link[rel="stylesheet"][href*="site.css"]')["href"]
    on_disk = (Path(__file__).resolve().parent.parent / "static/css/site.css").read_bytes()
    with client.get(css, headers={"Accept-Encoding": "gzip, br"}) as packed:
        assert packed.status_code == 200 and packed.headers["Content-Encoding"] == "gzip"
        assert "Accept-Encoding" in packed.headers["Vary"]
        assert packed.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert gzip.decompress(packed.get_data()) == on_disk
        assert int(packed.headers["Content-Length"]) < len(on_disk) / 3
    with client.get(css) as plain:  # no Accept-Encoding: the file as it is
        assert "Content-Encoding" not in plain.headers and plain.get_data() == on_disk
    with client.get(css, headers={"Accept-Encoding": "gzip;q=0"}) as refused:
        assert "Content-Encoding" not in refused.headers
    with client.get("/static/favicon.svg", headers={"Accept-Encoding": "gzip"}) as svg:
        assert svg.headers["Content-Encoding"] == "gzip"


def test_pages_are_revalidated_and_answer_304(seeded: None, client: FlaskClient) -> None:
    first = client.get(POST)
    assert "s-maxage=" in first.headers["Cache-Control"]
    assert first.headers["Last-Modified"]
    again = client.get(POST, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    since = client.get("/", headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code in (200, 304)


def test_pages_are_gzipped_when_asked(seeded: None, client: FlaskClient) -> None:
    import gzip

    plain = client.get(POST).data
    packed = client.get(POST, headers={"Accept-Encoding": "gzip, br"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert len(packed.data) < len(plain) / 2
    unpacked = gzip.decompress(packed.data)
    # The form token differs per response; everything else is the same page.
    assert unpacked.split(b'name="form_token"')[0] == plain.split(b'name="form_token"')[0]


def test_server_errors_get_the_site_design_and_a_reference(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom-for-test")
    def boom() -> str:
        raise RuntimeError("boom")

    response = app.test_client().get("/boom-for-test")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Something went wrong" in body and 'class="site-header"' in body
    assert response.headers["X-Request-ID"] in body
    assert "RuntimeError" not in body and "Traceback" not in body
