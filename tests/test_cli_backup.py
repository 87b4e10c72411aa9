"""``jobsmgmt backup PATH``: a consistent copy of the SQLite database that opens as the app's."""

from __future__ import annotations

import sqlite3

import pytest


@pytest.fixture
def app(sqlite_app):
    return sqlite_app


def test_backup_copies_the_live_database(runner, factory, tmp_path):
    job = factory.job(title="Kept in the backup")
    target = tmp_path / "copies" / "jobsmgmt-backup.db"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert "Backed up to" in result.output
    copy = sqlite3.connect(target)
    try:
        assert copy.execute("SELECT title FROM jobs WHERE id = ?", (job.id,)).fetchone() == (
            "Kept in the backup",
        )
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        copy.close()
    again = runner.invoke(args=["backup", str(target)])
    assert again.exit_code == 2 and "already exists" in again.output


def test_backup_refuses_postgres(pg_app, tmp_path):
    result = pg_app.test_cli_runner().invoke(args=["backup", str(tmp_path / "x.db")])
    assert result.exit_code == 2 and "pg_dump" in result.output
