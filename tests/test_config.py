"""Configuration from the environment: the two editions and their keys."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from jobsmgmt.config import ConfigError, load_settings, normalise_database_url

VARIABLES = (
    "DATABASE_URL",
    "REDIS_URL",
    "SECRET_KEY",
    "AUDIT_KEY",
    "JOBSMGMT_DATA_DIR",
    "PORTAL_SANDBOX",
    "SESSION_COOKIE_SECURE",
)


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("JOBSMGMT_DATA_DIR", str(tmp_path / "data"))
    return monkeypatch


def test_heroku_postgres_url_is_accepted():
    assert normalise_database_url("postgres://u:p@h:5432/d") == "postgresql+psycopg://u:p@h:5432/d"
    assert normalise_database_url("postgresql://h/d") == "postgresql+psycopg://h/d"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_desktop_defaults(clean_env, tmp_path):
    settings = load_settings()
    data = tmp_path / "data"
    assert settings.edition == "desktop"
    assert settings.database_url == f"sqlite:///{data / 'jobsmgmt.db'}"
    assert settings.redis_url is None and settings.portal_sandbox is True
    assert settings.session_cookie_secure is False
    stored = json.loads((data / "secrets.json").read_text())
    assert settings.secret_key == stored["SECRET_KEY"] and len(settings.secret_key) == 64
    assert settings.audit_key == stored["AUDIT_KEY"] != settings.secret_key
    assert stat.S_IMODE((data / "secrets.json").stat().st_mode) == 0o600
    again = load_settings()  # generated once, kept
    assert (again.secret_key, again.audit_key) == (settings.secret_key, settings.audit_key)


def test_hosted_requires_keys(clean_env):
    clean_env.setenv("DATABASE_URL", "postgres://db.example/app")
    with pytest.raises(ConfigError, match="SECRET_KEY and AUDIT_KEY"):
        load_settings()
    clean_env.setenv("SECRET_KEY", "s" * 32)
    with pytest.raises(ConfigError, match="AUDIT_KEY"):
        load_settings()
    clean_env.setenv("AUDIT_KEY", "a" * 32)
    clean_env.setenv("REDIS_URL", "redis://cache:6379/0")
    settings = load_settings()
    assert settings.edition == "hosted"
    assert settings.database_url == "postgresql+psycopg://db.example/app"
    assert settings.session_cookie_secure is True and settings.portal_sandbox is False
    assert settings.redis_url == "redis://cache:6379/0"


def test_hosted_cli_refuses_to_start_without_keys(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in VARIABLES}
    env["DATABASE_URL"] = "postgres://db.example/app"
    jobsmgmt = Path(sys.executable).with_name("jobsmgmt")
    result = subprocess.run(
        [str(jobsmgmt), "users", "list"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY and AUDIT_KEY" in result.stderr
