"""Audit checkpoints outside the database: the three ways to hide tampering from the per-job
chains (a cut tail with a rewritten head, a job deleted with all its entries, a deleted or
rewritten checkpoint) are each reported by kind, job and seq — by ``jobsmgmt audit verify
--checkpoints FILE``, the service and the API — on SQLite and PostgreSQL; a checkpoint cannot
be rewritten without AUDIT_KEY."""

from __future__ import annotations

import hashlib
import hmac
import json

import rfc8785
from sqlalchemy import select, text

from jobsmgmt.extensions import db
from jobsmgmt.models import AuditCheckpoint, JobAuditLog
from jobsmgmt.services import audit, checkpoints, integrity
from tests.test_audit_verify import build_chain, sql

KEY = b"test-audit-key"


def checkpoint_file(tmp_path):
    return tmp_path / "audit-checkpoints.jsonl"


def take(path) -> dict:
    db.session.rollback()
    record = checkpoints.take_checkpoint(db.session, KEY, path)
    db.session.rollback()
    return record


def verify_cli(app, path):
    return app.test_cli_runner().invoke(args=["audit", "verify", "--checkpoints", str(path)])


def found(report) -> list[tuple]:
    return [(p.job_id, p.seq, p.kind) for p in report.problems]


def file_records(path) -> list[dict]:
    return checkpoints.parse_lines(path.read_text().splitlines())[0]


def test_checkpoint_record_table_file_and_clean_verify(app, factory, tmp_path):
    path = checkpoint_file(tmp_path)
    job_id, other_id = build_chain(factory)
    first = take(path)
    assert (first["seq"], first["jobs_count"], first["entries_count"]) == (1, 2, 8)
    assert {c[0]: c[1] for c in first["changed"]} == {job_id: 6, other_id: 2}
    heads = {c[0]: (c[1], c[2]) for c in first["changed"]}
    stored = dict(
        db.session.execute(
            select(JobAuditLog.job_id, JobAuditLog.checksum).where(JobAuditLog.seq == 6)
        ).all()
    )
    assert heads[job_id] == (6, stored[job_id])
    # MAC: HMAC-SHA-256 over the signed fields, checked independently here.
    payload = {name: first[name] for name in checkpoints.SIGNED_FIELDS}
    assert first["mac"] == hmac.new(KEY, rfc8785.dumps(payload), hashlib.sha256).hexdigest()
    assert first["prev_mac"] is None
    # Nothing changed: the second checkpoint lists no head and links to the first.
    second = take(path)
    assert second["changed"] == [] and second["prev_mac"] == first["mac"]
    assert second["heads_digest"] == first["heads_digest"]
    assert [r["seq"] for r in file_records(path)] == [1, 2]
    assert (
        db.session.scalar(select(AuditCheckpoint.mac).where(AuditCheckpoint.seq == 2))
        == (second["mac"])
    )
    report = integrity.verify(db.session, KEY, checkpoint_records=file_records(path))
    assert report.valid, report.problems
    assert report.checkpoints_checked == 2
    result = verify_cli(app, path)
    assert result.exit_code == 0, result.output
    assert "2 checkpoints: valid" in result.output


def test_cut_tail_with_rewritten_anchor(app, client, factory, tmp_path):
    """Without checkpoints this passes as valid; with them, both cut entries are named."""
    path = checkpoint_file(tmp_path)
    job_id, _ = build_chain(factory)
    take(path)
    fourth = db.session.scalar(
        select(JobAuditLog.checksum).where(JobAuditLog.job_id == job_id, JobAuditLog.seq == 4)
    )
    db.session.rollback()
    sql("DELETE FROM job_audit_log WHERE job_id = :j AND seq >= 5", j=job_id)
    sql("UPDATE jobs SET audit_seq = 4, audit_checksum = :c WHERE id = :j", c=fourth, j=job_id)
    assert integrity.verify(db.session, KEY).valid is False  # the table
    db.session.rollback()
    sql("DELETE FROM audit_checkpoints")  # the attacker also empties the table …
    assert integrity.verify(db.session, KEY).valid is True  # … and the database alone is fooled
    db.session.rollback()
    report = integrity.verify(db.session, KEY, checkpoint_records=file_records(path))
    assert (job_id, 5, "truncated") in found(report)
    assert (job_id, 6, "truncated") in found(report)
    assert (None, 1, "checkpoint_missing") in found(report)
    result = verify_cli(app, path)
    assert result.exit_code == 1
    assert f"job {job_id} seq 5: truncated" in result.output
    assert f"job {job_id} seq 6: truncated" in result.output
    assert "checkpoint seq 1: checkpoint_missing" in result.output


