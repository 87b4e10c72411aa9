"""Upgrades that cannot lose data: a desktop database made at migration 0001, with data, is backed
up into ``backups/`` and migrated to the head at start-up with nothing lost; ``jobsmgmt restore``
puts a backup back only after migrating a copy and verifying its audit chains, and never while
an instance runs."""

from __future__ import annotations

import os
import sqlite3
import stat
from importlib.metadata import version

import pytest
from flask_migrate import upgrade
from sqlalchemy import text

from jobsmgmt import backup, create_app
from jobsmgmt.database import write_intent
from jobsmgmt.desktop import prepare
from jobsmgmt.extensions import db
from jobsmgmt.instance import InstanceLock
from jobsmgmt.schema import current_revisions, head_revisions
from jobsmgmt.services import Actor, audit, jobs, status, users
from tests.test_desktop_logging import _drop_our_handlers

APP_VARIABLES = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "AUDIT_KEY", "BULK_JOB_DELAY_MS")
PASSWORD = "correct-horse-battery"


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    for name in APP_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "data"
    monkeypatch.setenv("JOBSMGMT_DATA_DIR", str(path))
    yield path
    _drop_our_handlers()


def _snapshot(database) -> dict:
    """What must survive: every user, job (with status and audit head) and audit entry."""
    connection = sqlite3.connect(database)
    try:
        return {
            "users": connection.execute(
                "SELECT id, email, role, password_hash FROM users ORDER BY id"
            ).fetchall(),
            "jobs": connection.execute(
                "SELECT id, title, status, audit_seq, audit_checksum FROM jobs ORDER BY id"
            ).fetchall(),
            "history": connection.execute(
                "SELECT job_id, from_status, to_status FROM job_status_history ORDER BY id"
            ).fetchall(),
            "audit": connection.execute(
                "SELECT job_id, seq, action_type, checksum FROM job_audit_log ORDER BY job_id, seq"
            ).fetchall(),
        }
    finally:
        connection.close()


def _database_at_0001(app) -> dict:
    """Migrate a new database to 0001 only and fill it through the services."""
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory, revision="0001")
        assert current_revisions(db.engine) == ("0001",)
        with write_intent():
            admin = users.create_user(db.session, "ada@agency.test", "Ada", "admin", PASSWORD)
            actor = Actor(admin.id, "127.0.0.1", "tests")
            made = [
                jobs.create_job(
                    db.session,
                    {"title": f"Engineer {n}", "department": "Engineering", "location": "Remote"},
                    actor,
                )
                for n in range(3)
            ]
            status.change_status(db.session, made[0].id, "open", actor)
            status.change_status(db.session, made[1].id, "open", actor)
            status.change_status(db.session, made[1].id, "on_hold", actor, reason="Budget review")
            ids = [job.id for job in made]
        db.session.remove()
        db.engine.dispose()
    return {"admin": "ada@agency.test", "jobs": ids}


def test_start_up_backs_up_and_upgrades_a_0001_database_without_losing_anything(data_dir):
    app = create_app()
    _database_at_0001(app)
    database = data_dir / "jobsmgmt.db"
    before = _snapshot(database)
    assert len(before["jobs"]) == 3 and len(before["audit"]) >= 6

    with app.app_context():
        prepared = prepare(app)  # what `jobsmgmt serve` does, demo agency included
        report = prepared.upgrade
        assert report.from_revisions == ("0001",)
        assert report.to_revisions == head_revisions(app)
        assert prepared.demo_login is None  # people exist: no demo agency added to real data
        verified = audit.verify(db.session)
        assert verified.valid and verified.jobs_checked == 3
        counted = db.session.execute(
            text("SELECT status, job_count FROM job_status_counts WHERE job_count > 0")
        ).all()
        db.session.remove()
        db.engine.dispose()
    assert dict(counted) == {"draft": 1, "open": 1, "on_hold": 1}  # counters backfilled
    assert _snapshot(database) == before  # nothing lost, nothing changed

    # The backup is the database as it was at 0001, owner-readable only.
    copy = report.backup
    assert copy.parent == data_dir / "backups"
    assert copy.name.startswith(f"jobsmgmt-{version('jobsmgmt')}-") and copy.suffix == ".db"
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    assert _snapshot(copy) == before
    connection = sqlite3.connect(copy)
    assert connection.execute("SELECT version_num FROM alembic_version").fetchall() == [("0001",)]
    connection.close()

    # A second start finds the head: no migration, no new backup; a database an earlier version
    # left readable by others is made private.
    os.chmod(database, 0o644)
    with app.app_context():
        assert prepare(app).upgrade is None
        db.engine.dispose()
    assert backup.automatic_backups(data_dir) == [copy]
    assert stat.S_IMODE(database.stat().st_mode) == 0o600


