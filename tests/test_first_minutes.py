"""The README's first minutes, as a new user lives them: a fresh clone (no instance/), the
set-up of `scripts/serve`, then every command of the README's "First minutes" exactly as
written, with nothing exported: no SECRET_KEY, no DATABASE_URL, no FLASK_APP.

The clone is a copy of the repository's tracked files; its `.venv` points at the running
virtualenv (a new one would be installed from the network), marked as installed for the
requirements as `scripts/_env.sh` marks it, and it gets a copy of `static/vendor/` (what
`scripts/vendor` fetched with npm) when there is one.
"""

from __future__ import annotations

import hashlib
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

SERVER_DB = "postgresql+psycopg://nobody@127.0.0.1:1/none"
PASSWORD = "a long admin password"
APP_COMMANDS = ("admin", "comments", "content", "db", "site")

# Run inside the clone by its own Python: what a reader and a browser do there.
HELPER = r'''
import re, sys, time
sys.path.insert(0, ".")
from app import create_app
from werkzeug.security import check_password_hash

app = create_app()
client = app.test_client()
action = sys.argv[1]
if action == "get":
    response = client.get(sys.argv[2])
    print(response.status_code)
    print(response.get_data(as_text=True))
elif action == "comment":
    page = client.get(sys.argv[2]).get_data(as_text=True)
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    time.sleep(app.config["COMMENTS_MIN_FILL_SECONDS"] + 0.2)  # a person types
    response = client.post("/comments", headers={"Origin": "http://localhost"}, data={
        "url": sys.argv[2], "parent_id": "", "form_token": token, "homepage": "",
        "text": sys.argv[3], "author": "Reader"})
    print(response.status_code)
elif action == "password":
    print(check_password_hash(app.config["ADMIN_PASSWORD_HASH"], sys.argv[2]))
'''


def _first_minutes() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text.split("## First minutes", 1)[1].split("\n## ", 1)[0]


def _commands(section: str) -> list[str]:
    """Every line of the section's sh blocks, in order, comments dropped."""
    out = []
    for block in re.findall(r"```sh\n(.*?)```", section, re.DOTALL):
        for line in block.splitlines():
            line = line.split("  #", 1)[0].strip()
            if line:
                out.append(line)
    return out


def _post(section: str) -> tuple[str, str]:
    """The post the README says to write: its path and its text."""
    path = re.search(r"save this as `([^`]+)`", section).group(1)
    block = re.search(r"```markdown\n(.*?)```", section, re.DOTALL).group(1)
    lines = block.splitlines()
    indent = min(len(x) - len(x.lstrip()) for x in lines if x.strip())
    return path, "\n".join(x[indent:] for x in lines) + "\n"


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """A fresh clone's state: the tracked files, a .venv, no instance/."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                            check=True).stdout.decode().split("\0")
    target = tmp_path / "blog"
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file() and not source.is_symlink():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).write_bytes(source.read_bytes())
            (target / name).chmod(source.stat().st_mode)
    venv = target / ".venv"
    venv.mkdir()
    for entry in Path(sys.prefix).iterdir():
        if not entry.name.startswith("."):
            (venv / entry.name).symlink_to(entry)
    requirements = (target / "requirements.txt").read_bytes()
    stamp = hashlib.sha256(requirements + requirements).hexdigest()[:16]
    (venv / f".installed-{stamp}").touch()
    vendor = ROOT / "static" / "vendor"  # scripts/vendor's libraries, like .venv fetched once
    if vendor.is_dir():
        shutil.copytree(vendor, target / "static" / "vendor")
    assert not (target / "instance").exists()
    return target


def _env(home: Path, **extra: str) -> dict[str, str]:
    """Nothing the user would have had to export: a login shell's bare environment."""
    return {"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8",
            **extra}


