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

    checkpoint_file = data_dir / "audit-checkpoints.jsonl"  # the outside record travels along
    checkpoint_file.write_text('{"seq": 1, "mac": "as it was"}\n')
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
    beside = backup.checkpoints_beside(copy)
    assert beside.read_text() == checkpoint_file.read_text()
    assert stat.S_IMODE(beside.stat().st_mode) == 0o600
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
    for path in directory.glob("jobsmgmt-*.db"):
        backup.checkpoints_beside(path).write_text("{}\n")
    deleted = backup.prune_backups(tmp_path)
    assert [p.name for p in deleted] == [
        "jobsmgmt-0.1.0-20260100T000000Z.db",
        "jobsmgmt-0.1.0-20260101T000000Z.db",
    ]
    assert len(backup.automatic_backups(tmp_path)) == 5
    assert (directory / "my-own-copy.db").exists()
    kept = sorted(p.name for p in directory.glob("*.audit-checkpoints.jsonl"))
    newest = backup.automatic_backups(tmp_path)
    assert kept == sorted(path.name + backup.CHECKPOINTS_SUFFIX for path in newest)


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


def _job_ids(database) -> set[str]:
    connection = sqlite3.connect(database)
    try:
        return {row[0] for row in connection.execute("SELECT id FROM jobs")}
    finally:
        connection.close()


def _desktop_with_ada():
    app = create_app()
    with app.app_context():
        prepare(app)
        with write_intent():
            users.create_user(db.session, "ada@agency.test", "Ada", "admin", PASSWORD)
        db.session.remove()
        db.engine.dispose()
    return app


def test_restore_brings_the_backups_audit_checkpoints_back_with_it(data_dir, tmp_path):
    """The checkpoint file is the outside record of one database's audit chains. After a
    restore it must be the restored database's, or `audit verify` reports every job added since
    the backup as deleted; the replaced database keeps its own file in backups/."""
    app = _desktop_with_ada()
    runner = app.test_cli_runner()
    live_file = data_dir / "audit-checkpoints.jsonl"
    kept = _new_job(app, "Kept by the backup")
    assert runner.invoke(args=["audit", "checkpoint"]).exit_code == 0
    saved = tmp_path / "saved.db"
    result = runner.invoke(args=["backup", str(saved)])
    assert result.exit_code == 0 and "Audit checkpoints copied" in result.output
    beside = backup.checkpoints_beside(saved)
    later = _new_job(app, "Added after the backup")
    assert runner.invoke(args=["audit", "checkpoint"]).exit_code == 0  # checkpoints `later`
    replaced_file = live_file.read_text()

    result = runner.invoke(args=["restore", str(saved)])
    assert result.exit_code == 0, result.output
    assert f"Audit checkpoint file restored from {beside}" in result.output
    assert live_file.read_text() == beside.read_text()
    assert stat.S_IMODE(live_file.stat().st_mode) == 0o600
    verified = runner.invoke(args=["audit", "verify"])
    assert verified.exit_code == 0 and verified.output.rstrip().endswith("valid"), verified.output
    assert kept in _job_ids(data_dir / "jobsmgmt.db")
    assert later not in _job_ids(data_dir / "jobsmgmt.db")
    safety = backup.automatic_backups(data_dir)[-1]  # the replaced database, with its own file
    assert backup.checkpoints_beside(safety).read_text() == replaced_file

    # Putting the replaced one back undoes the restore, checkpoints included.
    result = runner.invoke(args=["restore", str(safety)])
    assert result.exit_code == 0, result.output
    assert later in _job_ids(data_dir / "jobsmgmt.db")
    assert live_file.read_text() == replaced_file
    verified = runner.invoke(args=["audit", "verify"])
    assert verified.exit_code == 0 and "3 checkpoints: valid" in verified.output, verified.output

    # A copy made without `jobsmgmt backup` (no file beside it): the checkpoints it holds in its
    # own table become the file.
    plain = tmp_path / "plain.db"
    with app.app_context():
        backup.backup_sqlite(db.engine, plain)
        db.engine.dispose()
    assert not backup.checkpoints_beside(plain).exists()
    result = runner.invoke(args=["restore", str(plain)])
    assert result.exit_code == 0 and "the backup's own checkpoint table" in result.output
    assert len(live_file.read_text().splitlines()) == 3
    verified = runner.invoke(args=["audit", "verify"])
    assert verified.exit_code == 0 and "3 checkpoints: valid" in verified.output, verified.output

    # A file beside the backup that was edited: refused, nothing changes.
    forged = tmp_path / "forged.db"
    forged.write_bytes(saved.read_bytes())
    lines = beside.read_text().splitlines()
    lines[0] = lines[0].replace('"jobs_count":', '"jobs_count":1', 1)  # 1 job → 11 jobs
    backup.checkpoints_beside(forged).write_text("\n".join(lines) + "\n")
    live_before, file_before = _snapshot(data_dir / "jobsmgmt.db"), live_file.read_text()
    result = runner.invoke(args=["restore", str(forged)])
    assert result.exit_code == 2 and "does not verify" in result.output, result.output
    assert "checkpoint_altered" in result.output
    assert _snapshot(data_dir / "jobsmgmt.db") == live_before
    assert live_file.read_text() == file_before
    assert not list(data_dir.glob("*.restoring*"))


