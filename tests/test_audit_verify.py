"""Tampering with the audit table is reported with the exact kind and seq — through
``services.audit.verify``, ``GET /api/jobs-management/audit/verify`` and ``jobsmgmt audit
verify`` — on SQLite and PostgreSQL; honest chains verify after a database round trip."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from decimal import Decimal

import pytest
import rfc8785
from sqlalchemy import select, text

from jobsmgmt.extensions import db
from jobsmgmt.models import Job, JobAuditLog
from jobsmgmt.services import Actor, audit, status

MOVES = ("open", "on_hold", "open", "closed", "archived")  # with create: seq 1..6


def build_chain(factory) -> tuple[str, str]:
    """A job with six audit entries, and an untouched second job; returns both ids."""
    owner = factory.user("recruiter")
    actor = Actor(owner.id, "203.0.113.9", "tests")
    job = factory.job(owner=owner)
    for move in MOVES:
        status.change_status(db.session, job.id, move, actor, reason=f"to {move}")
    other = factory.job(owner=owner)
    status.change_status(db.session, other.id, "open", actor)
    return job.id, other.id


def sql(statement: str, **params) -> None:
    db.session.execute(text(statement), params)
    db.session.commit()


def problems_of(report) -> list[tuple[str, int, str]]:
    return [(p.job_id, p.seq, p.kind) for p in report.problems]


def api_verify(client, factory) -> dict:
    response = client.get("/api/jobs-management/audit/verify", headers=factory.headers("admin"))
    assert response.status_code == 200, response.json
    return response.json


def cli_verify(app, *args):
    return app.test_cli_runner().invoke(args=["audit", "verify", *args])


def check_everywhere(app, client, factory, job_id: str, expected: list[tuple[int, str]]):
    """The same problems from the service, the API and the CLI."""
    db.session.rollback()
    report = audit.verify(db.session)
    assert problems_of(report) == [(job_id, seq, kind) for seq, kind in expected]
    assert report.valid is False and report.jobs_checked == 2

    body = api_verify(client, factory)
    assert body["success"] is True and body["valid"] is False
    assert [(p["job_id"], p["seq"], p["kind"]) for p in body["problems"]] == [
        (job_id, seq, kind) for seq, kind in expected
    ]
    assert all(p["message"] for p in body["problems"])

    result = cli_verify(app)
    assert result.exit_code == 1, result.output
    for seq, kind in expected:
        assert f"job {job_id} seq {seq}: {kind}" in result.output


def test_clean_chains_verify(app, client, factory):
    job_id, other_id = build_chain(factory)
    report = audit.verify(db.session)
    assert report.valid and report.problems == []
    assert (report.jobs_checked, report.entries_checked) == (2, 6 + 2)
    body = api_verify(client, factory)
    assert body == {
        "success": True,
        "valid": True,
        "jobs_checked": 2,
        "entries_checked": 8,
        "security_events_checked": 0,
        "checkpoints_checked": 0,
        "last_checkpoint_at": None,
        "problems": [],
    }
    result = cli_verify(app)
    assert result.exit_code == 0, result.output
    assert "2 jobs, 8 entries checked, 0 security events, 0 checkpoints: valid" in result.output
    one = cli_verify(app, "--job", other_id)
    assert one.exit_code == 0 and "1 jobs, 2 entries checked" in one.output


def test_edited_value(app, client, factory):
    job_id, _ = build_chain(factory)
    sql(
        "UPDATE job_audit_log SET new_values = :v WHERE job_id = :j AND seq = 3",
        v=json.dumps({"reason": "nothing to see", "status": "on_hold"}),
        j=job_id,
    )
    check_everywhere(app, client, factory, job_id, [(3, "edited")])


def test_edited_actor_and_time(app, client, factory):
    job_id, _ = build_chain(factory)
    admin = factory.user("admin")
    sql("UPDATE job_audit_log SET user_id = :u WHERE job_id = :j AND seq = 2", u=admin.id, j=job_id)
    sql(
        "UPDATE job_audit_log SET timestamp = :t WHERE job_id = :j AND seq = 5",
        t=datetime(2020, 1, 1),
        j=job_id,
    )
    check_everywhere(app, client, factory, job_id, [(2, "edited"), (5, "edited")])


def test_deleted_middle_entry(app, client, factory):
    job_id, _ = build_chain(factory)
    sql("DELETE FROM job_audit_log WHERE job_id = :j AND seq = 3", j=job_id)
    check_everywhere(app, client, factory, job_id, [(3, "missing")])


def test_deleted_first_entry(app, client, factory):
    job_id, _ = build_chain(factory)
    sql("DELETE FROM job_audit_log WHERE job_id = :j AND seq = 1", j=job_id)
    check_everywhere(app, client, factory, job_id, [(1, "missing")])


def _swap(job_id: str, a: int, b: int) -> None:
    # Through a free value: (job_id, seq) is unique.
    sql("UPDATE job_audit_log SET seq = -1 WHERE job_id = :j AND seq = :a", j=job_id, a=a)
    sql("UPDATE job_audit_log SET seq = :a WHERE job_id = :j AND seq = :b", j=job_id, a=a, b=b)
    sql("UPDATE job_audit_log SET seq = :b WHERE job_id = :j AND seq = -1", j=job_id, b=b)


@pytest.mark.parametrize("a, b", [(2, 4), (3, 4), (1, 6)])
def test_swapped_entries(app, client, factory, a, b):
    job_id, _ = build_chain(factory)
    _swap(job_id, a, b)
    check_everywhere(app, client, factory, job_id, [(a, "reordered"), (b, "reordered")])
    db.session.rollback()
    messages = {p.seq: p.message for p in audit.verify(db.session, job_id).problems}
    assert messages[a] == f"entry {b} now stands at position {a}"


def test_deleted_last_entry(app, client, factory):
    job_id, _ = build_chain(factory)
    sql("DELETE FROM job_audit_log WHERE job_id = :j AND seq = 6", j=job_id)
    check_everywhere(app, client, factory, job_id, [(6, "truncated")])


def test_cut_tail_of_two(app, client, factory):
    job_id, _ = build_chain(factory)
    sql("DELETE FROM job_audit_log WHERE job_id = :j AND seq >= 5", j=job_id)
    check_everywhere(app, client, factory, job_id, [(5, "truncated"), (6, "truncated")])


def test_checksums_recomputed_without_the_key(app, client, factory):
    """An attacker who rewrites the whole chain with plain SHA-256 (and the job's head) is
    caught: without AUDIT_KEY no checksum matches."""
    job_id, _ = build_chain(factory)
    entries = db.session.scalars(
        select(JobAuditLog).where(JobAuditLog.job_id == job_id).order_by(JobAuditLog.seq)
    ).all()
    rows = [(e.id, {name: getattr(e, name) for name in audit.HASHED_FIELDS}) for e in entries]
    db.session.rollback()
    previous = None
    for entry_id, fields in rows:
        payload = {**fields, "timestamp": audit.format_time(fields["timestamp"])}
        payload["prev_checksum"] = previous
        checksum = hashlib.sha256(rfc8785.dumps(payload)).hexdigest()
        sql(
            "UPDATE job_audit_log SET checksum = :c, prev_checksum = :p WHERE id = :i",
            c=checksum,
            p=previous,
            i=entry_id,
        )
        previous = checksum
    sql("UPDATE jobs SET audit_checksum = :c WHERE id = :j", c=previous, j=job_id)
    check_everywhere(app, client, factory, job_id, [(seq, "edited") for seq in range(1, 7)])


def test_head_moved_back_shows_truncation(app, client, factory):
    job_id, _ = build_chain(factory)
    sql("UPDATE jobs SET audit_checksum = :c WHERE id = :j", c="0" * 64, j=job_id)
    check_everywhere(app, client, factory, job_id, [(6, "truncated")])


def test_one_job_and_deleted_jobs(app, client, factory):
    job_id, other_id = build_chain(factory)
    headers = factory.headers("admin")
    db.session.rollback()
    sql("UPDATE jobs SET deleted_at = :t WHERE id = :j", t=datetime.now(UTC), j=job_id)
    sql("DELETE FROM job_audit_log WHERE job_id = :j AND seq = 2", j=job_id)
    one = client.get(f"/api/jobs-management/audit/verify?job_id={job_id}", headers=headers)
    assert one.status_code == 200
    assert [(p["seq"], p["kind"]) for p in one.json["problems"]] == [(2, "missing")]
    assert one.json["jobs_checked"] == 1 and one.json["entries_checked"] == 5
    clean = client.get(f"/api/jobs-management/audit/verify?job_id={other_id}", headers=headers)
    assert clean.json["valid"] is True
    unknown = client.get("/api/jobs-management/audit/verify?job_id=nope", headers=headers)
    assert unknown.status_code == 404
    result = cli_verify(app, "--job", job_id)
    assert result.exit_code == 1 and f"job {job_id} seq 2: missing" in result.output


def test_verify_is_admin_only(client, factory):
    for role, expected in (("viewer", 403), ("recruiter", 403), ("admin", 200)):
        response = client.get("/api/jobs-management/audit/verify", headers=factory.headers(role))
        assert response.status_code == expected, role
    assert client.get("/api/jobs-management/audit/verify").status_code == 401


def test_checksums_survive_a_round_trip(app, factory):
    """Nulls, unicode, nested values, Decimals, datetimes (with and without microseconds):
    recomputed from freshly loaded rows, every checksum matches."""
    owner = factory.user("recruiter")
    job_id = factory.job(owner=owner).id
    job = db.session.get(Job, job_id)
    odd = {
        "none": None,
        "float": 1.5,
        "int": 2**40,
        "text": 'Zürich ✓ \u2028 "quoted" <b>',
        "nested": [1, {"x": None, "y": [True, False]}],
        "decimal": Decimal("12.30"),
        "when": datetime(2026, 11, 23, 10, 15, tzinfo=UTC),
        "precise": datetime(2026, 11, 23, 10, 15, 0, 123456, tzinfo=UTC),
        "empty": {},
    }
    audit.record(db.session, job, "update", Actor(owner.id), old_values=None, new_values=odd)
    audit.record(db.session, job, "update", Actor(owner.id, "", None), old_values=odd)
    db.session.commit()
    db.session.remove()  # a new session: everything comes back from the database

    entries = db.session.scalars(
        select(JobAuditLog).where(JobAuditLog.job_id == job_id).order_by(JobAuditLog.seq)
    ).all()
    assert [e.seq for e in entries] == [1, 2, 3]
    assert entries[1].ip_address is None and entries[2].user_agent is None
    assert entries[1].new_values["decimal"] == "12.30"
    assert entries[1].new_values["precise"] == "2026-11-23T10:15:00.123456Z"
    previous = None
    for entry in entries:
        fields = {name: getattr(entry, name) for name in audit.HASHED_FIELDS}
        recomputed = audit.compute_checksum(fields, previous, app.config["AUDIT_KEY"].encode())
        assert recomputed == entry.checksum
        assert entry.prev_checksum == previous
        previous = entry.checksum
    assert audit.verify(db.session, job_id).valid
