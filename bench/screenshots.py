"""Full-page screenshots of the site as a reader sees it, to look at the design.

    .venv/bin/python bench/screenshots.py OUT_DIR [--site DIR] [--config FILE]
        [--scheme NAME ...] [--url NAME=PATH ...] [--viewport desktop|phone ...]
        [--appearance light|dark ...]

A temporary copy of the site (`--site`, default the seed site `content/`: a Hugo site root or
a bare content folder) is imported into a fresh SQLite database and served by gunicorn with
gunicorn.conf.py on 127.0.0.1. `--config` is a hugo.toml/yaml/json that replaces the site's
own configuration; each `--scheme` sets its params.colorScheme (the site is imported again for
each, so one server serves them all in turn). Debian's chromium (Playwright,
executable_path=/usr/bin/chromium; no browser is downloaded) opens every URL at desktop
(1280x800) and phone (390x844) widths, with the system's light and dark colour schemes
emulated, and writes OUT_DIR/<scheme>-<name>-<viewport>-<appearance>.png. Every request to
another host is refused. Without --url: home (/), a list (/posts/) and the seed post.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.content.site_config import config_files, read_raw  # noqa: E402
from bench.servers import VENV_BIN, free_port, wait_http  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
DEFAULT_URLS = {"home": "/", "list": "/posts/", "post": "/posts/the-rise-of-ai-generated-images/"}
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]


def _env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "FLASK_DEBUG"}
    env.update({"SECRET_KEY": "screenshots-" + "s" * 40, "FLASK_APP": "wsgi",
                "DATABASE_URL": f"sqlite:///{tmp / 'blog.sqlite3'}", "PYTHONUNBUFFERED": "1"})
    return env


def _run(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=300, check=False)
    if result.returncode != 0:
        raise SystemExit(f"`{' '.join(args)}` exited {result.returncode}\n{result.stdout}"
                         f"\n{result.stderr}")


def copy_site(source: Path, dest: Path) -> None:
    """`source` (a site root, or a bare content folder) as a site root at `dest`."""
    if config_files(source) or (source / "content").is_dir():
        shutil.copytree(source, dest)
    else:
        shutil.copytree(source, dest / "content")


def write_config(site: Path, base: dict[str, Any], scheme: str | None) -> None:
    """Replace the copy's configuration by `base` (plus params.colorScheme) as hugo.json."""
    for path in config_files(site):
        path.unlink()
    config = json.loads(json.dumps(base))
    if scheme is not None:
        config.setdefault("params", {})["colorscheme"] = scheme
    (site / "hugo.json").write_text(json.dumps(config, indent=1))


def load_config(path: Path) -> dict[str, Any]:
    """A hugo.toml/yaml/json file's content (keys lower-cased, as the importer reads it)."""
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copy(path, Path(tmp) / ("hugo" + path.suffix))
        data, _ = read_raw(Path(tmp))
    return data


def shoot(base_url: str, out: Path, prefix: str, urls: dict[str, str], viewports: list[str],
          appearances: list[str]) -> list[Path]:
    """Full-page PNGs of every URL at every viewport and appearance."""
    from playwright.sync_api import sync_playwright

    written: list[Path] = []
    local = urlsplit(base_url).netloc
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS, headless=True)
        try:
            for viewport in viewports:
                for appearance in appearances:
                    context = browser.new_context(
                        viewport=VIEWPORTS[viewport], color_scheme=appearance,  # type: ignore[arg-type]
                        is_mobile=viewport == "phone", has_touch=viewport == "phone",
                        device_scale_factor=1, reduced_motion="reduce")  # no autoplay
                    context.route("**/*", lambda r: r.continue_()
                                  if urlsplit(r.request.url).netloc in ("", local)
                                  else r.abort())
                    page = context.new_page()
                    for name, path in urls.items():
                        page.goto(base_url + path, wait_until="networkidle")
                        # A full-page shot shows what is below the fold: scroll through
                        # it so lazy images load and are decoded, then back to the top.
                        page.evaluate("""async () => {
                            const pause = ms => new Promise(r => setTimeout(r, ms));
                            for (let y = 0; y < document.body.scrollHeight; y += innerHeight) {
                                scrollTo(0, y);
                                await pause(100);
                            }
                            scrollTo(0, 0);
                            // (an image never shown, in a hidden slide, never decodes)
                            await Promise.race([pause(3000), Promise.all([...document.images]
                                .map(img => img.decode().catch(() => null)))]);
                        }""")
                        page.wait_for_load_state("networkidle")
                        target = out / f"{prefix}-{name}-{viewport}-{appearance}.png"
                        page.screenshot(path=str(target), full_page=True)
                        written.append(target)
                    context.close()
        finally:
            browser.close()
    return written


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)  # so that `finally` stops the server


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="folder for the PNGs (created)")
    parser.add_argument("--site", type=Path, default=ROOT / "content",
                        help="a Hugo site root or content folder (default: content/)")
    parser.add_argument("--config", type=Path, help="a hugo.toml/yaml/json replacing the site's")
    parser.add_argument("--scheme", action="append", default=[],
                        help="params.colorScheme to shoot (repeatable; default: the site's)")
    parser.add_argument("--url", action="append", default=[], metavar="NAME=PATH",
                        help="a page to shoot (repeatable; default: home, a list, the post)")
    parser.add_argument("--viewport", action="append", choices=list(VIEWPORTS), default=[])
    parser.add_argument("--appearance", action="append", choices=["light", "dark"], default=[])
    args = parser.parse_args(argv)
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install -y chromium")
    urls = dict(item.split("=", 1) for item in args.url) if args.url else DEFAULT_URLS
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="screenshots-") as name:
        tmp = Path(name)
        site = tmp / "site"
        copy_site(args.site.resolve(), site)
        base = load_config(args.config) if args.config else read_raw(site)[0]
        env = _env(tmp)
        _run([str(VENV_BIN / "flask"), "db", "upgrade"], env)
        port = free_port()
        log = (tmp / "gunicorn.log").open("wb")
        server = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT,
            env={**env, "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "2"},
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            for scheme in args.scheme or [None]:
                if scheme is not None or args.config:
                    write_config(site, base, scheme)
                _run([str(VENV_BIN / "flask"), "content", "import", str(site)], env)
                wait_http(f"http://127.0.0.1:{port}/", timeout=30)
                for path in shoot(f"http://127.0.0.1:{port}", args.out, scheme or "site", urls,
                                  args.viewport or list(VIEWPORTS),
                                  args.appearance or ["light", "dark"]):
                    print(path)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=15)
            log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