def test_backup_and_restore_around_a_checkpoint_and_a_damaged_file(data_dir, tmp_path):
    app = _desktop_with_ada()
    runner = app.test_cli_runner()
    live_file = data_dir / "audit-checkpoints.jsonl"
    _new_job(app, "First")
    assert runner.invoke(args=["audit", "checkpoint"]).exit_code == 0

    # The periodic checkpoint lands while a backup is being taken (file copied, database not
    # yet): the copy's table holds one checkpoint more than the file beside it.
    during = tmp_path / "during.db"
    backup.copy_checkpoints(live_file, during)
    _new_job(app, "Second")
    assert runner.invoke(args=["audit", "checkpoint"]).exit_code == 0
    with app.app_context():
        backup.backup_sqlite(db.engine, during)
        db.engine.dispose()
    assert len(backup.checkpoints_beside(during).read_text().splitlines()) == 1
    _new_job(app, "Third")
    result = runner.invoke(args=["restore", str(during)])
    assert result.exit_code == 0, result.output
    assert len(live_file.read_text().splitlines()) == 2  # the file's one and the table's newer
    assert runner.invoke(args=["audit", "checkpoint"]).exit_code == 0
    verified = runner.invoke(args=["audit", "verify"])
    assert verified.exit_code == 0 and "3 checkpoints: valid" in verified.output, verified.output

    # A backup never overwrites another one, nor the checkpoint file beside it.
    kept_beside = backup.checkpoints_beside(during).read_text()
    result = runner.invoke(args=["backup", str(during)])
    assert result.exit_code == 2 and "already exists" in result.output
    assert backup.checkpoints_beside(during).read_text() == kept_beside

    # A file beside the backup that cannot be read as text: a clear refusal, nothing changed.
    broken = tmp_path / "broken.db"
    broken.write_bytes(during.read_bytes())
    backup.checkpoints_beside(broken).write_bytes(b"\xff\xfe not text\n")
    live_before, file_before = _snapshot(data_dir / "jobsmgmt.db"), live_file.read_text()
    result = runner.invoke(args=["restore", str(broken)])
    assert result.exit_code == 2 and "cannot be read" in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert _snapshot(data_dir / "jobsmgmt.db") == live_before
    assert live_file.read_text() == file_before

    # A line cut short (a crash while appending): left out, and said so.
    cut = tmp_path / "cut.db"
    cut.write_bytes(during.read_bytes())
    lines = backup.checkpoints_beside(during).read_text()
    backup.checkpoints_beside(cut).write_text(lines + '{"seq": 2, "created_at": "20')
    result = runner.invoke(args=["restore", str(cut)])
    assert result.exit_code == 0 and "1 unreadable line(s)" in result.output, result.output
    verified = runner.invoke(args=["audit", "verify"])
    assert verified.exit_code == 0 and "0 unreadable" in verified.output, verified.output


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