def test_only_the_newest_five_automatic_backups_are_kept(tmp_path):
    directory = tmp_path / "backups"
    directory.mkdir()
    for number in range(7):
        path = directory / f"jobsmgmt-0.1.0-2026010{number}T000000Z.db"
        path.write_bytes(b"x")
        os.utime(path, (1_700_000_000 + number, 1_700_000_000 + number))
    (directory / "my-own-copy.db").write_bytes(b"kept: not an automatic backup")
    deleted = backup.prune_backups(tmp_path)
    assert [p.name for p in deleted] == [
        "jobsmgmt-0.1.0-20260100T000000Z.db",
        "jobsmgmt-0.1.0-20260101T000000Z.db",
    ]
    assert len(backup.automatic_backups(tmp_path)) == 5
    assert (directory / "my-own-copy.db").exists()


def _new_job(app, title: str) -> str:
    with app.app_context():
        with write_intent():
            admin = users.get_user_by_email(db.session, "ada@agency.test")
            job = jobs.create_job(db.session, {"title": title}, Actor(admin.id, "127.0.0.1", "t"))
            job_id = job.id
        db.session.remove()
        db.engine.dispose()
    return job_id


def test_restore_migrates_verifies_and_swaps_in_a_backup(data_dir, tmp_path):
    app = create_app()
    made = _database_at_0001(app)
    old = tmp_path / "at-0001.db"
    with app.app_context():
        backup.backup_sqlite(db.engine, old)  # a backup taken at migration 0001
        prepare(app)
        db.engine.dispose()
    later = _new_job(app, "Added after the backup")
    runner = app.test_cli_runner()

    # Refused while an instance runs on this data directory.
    with InstanceLock(data_dir) as lock:
        assert lock.acquire()
        refused = runner.invoke(args=["restore", str(old)])
    assert refused.exit_code == 2 and "jobsmgmt is running" in refused.output

    # A backup whose audit trail was edited is refused; the live database is untouched.
    tampered = tmp_path / "tampered.db"
    tampered.write_bytes(old.read_bytes())
    connection = sqlite3.connect(tampered)
    connection.execute(
        'UPDATE job_audit_log SET new_values = \'{"title": "forged"}\' '
        "WHERE job_id = ? AND seq = 1",
        (made["jobs"][0],),
    )
    connection.commit()
    connection.close()
    live_before = _snapshot(data_dir / "jobsmgmt.db")
    result = runner.invoke(args=["restore", str(tampered)])
    assert result.exit_code == 2, result.output
    assert "does not verify" in result.output and made["jobs"][0] in result.output
    assert _snapshot(data_dir / "jobsmgmt.db") == live_before
    assert not list(data_dir.glob("*.restoring*"))

    # Not a database at all.
    junk = tmp_path / "junk.db"
    junk.write_text("not sqlite")
    assert "not a SQLite database" in runner.invoke(args=["restore", str(junk)]).output

    # The good one: migrated to head, verified, swapped in; the replaced one kept in backups/.
    result = runner.invoke(args=["restore", str(old)])
    assert result.exit_code == 0, result.output
    assert "made at migration 0001" in result.output and "3 jobs" in result.output
    restored = _snapshot(data_dir / "jobsmgmt.db")
    assert sorted(row[0] for row in restored["jobs"]) == sorted(made["jobs"])
    assert later not in [row[0] for row in restored["jobs"]]
    assert stat.S_IMODE((data_dir / "jobsmgmt.db").stat().st_mode) == 0o600
    safety = backup.automatic_backups(data_dir)[-1]
    assert later in [row[0] for row in _snapshot(safety)["jobs"]]
    with app.app_context():
        assert current_revisions(db.engine) == head_revisions(app)
        assert audit.verify(db.session).valid
        db.engine.dispose()


def test_a_plain_text_demo_login_from_an_earlier_version_is_shown_once_and_deleted(data_dir):
    app = create_app()
    with app.app_context():
        first = prepare(app)
        assert first.demo_login is not None  # the demo agency, its login returned once
        (data_dir / "demo-login.txt").write_text(f"{first.demo_login[0]}\n{first.demo_login[1]}\n")
        again = prepare(app)
        assert again.demo_login is None
        assert again.legacy_login == first.demo_login
        assert not (data_dir / "demo-login.txt").exists()
        assert prepare(app).legacy_login is None
        db.engine.dispose()
