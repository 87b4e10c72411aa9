"""The command line as an agency meets it: ``--version`` names the app and edition, help writes
nothing, commands on a new data directory migrate it first (the hosted edition says to run
``db upgrade``), and files are owner-readable only."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import uuid
from importlib.metadata import version
from pathlib import Path

from sqlalchemy import create_engine, text

from tests.conftest import _admin_url, unavailable

JOBSMGMT = Path(sys.executable).with_name("jobsmgmt")
APP_VARIABLES = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "AUDIT_KEY", "BULK_JOB_DELAY_MS")


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in APP_VARIABLES}
    env.update({k: str(v) for k, v in extra.items()})
    return env


def _run(args, env, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(JOBSMGMT), *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_version_names_the_app_and_its_edition(tmp_path):
    data_dir = tmp_path / "never-created"
    desktop = _run(["--version"], _env(JOBSMGMT_DATA_DIR=data_dir))
    assert desktop.returncode == 0
    assert desktop.stdout.strip() == f"jobsmgmt {version('jobsmgmt')} (desktop edition)"
    assert re.fullmatch(r"jobsmgmt \d+\.\d+\.\d+ \(desktop edition\)", desktop.stdout.strip())
    hosted = _run(["--version"], _env(DATABASE_URL="postgres://x@127.0.0.1/none"))
    assert hosted.stdout.strip() == f"jobsmgmt {version('jobsmgmt')} (hosted edition)"
    assert not data_dir.exists()


def test_help_writes_nothing(tmp_path):
    data_dir = tmp_path / "never-created"
    env = _env(JOBSMGMT_DATA_DIR=data_dir)
    for args in (["--help"], ["users", "--help"], ["serve", "--help"], ["db", "--help"]):
        result = _run(args, env)
        assert result.returncode == 0, result.stderr
        assert "Usage: jobsmgmt" in result.stdout
    assert "restore" in _run(["--help"], env).stdout
    assert "--no-demo" in _run(["serve", "--help"], env).stdout
    assert not data_dir.exists()  # no directory, no secrets.json


def test_users_create_on_a_new_data_directory_migrates_it_first(tmp_path):
    data_dir = tmp_path / "data"
    env = _env(JOBSMGMT_DATA_DIR=data_dir)
    created = _run(
        [
            "users",
            "create",
            "ada@agency.test",
            "--name",
            "Ada",
            "--role",
            "admin",
            "--password-stdin",
        ],
        env,
        stdin="correct-horse-battery\n",
    )
    assert created.returncode == 0, created.stderr
    assert "Created admin ada@agency.test" in created.stdout
    assert "Database migrated to" in created.stderr
    listed = _run(["users", "list"], env)
    assert listed.returncode == 0 and "ada@agency.test" in listed.stdout
    assert "migrated" not in listed.stderr  # once only
    for name in ("jobsmgmt.db", "secrets.json"):
        assert stat.S_IMODE((data_dir / name).stat().st_mode) == 0o600, name
    assert not (data_dir / "backups").exists()  # a new database needs no backup
    assert "Database migrated from empty" in (data_dir / "logs" / "jobsmgmt.log").read_text()


def test_hosted_commands_say_that_the_database_needs_db_upgrade():
    try:
        admin = create_engine(_admin_url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001
        unavailable(f"PostgreSQL not reachable: {error.__class__.__name__}")
        return
    name = f"jobsmgmt_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = re.sub(r"/[^/]*$", f"/{name}", _admin_url()).replace("+psycopg", "")
        env = _env(DATABASE_URL=url, SECRET_KEY="k" * 32, AUDIT_KEY="a" * 32)
        result = _run(["users", "list"], env)
        assert result.returncode == 2
        assert "run `jobsmgmt db upgrade` first" in result.stderr
        assert "no such table" not in result.stderr and "Traceback" not in result.stderr
        assert _run(["db", "upgrade"], env).returncode == 0
        assert _run(["users", "list"], env).returncode == 0
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
