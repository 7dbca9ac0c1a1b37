"""instance/settings.env: settings kept on the machine, read by the server and the CLI alike;
the environment wins over it."""

from __future__ import annotations

from pathlib import Path

import pytest
from werkzeug.security import check_password_hash

from app import create_app
from app.config import save_setting

KEY = "settings-file-test-key-" + "0123456789abcdef" * 3


def test_the_file_fills_what_the_environment_leaves_unset(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SITE_TITLE", raising=False)
    monkeypatch.setenv("SITE_DESCRIPTION", "From the environment")
    (tmp_path / "settings.env").write_text(
        "# machine settings\nSITE_TITLE='From the file'\nSITE_DESCRIPTION=From the file\n"
        "PAGE_SIZE=3\nADMIN_PASSWORD_HASH='scrypt:32768:8:1$salt$abc'\n", encoding="utf-8")
    app = create_app({"TESTING": True, "SECRET_KEY": KEY}, instance_path=tmp_path)
    assert app.config["SITE_TITLE"] == "From the file"
    assert app.config["SITE_DESCRIPTION"] == "From the environment"
    assert app.config["PAGE_SIZE"] == 3
    assert app.config["ADMIN_PASSWORD_HASH"] == "scrypt:32768:8:1$salt$abc"  # '$' kept


def test_saved_password_hash_is_read_back(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ADMIN_PASSWORD_HASH", raising=False)
    from werkzeug.security import generate_password_hash

    path = save_setting(tmp_path, "ADMIN_PASSWORD_HASH", generate_password_hash("s3cret pass"))
    save_setting(tmp_path, "SITE_TITLE", "It's mine")  # a quote inside survives
    assert path.stat().st_mode & 0o777 == 0o600
    app = create_app({"TESTING": True, "SECRET_KEY": KEY}, instance_path=tmp_path)
    assert check_password_hash(app.config["ADMIN_PASSWORD_HASH"], "s3cret pass")
    assert app.config["SITE_TITLE"] == "It's mine"


def test_a_bad_number_in_the_file_names_the_setting(tmp_path: Path) -> None:
    from app.config import ConfigError

    (tmp_path / "settings.env").write_text("PAGE_SIZE=ten\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="PAGE_SIZE must be a whole number, got 'ten'"):
        create_app({"TESTING": True, "SECRET_KEY": KEY}, instance_path=tmp_path)
