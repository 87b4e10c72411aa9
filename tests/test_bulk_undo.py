"""Undo of a finished bulk operation (POST /api/jobs-management/bulk-operations/{id}/undo), on
both databases with the in-process worker: the dry run writes nothing and predicts the run; the
run restores each job's previous values, skips (and names) jobs changed since, writes history
and audit entries naming both operations, and can happen once only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from jobsmgmt.database import write_intent
from jobsmgmt.extensions import db
from jobsmgmt.models import BulkOperation, Job, JobAuditLog, JobStatusHistory, utcnow
from jobsmgmt.services import Actor, audit, bulk, bulk_undo, jobs
from tests.test_bulk_api import bearer, counts, wait_for_worker

BULK = "/api/jobs-management/bulk-update"


def undo_url(op_id: str) -> str:
    return f"/api/jobs-management/bulk-operations/{op_id}/undo"


def run_bulk(app, client, headers, ids, operation, parameters) -> str:
    body = {"job_ids": ids, "operation": operation, "parameters": parameters}
    response = client.post(BULK, json=body, headers=headers)
    assert response.status_code == 202, response.json
    wait_for_worker(app)
    return response.json["operation_id"]


@pytest.fixture
def setup(app, client, factory):
    owner = factory.user("recruiter", name="Olga Owner")
    user = factory.user("recruiter", name="Bulk Bob")
    ids = [factory.job(status="open", owner=owner, title=f"Role {i}").id for i in range(4)]
    return owner, user, bearer(factory, user), ids


def test_undo_status_update_restores_skips_changed_since_and_happens_once(app, client, setup):
    owner, user, headers, ids = setup
    op_id = run_bulk(app, client, headers, ids, "status_update", {"status": "on_hold"})
    # someone else changes one job after the operation
    with write_intent():
        jobs.update_job(db.session, ids[0], {"title": "Edited later"}, Actor(owner.id))
    db.session.rollback()

    before = counts()
    preview = client.post(undo_url(op_id), json={"dry_run": True}, headers=headers)
    assert preview.status_code == 200, preview.json
    assert counts() == before  # the dry run wrote nothing
    data = preview.json
    assert data["operation"] == "undo" and data["total_count"] == 4
    assert (data["would_succeed"], data["would_fail"]) == (3, 1)
    by_id = {r["job_id"]: r for r in data["results"]}
    assert by_id[ids[0]]["error"]["code"] == "changed_since"
    assert "Olga Owner" in by_id[ids[0]]["error"]["message"]
    for job_id in ids[1:]:
        assert by_id[job_id]["outcome"] == "change"
        assert by_id[job_id]["changes"]["status"] == {"from": "on_hold", "to": "open"}

    real = client.post(undo_url(op_id), json={"dry_run": False}, headers=headers)
    assert real.status_code == 202, real.json
    undo_id = real.json["operation_id"]
    assert real.headers["Location"] == f"/api/jobs-management/bulk-operations/{undo_id}"
    wait_for_worker(app)
    op = client.get(real.headers["Location"], headers=headers).json
    assert op["operation_type"] == "undo" and op["undo_of"] == op_id
    assert op["status"] == "completed_with_errors"
    assert (op["success_count"], op["failure_count"]) == (3, 1)
    statuses = dict(db.session.execute(select(Job.id, Job.status).where(Job.id.in_(ids))).all())
    assert statuses == {ids[0]: "on_hold", ids[1]: "open", ids[2]: "open", ids[3]: "open"}
    # one history row back to open per restored job, and audit entries naming both operations
    back = db.session.scalars(
        select(JobStatusHistory.job_id).where(
            JobStatusHistory.to_status == "open", JobStatusHistory.from_status == "on_hold"
        )
    ).all()
    assert sorted(back) == sorted(ids[1:])
    entries = [
        e
        for e in db.session.scalars(select(JobAuditLog).where(JobAuditLog.job_id.in_(ids)))
        if (e.new_values or {}).get("undo_of") == op_id
    ]
    assert sorted(e.job_id for e in entries) == sorted(ids[1:])
    assert all(e.new_values["bulk_operation_id"] == undo_id for e in entries)
    assert audit.verify(db.session).valid

    again = client.post(undo_url(op_id), json={"dry_run": False}, headers=headers)
    assert again.status_code == 409 and again.json["error"]["code"] == "already_undone"
    of_undo = client.post(undo_url(undo_id), json={"dry_run": True}, headers=headers)
    assert of_undo.status_code == 409 and of_undo.json["error"]["code"] == "cannot_undo_undo"


def test_undo_fields_deadline_and_delete(app, client, factory, setup):
    owner, user, headers, ids = setup
    other = factory.user("recruiter", name="New Owner")
    deadline = utcnow().replace(microsecond=0) + timedelta(days=5)
    with write_intent():
        jobs.update_job(db.session, ids[0], {"application_deadline": deadline}, Actor(owner.id))
        for job_id in ids[2:]:
            from jobsmgmt.services import status

            status.change_status(db.session, job_id, "closed", Actor(owner.id))
    db.session.rollback()
    fields = run_bulk(
        app, client, headers, ids[:2], "update_fields", {"department": "Ops", "owner_id": other.id}
    )
    extend = run_bulk(app, client, headers, ids[:1], "extend_deadline", {"days": 10})
    deleted = run_bulk(app, client, headers, ids[2:], "delete", {})
    assert (
        db.session.scalar(select(func.count()).select_from(Job).where(Job.deleted_at.is_not(None)))
        == 2
    )

    # the newest operation first: undoing the field update before the extension would find
    # job 0 changed since (by the extension)
    early = client.post(undo_url(fields), json={"dry_run": True}, headers=headers).json
    assert {r["job_id"]: r["outcome"] for r in early["results"]} == {
        ids[0]: "error",
        ids[1]: "change",
    }
    for op_id in (extend, deleted, fields):
        response = client.post(undo_url(op_id), json={}, headers=headers)
        assert response.status_code == 202, response.json
        wait_for_worker(app)
    rows = {job.id: job for job in db.session.scalars(select(Job).where(Job.id.in_(ids)))}
    assert rows[ids[0]].application_deadline == deadline  # extension undone
    assert rows[ids[0]].department == "Ops"  # the field update could not be undone on job 0
    assert rows[ids[1]].department == "Engineering" and rows[ids[1]].owner_id == owner.id
    assert all(rows[i].deleted_at is None and rows[i].status == "closed" for i in ids[2:])
    assert audit.verify(db.session).valid
    undo = db.session.scalar(select(BulkOperation).where(BulkOperation.undo_of == fields))
    failed = [r for r in undo.results if r["outcome"] == "failed"]
    assert [r["job_id"] for r in failed] == [ids[0]]
    assert failed[0]["error"]["code"] == "changed_since"


def test_only_finished_operations(app, client, setup):
    owner, user, headers, ids = setup
    with write_intent():
        queued = bulk.create_operation(
            db.session, "status_update", {"status": "closed"}, ids, Actor(user.id)
        )
    db.session.rollback()
    response = client.post(undo_url(queued.id), json={"dry_run": True}, headers=headers)
    assert response.status_code == 409
    assert response.json["error"]["code"] == "operation_not_finished"
    posted = run_bulk(app, client, headers, ids, "status_update", {"status": "on_hold"})
    missing = client.post(undo_url("0" * 36), json={"dry_run": True}, headers=headers)
    assert missing.status_code == 404
    bad = client.post(undo_url(posted), json={"dry_run": "maybe"}, headers=headers)
    assert bad.status_code == 422


def test_an_undo_asked_to_stop_ends_between_jobs_and_the_next_run_goes_on(app, client, setup):
    owner, user, headers, ids = setup
    op_id = run_bulk(app, client, headers, ids, "status_update", {"status": "closed"})
    with write_intent():
        undo = bulk_undo.create_undo(db.session, op_id, Actor(user.id))
        asked = iter([False, False, True])
        status = bulk_undo.run_undo(db.session, undo.id, should_stop=lambda: next(asked))
        assert status == "processing"
        assert len(db.session.get(BulkOperation, undo.id).results) == 2
        assert bulk_undo.run_undo(db.session, undo.id) == "completed"
    db.session.rollback()
    undone = db.session.get(BulkOperation, undo.id)
    assert sorted(r["job_id"] for r in undone.results) == sorted(ids)
    assert set(db.session.scalars(select(Job.status).where(Job.id.in_(ids)))) == {"open"}
