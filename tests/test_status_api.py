"""The status lifecycle through the JSON API (API.md §3 ``PUT /{job_id}/status``), on SQLite and
PostgreSQL: all 25 moves, timestamps, history, audit, notifications, roles."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from jobsmgmt.extensions import db
from jobsmgmt.models import Job, JobAuditLog, JobStatusHistory, Notification

STATUSES = ("draft", "open", "on_hold", "closed", "archived")
# Written out independently of services.status.TRANSITIONS (API.md §3).
ALLOWED = {
    "draft": ["open", "archived"],
    "open": ["on_hold", "closed"],
    "on_hold": ["open", "closed"],
    "closed": ["open", "archived"],
    "archived": ["closed"],
}
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
T1 = datetime(2026, 2, 5, 9, 0, tzinfo=UTC)
T2 = datetime(2026, 3, 5, 9, 0, tzinfo=UTC)
# Timestamps a job plausibly has in each status before the move.
STATE = {
    "draft": {},
    "open": {"published_at": T0},
    "on_hold": {"published_at": T0},
    "closed": {"published_at": T0, "closed_at": T1},
    "archived": {"published_at": T0, "closed_at": T1, "archived_at": T2},
}


def put_job_in(job, status: str) -> None:
    job.status = status
    for name in ("published_at", "closed_at", "archived_at"):
        setattr(job, name, STATE[status].get(name))
    db.session.commit()


def count(model, job_id: str) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(model.job_id == job_id))


@pytest.mark.parametrize("to_status", STATUSES)
@pytest.mark.parametrize("from_status", STATUSES)
def test_every_move(client, factory, from_status, to_status):
    owner = factory.user("recruiter")
    headers = factory.headers("recruiter")  # someone else: the owner is notified
    job = factory.job(owner=owner)
    put_job_in(job, from_status)
    before = datetime.now(UTC)

    response = client.put(
        f"/api/jobs-management/{job.id}/status",
        json={"status": to_status, "reason": "quarterly review"},
        headers=headers,
    )
    db.session.rollback()
    row = db.session.get(Job, job.id)
    history = count(JobStatusHistory, job.id)
    entries = count(JobAuditLog, job.id)
    notes = count(Notification, job.id)

    if to_status == from_status:
        assert response.status_code == 200, response.json
        assert response.json == {
            "success": True,
            "id": job.id,
            "status": from_status,
            "previous_status": from_status,
            "changed": False,
        }
        assert (history, entries, notes) == (0, 1, 0)  # only the create entry
        assert row.status == from_status
        return
    if to_status not in ALLOWED[from_status]:
        assert response.status_code == 409, response.json
        error = response.json["error"]
        assert error["code"] == "invalid_transition"
        assert error["details"]["allowed"] == ALLOWED[from_status]
        assert error["details"]["current"] == from_status
        assert (history, entries, notes) == (0, 1, 0)
        assert row.status == from_status
        return

    assert response.status_code == 200, response.json
    assert response.json == {
        "success": True,
        "id": job.id,
        "status": to_status,
        "previous_status": from_status,
        "changed": True,
    }
    assert row.status == to_status
    assert row.updated_at >= before
    # published_at: set by the first move to open only.
    if from_status == "draft" and to_status == "open":
        assert row.published_at >= before
    else:
        assert row.published_at == STATE[from_status].get("published_at")
    # closed_at: set on closed, cleared on reopen, kept when un-archiving (still closed).
    if to_status == "closed" and from_status != "archived":
        assert row.closed_at >= before
    elif to_status == "open":
        assert row.closed_at is None
    else:
        assert row.closed_at == STATE[from_status].get("closed_at")
    # archived_at: set on archived, cleared when leaving it.
    if to_status == "archived":
        assert row.archived_at >= before
    else:
        assert row.archived_at is None

    assert (history, entries, notes) == (1, 2, 1)
    change = db.session.scalars(
        select(JobStatusHistory).where(JobStatusHistory.job_id == job.id)
    ).one()
    assert (change.from_status, change.to_status, change.reason) == (
        from_status,
        to_status,
        "quarterly review",
    )
    entry = db.session.scalars(
        select(JobAuditLog).where(JobAuditLog.job_id == job.id, JobAuditLog.seq == 2)
    ).one()
    assert entry.action_type == "status_change"
    assert entry.old_values["status"] == from_status
    assert entry.new_values["status"] == to_status
    assert entry.new_values["reason"] == "quarterly review"
    assert entry.user_id == change.changed_by != owner.id


def test_unknown_status_and_bad_bodies_are_422(client, factory):
    headers = factory.headers("recruiter")
    job = factory.job()
    url = f"/api/jobs-management/{job.id}/status"
    for body in (
        {"status": "published"},
        {"status": "OPEN"},
        {"status": 1},
        {},
        {"status": "open", "reason": "x" * 1001},
        {"status": "open", "reason": 5},
        {"status": "open", "extra": True},
    ):
        response = client.put(url, json=body, headers=headers)
        assert response.status_code == 422, body
        assert response.json["error"]["code"] == "validation_error"
    malformed = client.put(url, data=b"{", headers={**headers, "Content-Type": "application/json"})
    assert malformed.status_code == 422
    ok = client.put(url, json={"status": "open", "reason": "x" * 1000}, headers=headers)
    assert ok.status_code == 200 and ok.json["changed"] is True
    assert count(JobStatusHistory, job.id) == 1


def test_unknown_or_deleted_job_is_404(client, factory):
    headers = factory.headers("recruiter")
    missing = client.put(
        "/api/jobs-management/no-such-job/status", json={"status": "open"}, headers=headers
    )
    assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found"
    job = factory.job()
    assert client.delete(f"/api/jobs/{job.id}", headers=headers).status_code == 204
    deleted = client.put(
        f"/api/jobs-management/{job.id}/status", json={"status": "open"}, headers=headers
    )
    assert deleted.status_code == 404


def test_roles(client, factory):
    job = factory.job()
    url = f"/api/jobs-management/{job.id}/status"
    assert client.put(url, json={"status": "open"}).status_code == 401
    viewer = client.put(url, json={"status": "open"}, headers=factory.headers("viewer"))
    assert viewer.status_code == 403 and viewer.json["error"]["code"] == "forbidden"
    db.session.rollback()
    assert db.session.get(Job, job.id).status == "draft"
    admin = client.put(url, json={"status": "open"}, headers=factory.headers("admin"))
    assert admin.status_code == 200 and admin.json["changed"] is True


def test_owner_is_not_notified_of_own_change(client, factory):
    owner = factory.user("recruiter")
    job = factory.job(owner=owner)
    headers = {"Authorization": f"Bearer {factory.token(owner)}"}
    url = f"/api/jobs-management/{job.id}/status"
    assert client.put(url, json={"status": "open"}, headers=headers).json["changed"] is True
    assert count(Notification, job.id) == 0
    other = client.put(url, json={"status": "on_hold"}, headers=factory.headers("admin"))
    assert other.status_code == 200
    db.session.rollback()
    notes = db.session.scalars(select(Notification).where(Notification.job_id == job.id)).all()
    assert len(notes) == 1
    assert notes[0].user_id == owner.id and notes[0].read_at is None
    assert notes[0].kind == "status_change"
    assert "open" in notes[0].message and "on hold" in notes[0].message


def test_cookie_session_needs_csrf(client, factory, auth):
    user = factory.user("recruiter")
    job = factory.job()
    auth.login(user.email)
    url = f"/api/jobs-management/{job.id}/status"
    refused = client.put(url, json={"status": "open"})
    assert refused.status_code == 400 and refused.json["error"]["code"] == "csrf_failed"
    from tests.conftest import csrf_from

    token = csrf_from(client.get("/").text)
    accepted = client.put(url, json={"status": "open"}, headers={"X-CSRFToken": token})
    assert accepted.status_code == 200 and accepted.json["changed"] is True


def test_openapi_documents_the_routes(client):
    spec = client.get("/api/openapi.json").json
    paths = spec["paths"]
    assert any(p.endswith("/jobs-management/{job_id}/status") for p in paths)
    assert any(p.endswith("/jobs-management/{job_id}/audit-log") for p in paths)
    assert any(p.endswith("/jobs-management/audit/verify") for p in paths)
