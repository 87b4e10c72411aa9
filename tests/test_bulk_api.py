"""POST /api/jobs-management/bulk-update and the bulk-operations routes, on both databases, with
the in-process worker running the real operation."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from jobsmgmt import queue
from jobsmgmt.database import write_intent
from jobsmgmt.extensions import db
from jobsmgmt.models import (
    BulkOperation,
    Job,
    JobAuditLog,
    JobExternalPosting,
    JobStatusHistory,
    Notification,
)
from jobsmgmt.services import Actor, audit, postings
from tests.factories import PATHS

URL = "/api/jobs-management/bulk-update"


def bearer(factory, user) -> dict:
    return {"Authorization": f"Bearer {factory.token(user)}"}


def counts() -> dict:
    db.session.rollback()
    return {
        "bulk": db.session.scalar(select(func.count()).select_from(BulkOperation)),
        "history": db.session.scalar(select(func.count()).select_from(JobStatusHistory)),
        "audit": db.session.scalar(select(func.count()).select_from(JobAuditLog)),
        "notifications": db.session.scalar(select(func.count()).select_from(Notification)),
        "postings": db.session.scalar(select(func.count()).select_from(JobExternalPosting)),
        "seqs": dict(db.session.execute(select(Job.id, Job.audit_seq)).all()),
        "deleted": db.session.scalar(
            select(func.count()).select_from(Job).where(Job.deleted_at.is_not(None))
        ),
    }


def wait_for_worker(app) -> None:
    assert queue.in_process_runner(app).join(timeout=60)
    db.session.rollback()


@pytest.fixture
def mixed_jobs(factory):
    """One job per status, plus a deleted one."""
    owner = factory.user("recruiter")
    jobs = {state: factory.job(status=state, owner=owner) for state in PATHS}
    gone = factory.job(status="closed", owner=owner)
    with write_intent():
        from jobsmgmt.services import jobs as job_service

        job_service.delete_job(db.session, gone.id, Actor(owner.id))
    db.session.rollback()
    return jobs, gone


OPERATIONS = [
    ("status_update", {"status": "closed", "reason": "Hiring freeze"}),
    ("update_fields", {"department": "Platform", "location": "Lisbon"}),
    ("extend_deadline", {"days": 14}),
    ("post_external", {"portals": ["linkedin", "indeed"], "expires_in_days": 10}),
    ("delete", {}),
]


@pytest.mark.parametrize(("operation", "parameters"), OPERATIONS)
def test_dry_run_writes_nothing_and_predicts_the_real_run(
    app, client, factory, mixed_jobs, operation, parameters
):
    jobs, gone = mixed_jobs
    user = factory.user("recruiter")
    headers = bearer(factory, user)
    ids = [j.id for j in jobs.values()] + [gone.id, "no-such-job", jobs["open"].id]
    before = counts()
    body = {"job_ids": ids, "operation": operation, "parameters": parameters, "dry_run": True}
    preview = client.post(URL, json=body, headers=headers)
    assert preview.status_code == 200, preview.json
    assert counts() == before  # nothing written anywhere: rows and audit seqs unchanged
    data = preview.json
    assert data["dry_run"] is True and data["operation"] == operation
    assert data["total_count"] == 7  # the repeated id counts once
    assert [r["job_id"] for r in data["results"]] == ids[:7]
    by_id = {r["job_id"]: r for r in data["results"]}
    for missing in (gone.id, "no-such-job"):
        assert by_id[missing]["outcome"] == "error"
        assert by_id[missing]["error"]["code"] == "not_found"
    assert data["would_fail"] == sum(r["outcome"] == "error" for r in data["results"])
    assert data["would_succeed"] == 7 - data["would_fail"]

    real = client.post(URL, json={**body, "dry_run": False}, headers=headers)
    assert real.status_code == 202, real.json
    op_id = real.json["operation_id"]
    assert real.json == {
        "success": True,
        "operation_id": op_id,
        "status": "queued",
        "total_count": 7,
    }
    assert real.headers["Location"] == f"/api/jobs-management/bulk-operations/{op_id}"
    wait_for_worker(app)
    op = client.get(real.headers["Location"], headers=headers).json
    assert op["status"] in ("completed", "completed_with_errors")
    assert len(op["results"]) == 7
    expected = {"change": "changed", "no_change": "no_change", "error": "failed"}
    for predicted, result in zip(data["results"], op["results"], strict=True):
        assert result["job_id"] == predicted["job_id"]
        assert result["outcome"] == expected[predicted["outcome"]], result
        assert set(result["changes"]) == set(predicted["changes"])
        for name, change in predicted["changes"].items():
            assert result["changes"][name]["from"] == change["from"]
            if not name.endswith("_at") and operation != "extend_deadline":
                assert result["changes"][name]["to"] == change["to"]
        assert (result["error"] or {}).get("code") == (predicted["error"] or {}).get("code")
    assert op["success_count"] == data["would_succeed"]
    assert op["failure_count"] == data["would_fail"]
    # Each changed job got exactly one audit entry naming the operation.
    after = counts()
    changed = [r["job_id"] for r in op["results"] if r["outcome"] == "changed"]
    # post_external: the delivery to the portals writes its own entries afterwards.
    delivered = Counter(
        db.session.scalars(
            select(JobAuditLog.job_id).where(
                JobAuditLog.action_type.in_(postings.DELIVERY_AUDIT_ACTIONS)
            )
        )
    )
    for job_id in before["seqs"]:
        grew = after["seqs"][job_id] - before["seqs"][job_id] - delivered[job_id]
        assert grew == (1 if job_id in changed else 0), job_id
    entries = db.session.scalars(
        select(JobAuditLog).where(JobAuditLog.job_id.in_(changed), JobAuditLog.seq > 1)
    ).all()
    named = [e for e in entries if (e.new_values or {}).get("bulk_operation_id") == op_id]
    assert len(named) == len(changed)
    assert audit.verify(db.session).valid
    note = db.session.scalar(select(Notification).where(Notification.user_id == user.id))
    assert note is not None and note.link == f"/bulk/{op_id}"


def test_status_update_results_history_and_expected_outcomes(app, client, factory, mixed_jobs):
    jobs, _ = mixed_jobs
    headers = factory.headers("recruiter")
    before = counts()
    ids = [j.id for j in jobs.values()]
    body = {"job_ids": ids, "operation": "status_update", "parameters": {"status": "closed"}}
    response = client.post(URL, json=body, headers=headers)
    assert response.status_code == 202
    wait_for_worker(app)
    op = client.get(response.headers["Location"], headers=headers).json
    outcomes = {r["job_id"]: r["outcome"] for r in op["results"]}
    # draft→closed and archived→closed? archived→closed is allowed; draft→closed is not.
    assert outcomes == {
        jobs["draft"].id: "failed",
        jobs["open"].id: "changed",
        jobs["on_hold"].id: "changed",
        jobs["closed"].id: "no_change",
        jobs["archived"].id: "changed",
    }
    assert op["status"] == "completed_with_errors"
    assert (op["success_count"], op["failure_count"]) == (4, 1)
    failed = next(r for r in op["results"] if r["outcome"] == "failed")
    assert failed["error"]["code"] == "invalid_transition"
    assert counts()["history"] == before["history"] + 3
    for state in ("open", "on_hold", "archived"):
        assert db.session.get(Job, jobs[state].id).status == "closed"
    assert op["started_at"] and op["completed_at"]


def test_extend_deadline_from_current_deadline_or_now(app, client, factory):
    deadline = datetime(2099, 1, 10, 12, 0, tzinfo=UTC)
    with_deadline = factory.job(status="open", application_deadline=deadline)
    without = factory.job(status="open")
    headers = factory.headers("recruiter")
    body = {
        "job_ids": [with_deadline.id, without.id],
        "operation": "extend_deadline",
        "parameters": {"days": 30},
    }
    started = datetime.now(UTC)
    assert client.post(URL, json=body, headers=headers).status_code == 202
    wait_for_worker(app)
    assert db.session.get(Job, with_deadline.id).application_deadline == deadline + timedelta(30)
    new = db.session.get(Job, without.id).application_deadline
    assert started + timedelta(days=30) - timedelta(seconds=1) <= new
    assert new <= datetime.now(UTC) + timedelta(days=30)


def test_post_external_creates_and_requeues_postings(app, client, factory):
    open_job = factory.job(status="open")
    draft = factory.job(status="draft")
    with write_intent():
        db.session.add_all(
            [
                JobExternalPosting(job_id=open_job.id, portal="linkedin", status="posted"),
                JobExternalPosting(job_id=open_job.id, portal="naukri", status="failed"),
            ]
        )
        db.session.commit()
    headers = factory.headers("recruiter")
    body = {
        "job_ids": [open_job.id, draft.id],
        "operation": "post_external",
        "parameters": {"portals": ["linkedin", "naukri", "indeed"]},
    }
    assert client.post(URL, json=body, headers=headers).status_code == 202
    wait_for_worker(app)
    rows = db.session.scalars(
        select(JobExternalPosting).where(JobExternalPosting.job_id == open_job.id)
    ).all()
    requested = db.session.scalars(
        select(JobAuditLog).where(
            JobAuditLog.job_id == open_job.id, JobAuditLog.action_type == "posting_requested"
        )
    ).one()
    assert requested.old_values == {"postings.naukri": "failed", "postings.indeed": None}
    assert requested.new_values["postings.naukri"] == "pending"  # failed: queued again
    assert requested.new_values["postings.indeed"] == "pending"  # new
    by_portal = {r.portal: r for r in rows}
    assert by_portal["linkedin"].status == "posted"  # live: unchanged
    assert by_portal["linkedin"].pending_action is None
    # Then delivered by the same service as the API; this test app has no PUBLIC_URL, so the
    # portals could not be given an apply link: a clear failure, not a silent pending row.
    for portal in ("naukri", "indeed"):
        assert by_portal[portal].status == "failed"
        assert "PUBLIC_URL is not set" in by_portal[portal].error_message
    op = db.session.scalar(select(BulkOperation))
    by_id = {r["job_id"]: r for r in op.results}
    assert by_id[draft.id]["error"]["code"] == "job_not_open"
    assert set(by_id[open_job.id]["changes"]) == {"postings.naukri", "postings.indeed"}


def test_delete_uses_the_soft_delete_rules(app, client, factory):
    closed = factory.job(status="closed")
    live = factory.job(status="open")
    headers = factory.headers("recruiter")
    body = {"job_ids": [closed.id, live.id], "operation": "delete", "parameters": {}}
    assert client.post(URL, json=body, headers=headers).status_code == 202
    wait_for_worker(app)
    assert db.session.get(Job, closed.id).deleted_at is not None
    assert db.session.get(Job, live.id).deleted_at is None
    op = db.session.scalar(select(BulkOperation))
    assert [r["outcome"] for r in op.results] == ["changed", "failed"]
    assert op.results[1]["error"]["code"] == "job_not_deletable"
    assert client.get(f"/api/jobs/{closed.id}", headers=headers).status_code == 404


BAD_BODIES = [
    {"job_ids": [], "operation": "delete", "parameters": {}},
    {"job_ids": [f"id-{i}" for i in range(51)], "operation": "delete", "parameters": {}},
    {"job_ids": ["x"], "operation": "explode", "parameters": {}},
    {"job_ids": ["x"], "operation": "status_update", "parameters": {"status": "gone"}},
    {"job_ids": ["x"], "operation": "status_update", "parameters": {}},
    {"job_ids": ["x"], "operation": "update_fields", "parameters": {}},
    {"job_ids": ["x"], "operation": "update_fields", "parameters": {"title": "no"}},
    {"job_ids": ["x"], "operation": "update_fields", "parameters": {"owner_id": "nobody"}},
    {"job_ids": ["x"], "operation": "extend_deadline", "parameters": {"days": 0}},
    {"job_ids": ["x"], "operation": "extend_deadline", "parameters": {"days": 366}},
    {"job_ids": ["x"], "operation": "extend_deadline", "parameters": {"days": "7"}},
    {"job_ids": ["x"], "operation": "post_external", "parameters": {"portals": ["monster"]}},
    {"job_ids": ["x"], "operation": "post_external", "parameters": {"portals": []}},
    {"job_ids": ["x"], "operation": "delete", "parameters": {"force": True}},
    {"job_ids": ["x"], "operation": "delete", "parameters": {}, "extra": 1},
    {"job_ids": "x", "operation": "delete"},
]


@pytest.mark.parametrize("body", BAD_BODIES)
def test_bad_requests_are_422_and_record_nothing(app, client, factory, body):
    headers = factory.headers("recruiter")
    before = counts()
    response = client.post(URL, json=body, headers=headers)
    assert response.status_code == 422, response.json
    assert response.json["success"] is False
    assert response.json["error"]["code"] == "validation_error"
    assert counts() == before


def test_malformed_json_is_422(client, factory):
    headers = {**factory.headers("recruiter"), "Content-Type": "application/json"}
    assert client.post(URL, data="{not json", headers=headers).status_code == 422


def test_fifty_distinct_ids_with_repeats_are_accepted(client, factory):
    headers = factory.headers("recruiter")
    ids = [f"missing-{i}" for i in range(50)] * 2
    body = {"job_ids": ids, "operation": "delete", "parameters": {}, "dry_run": True}
    response = client.post(URL, json=body, headers=headers)
    assert response.status_code == 200
    assert response.json["total_count"] == 50 and response.json["would_fail"] == 50


def test_roles(client, factory):
    job = factory.job(status="open")
    body = {"job_ids": [job.id], "operation": "status_update", "parameters": {"status": "closed"}}
    assert client.post(URL, json=body).status_code == 401
    viewer = factory.headers("viewer")
    assert client.post(URL, json=body, headers=viewer).status_code == 403
    assert client.post(URL, json={**body, "dry_run": True}, headers=viewer).status_code == 403
    assert counts()["bulk"] == 0
    assert client.get("/api/jobs-management/bulk-operations", headers=viewer).status_code == 200


def test_get_unknown_operation_is_404_and_list_is_paginated(app, client, factory):
    headers = factory.headers("recruiter")
    missing = client.get("/api/jobs-management/bulk-operations/nope", headers=headers)
    assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found"
    job = factory.job(status="draft")
    for _ in range(3):
        body = {"job_ids": [job.id], "operation": "extend_deadline", "parameters": {"days": 1}}
        assert client.post(URL, json=body, headers=headers).status_code == 202
    wait_for_worker(app)
    page = client.get("/api/jobs-management/bulk-operations?limit=2", headers=headers).json
    assert page["pagination"] == {"total": 3, "page": 1, "limit": 2, "pages": 2}
    assert len(page["bulk_operations"]) == 2
    second = client.get("/api/jobs-management/bulk-operations?limit=2&page=2", headers=headers)
    assert len(second.json["bulk_operations"]) == 1
    assert all(op["status"] == "completed" for op in page["bulk_operations"])
    bad = client.get("/api/jobs-management/bulk-operations?limit=0", headers=headers)
    assert bad.status_code == 422
    # Three extensions of one day each, from no deadline: now + 3 days.
    deadline = db.session.get(Job, job.id).application_deadline
    assert timedelta(days=3) - timedelta(minutes=1) < deadline - datetime.now(UTC)