def test_job_deleted_with_all_its_entries(app, factory, tmp_path):
    path = checkpoint_file(tmp_path)
    job_id, other_id = build_chain(factory)
    take(path)
    sql("DELETE FROM job_status_history WHERE job_id = :j", j=job_id)
    sql("DELETE FROM job_audit_log WHERE job_id = :j", j=job_id)
    sql("DELETE FROM jobs WHERE id = :j", j=job_id)
    db.session.rollback()
    assert audit.verify(db.session, other_id, key=KEY).valid
    report = integrity.verify(db.session, KEY, checkpoint_records=file_records(path))
    assert found(report) == [(job_id, 6, "deleted_job")]
    result = verify_cli(app, path)
    assert result.exit_code == 1 and f"job {job_id} seq 6: deleted_job" in result.output


def test_deleted_and_forged_checkpoints(app, factory, tmp_path):
    path = checkpoint_file(tmp_path)
    job_id, _ = build_chain(factory)
    for _ in range(3):
        take(path)
    # A checkpoint deleted from the table: the file still has it.
    sql("DELETE FROM audit_checkpoints WHERE seq = 2")
    report = integrity.verify(db.session, KEY, checkpoint_records=file_records(path))
    assert found(report) == [(None, 2, "checkpoint_missing")]
    # A line cut from the middle of the file: the table and the next line's link show it.
    lines = path.read_text().splitlines()
    cut = tmp_path / "cut.jsonl"
    cut.write_text("\n".join([lines[0], lines[2]]) + "\n")
    db.session.rollback()
    report = integrity.verify(db.session, KEY, checkpoint_records=file_records(cut))
    assert (None, 2, "checkpoint_missing") in found(report)
    # A rewritten checkpoint (heads moved back) with a MAC computed without the key.
    forged = json.loads(lines[2])
    forged["changed"] = [[job_id, 4, "0" * 64]]
    payload = {name: forged[name] for name in checkpoints.SIGNED_FIELDS}
    forged["mac"] = hashlib.sha256(rfc8785.dumps(payload)).hexdigest()
    bad = tmp_path / "forged.jsonl"
    bad.write_text("\n".join([lines[0], lines[1], json.dumps(forged)]) + "\n")
    db.session.rollback()
    report = integrity.verify(db.session, KEY, checkpoint_records=file_records(bad))
    assert (None, 3, "checkpoint_altered") in found(report)
    result = verify_cli(app, bad)
    assert result.exit_code == 1 and "checkpoint seq 3: checkpoint_altered" in result.output


def test_log_lines_and_the_periodic_task(app, factory, capsys):
    """Hosted: no file, one ``audit-checkpoint {...}`` line on stdout; a log export with other
    lines around it verifies like the file."""
    job_id, _ = build_chain(factory)
    db.session.rollback()
    assert app.config.get("AUDIT_CHECKPOINT_FILE") is None
    assert checkpoints.audit_checkpoint() == 1
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if "audit-checkpoint " in line]
    assert len(lines) == 1
    export = ["2026-12-02T12:00:00 app[worker.1]: " + lines[0], "app[web.1]: GET /healthz 200"]
    records, unreadable = checkpoints.parse_lines(export)
    assert [r["seq"] for r in records] == [1] and unreadable == 0
    sql("DELETE FROM audit_checkpoints")
    sql("DELETE FROM job_audit_log WHERE job_id = :j AND seq = 6", j=job_id)
    sql(
        "UPDATE jobs SET audit_seq = 5, audit_checksum = (SELECT checksum FROM job_audit_log "
        "WHERE job_id = :j AND seq = 5) WHERE id = :j",
        j=job_id,
    )
    db.session.rollback()
    report = integrity.verify(db.session, KEY, checkpoint_records=records)
    assert (job_id, 6, "truncated") in found(report)