def _run(clone: Path, line: str, stdin: str = "", **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(shlex.split(line), cwd=clone, env=_env(clone.parent, **extra),
                          input=stdin, capture_output=True, text=True, timeout=300)


def test_help_lists_every_command_and_a_bad_key_is_one_line(clone: Path) -> None:
    # A server database and no key: none is made up; every command is listed all the same.
    shown = _run(clone, ".venv/bin/flask --app wsgi --help", DATABASE_URL=SERVER_DB)
    assert shown.returncode == 0, shown.stderr
    listed = shown.stdout.split("Commands:", 1)[1].split()
    assert set(APP_COMMANDS) <= set(listed), shown.stdout
    assert "Traceback" not in shown.stderr
    for line in (".venv/bin/flask --app wsgi content import",
                 ".venv/bin/flask --app wsgi db upgrade"):
        refused = _run(clone, line, DATABASE_URL=SERVER_DB)
        assert refused.returncode == 1
        assert refused.stderr.strip().splitlines() == [
            "Error: SECRET_KEY is not set and "
            f"{clone / 'instance' / 'secret_key'} holds no key; with a server database every "
            "host must use the same key: set SECRET_KEY (or write that file) to the output of "
            "python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"]
    assert not (clone / "instance" / "secret_key").exists()
    weak = _run(clone, ".venv/bin/flask --app wsgi comments list", SECRET_KEY="changeme")
    assert weak.returncode == 1 and len(weak.stderr.strip().splitlines()) == 1
    assert weak.stderr.startswith("Error: SECRET_KEY is too weak")
    assert "unset it to use" in weak.stderr


def test_the_readme_first_minutes_work_as_written(clone: Path) -> None:
    section = _first_minutes()
    commands = _commands(section)
    assert commands[0] == "scripts/serve"
    setup = _run(clone, "scripts/serve --setup-only")  # its set-up; the server is not started
    assert setup.returncode == 0, setup.stdout + setup.stderr
    assert "1 added" in setup.stdout
    key_file = clone / "instance" / "secret_key"
    assert key_file.stat().st_mode & 0o777 == 0o600

    path, text = _post(section)
    (clone / path).parent.mkdir(parents=True, exist_ok=True)
    (clone / path).write_text(text, encoding="utf-8")
    helper = clone.parent / "helper.py"
    helper.write_text(HELPER, encoding="utf-8")
    url = "/" + path.removeprefix("content/").removesuffix("index.md")

    def browse(*args: str) -> list[str]:
        done = _run(clone, shlex.join([".venv/bin/python", str(helper), *args]))
        assert done.returncode == 0, done.stderr
        return done.stdout.splitlines()

    commented = False
    for line in commands[1:]:
        assert line.startswith(".venv/bin/flask --app wsgi "), line
        if " comments " in line and not commented:  # a reader writes a comment first
            assert browse("comment", url, "What a first post!")[-1] == "303"
            commented = True
        stdin = f"{PASSWORD}\n{PASSWORD}\n" if "set-password" in line else ""
        done = _run(clone, line, stdin)
        assert done.returncode == 0, f"{line}\n{done.stdout}\n{done.stderr}"
        assert "Traceback" not in done.stderr
        if line.endswith("content import"):
            assert done.stdout.startswith(f"Content folder {clone / 'content'}")
            assert "1 added, 0 updated, 1 unchanged, 0 removed" in done.stdout
            page = browse("get", url)
            assert page[0] == "200" and "My first post." in "\n".join(page)
        elif line.endswith("comments list"):
            assert re.search(r"^1\tpending\t.*\tReader\tWhat a first post!$", done.stdout,
                             re.MULTILINE), done.stdout
        elif line.endswith("comments approve 1"):
            assert "What a first post!" in "\n".join(browse("get", url))
        elif "set-password" in line:
            assert "ADMIN_PASSWORD_HASH=" in (clone / "instance" / "settings.env").read_text()
            assert browse("password", PASSWORD) == ["True"]  # what the restarted server reads
        elif " site backup " in line:
            backup = clone / line.rsplit(" ", 1)[1]
            with sqlite3.connect(backup) as conn:
                urls = {row[0] for row in conn.execute("SELECT url_path FROM pages")}
            assert url in urls
    assert commented and any("site backup" in line for line in commands)
    # With the key on file, `flask --help` lists the app's commands, nothing exported.
    shown = _run(clone, ".venv/bin/flask --app wsgi --help")
    assert set(APP_COMMANDS) <= set(shown.stdout.split("Commands:", 1)[1].split())