def test_api_and_page_use_the_desktop_file(app, client, factory, tmp_path, auth):
    path = checkpoint_file(tmp_path)
    app.config["AUDIT_CHECKPOINT_FILE"] = str(path)
    job_id, _ = build_chain(factory)
    take(path)
    sql("DELETE FROM audit_checkpoints")
    sql("DELETE FROM job_audit_log WHERE job_id = :j AND seq = 6", j=job_id)
    sql(
        "UPDATE jobs SET audit_seq = 5, audit_checksum = (SELECT checksum FROM job_audit_log "
        "WHERE job_id = :j AND seq = 5) WHERE id = :j",
        j=job_id,
    )
    body = client.get("/api/jobs-management/audit/verify", headers=factory.headers("admin")).json
    assert body["valid"] is False
    assert {(p["job_id"], p["seq"], p["kind"]) for p in body["problems"]} == {
        (job_id, 6, "truncated"),
        (None, 1, "checkpoint_missing"),
    }
    admin = factory.user("admin")
    auth.login(admin.email)
    from tests.conftest import csrf_from

    page = client.get("/audit/verify")
    result = client.post("/audit/verify", data={"csrf_token": csrf_from(page.text)})
    assert result.status_code == 200
    assert "truncated" in result.text and "checkpoint_missing" in result.text
    assert "with the checkpoint file" in result.text


def test_backup_takes_a_checkpoint_and_copies_the_file(sqlite_app, tmp_path):
    path = checkpoint_file(tmp_path)
    sqlite_app.config["AUDIT_CHECKPOINT_FILE"] = str(path)
    target = tmp_path / "copy.db"
    result = sqlite_app.test_cli_runner().invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    copy = tmp_path / "copy.db.audit-checkpoints.jsonl"
    assert copy.read_text() == path.read_text()
    assert [r["seq"] for r in file_records(copy)] == [1]
    db.session.rollback()
    assert db.session.scalar(text("SELECT count(*) FROM audit_checkpoints")) == 1


def test_checkpoint_task_on_a_real_rq_worker(pg_url, redis_url):
    """Hosted: the scheduler's task runs on a real RQ worker (a separate process on real
    Redis and PostgreSQL); its stdout carries the one ``audit-checkpoint`` line a log drain
    keeps, and that line verifies against the database."""
    from jobsmgmt import queue
    from tests.conftest import Factory, app_context, build_app
    from tests.test_queue import run_worker_burst

    with app_context(build_app(pg_url, redis_url)) as app:
        job_id, _ = build_chain(Factory(app))
        queue.enqueue(checkpoints.audit_checkpoint)
        result = run_worker_burst(app)
        assert result.returncode == 0, result.stderr[-2000:]
        log = (result.stdout + result.stderr).splitlines()
        records, _ = checkpoints.parse_lines(log)
        assert [r["seq"] for r in records] == [1]
        assert {c[0]: c[1] for c in records[0]["changed"]}[job_id] == 6
        db.session.rollback()
        assert db.session.scalar(select(AuditCheckpoint.mac)) == records[0]["mac"]
        sql("DELETE FROM audit_checkpoints")
        sql("DELETE FROM job_status_history WHERE job_id = :j", j=job_id)
        sql("DELETE FROM job_audit_log WHERE job_id = :j", j=job_id)
        sql("DELETE FROM jobs WHERE id = :j", j=job_id)
        db.session.rollback()
        report = integrity.verify(db.session, KEY, checkpoint_records=records)
        assert found(report) == [(None, 1, "checkpoint_missing"), (job_id, 6, "deleted_job")]


def test_security_chain_cut_with_rewritten_head(app, tmp_path):
    """The security-event chain's head is checkpointed too."""
    from jobsmgmt.services import security

    path = checkpoint_file(tmp_path)
    context = security.EventContext(key=KEY, ip_address="192.0.2.1")
    db.session.rollback()
    for n in range(3):
        security.record(db.session, context, "login_failed", email=f"x{n}@example.com")
    take(path)
    second = db.session.scalar(text("SELECT checksum FROM security_events WHERE seq = 2"))
    db.session.rollback()
    sql("DELETE FROM security_events WHERE seq = 3")
    sql("UPDATE audit_chain_heads SET seq = 2, checksum = :c WHERE name = 'security'", c=second)
    sql("DELETE FROM audit_checkpoints")
    assert integrity.verify(db.session, KEY).valid  # the database alone is fooled
    db.session.rollback()
    report = integrity.verify(db.session, KEY, checkpoint_records=file_records(path))
    assert found(report) == [(None, 1, "checkpoint_missing"), ("security", 3, "truncated")]
