"""A job's audit log through the API (``GET /api/jobs-management/{id}/audit-log``) and the
page ``/jobs/<id>/audit``, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select

from jobsmgmt.extensions import db
from jobsmgmt.models import JobAuditLog
from jobsmgmt.services import Actor, status
from tests.conftest import csrf_from

ENTRY_FIELDS = {
    "id",
    "seq",
    "action_type",
    "entity_type",
    "old_values",
    "new_values",
    "user",
    "ip_address",
    "user_agent",
    "timestamp",
    "checksum",
}


def job_with_history(factory, owner=None):
    owner = owner or factory.user("recruiter", name="Rita Recruiter")
    job = factory.job(owner=owner, title="Data Engineer")
    actor = Actor(owner.id, "198.51.100.7", "pytest-agent")
    for move in ("open", "on_hold", "open", "closed"):
        status.change_status(db.session, job.id, move, actor, reason=f"reason {move}")
    return job.id, owner


def test_audit_log_shape_and_order(client, factory):
    job_id, owner = job_with_history(factory)
    response = client.get(
        f"/api/jobs-management/{job_id}/audit-log", headers=factory.headers("viewer")
    )
    assert response.status_code == 200, response.json
    body = response.json
    assert set(body) == {"success", "audit_entries", "pagination"}
    assert body["pagination"] == {"total": 5, "page": 1, "limit": 20, "pages": 1}
    entries = body["audit_entries"]
    assert [e["seq"] for e in entries] == [5, 4, 3, 2, 1]  # newest first
    assert all(set(e) == ENTRY_FIELDS for e in entries)
    assert [e["action_type"] for e in entries] == ["status_change"] * 4 + ["create"]
    newest = entries[0]
    assert newest["old_values"]["status"] == "open"
    assert newest["new_values"]["status"] == "closed"
    assert newest["new_values"]["reason"] == "reason closed"
    assert newest["new_values"]["closed_at"].endswith("Z")
    assert newest["user"] == {"id": owner.id, "name": "Rita Recruiter"}
    assert newest["ip_address"] == "198.51.100.7" and newest["user_agent"] == "pytest-agent"
    assert newest["entity_type"] == "job"
    assert newest["timestamp"].endswith("Z") and len(newest["timestamp"]) == 20
    stored = db.session.scalars(
        select(JobAuditLog).where(JobAuditLog.job_id == job_id, JobAuditLog.seq == 5)
    ).one()
    assert newest["checksum"] == stored.checksum and newest["id"] == stored.id
    assert entries[-1]["old_values"] is None


def test_audit_log_pagination(client, factory):
    job_id, _ = job_with_history(factory)
    headers = factory.headers("viewer")
    url = f"/api/jobs-management/{job_id}/audit-log"
    pages = [client.get(f"{url}?page={p}&limit=2", headers=headers).json for p in (1, 2, 3, 4)]
    assert [[e["seq"] for e in p["audit_entries"]] for p in pages] == [[5, 4], [3, 2], [1], []]
    assert pages[0]["pagination"] == {"total": 5, "page": 1, "limit": 2, "pages": 3}
    for bad in ("page=0", "limit=0", "limit=101", "page=x", "sort=seq"):
        assert client.get(f"{url}?{bad}", headers=headers).status_code == 422, bad


def test_audit_log_404_and_deleted_jobs(client, factory):
    headers = factory.headers("recruiter")
    missing = client.get("/api/jobs-management/nope/audit-log", headers=headers)
    assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found"
    assert client.get("/api/jobs-management/nope/audit-log").status_code == 401
    job = factory.job()
    assert client.delete(f"/api/jobs/{job.id}", headers=headers).status_code == 204
    kept = client.get(f"/api/jobs-management/{job.id}/audit-log", headers=headers)
    assert kept.status_code == 200
    assert [e["action_type"] for e in kept.json["audit_entries"]] == ["delete", "create"]


def test_audit_page_shows_diffs(client, factory, auth):
    job_id, _ = job_with_history(factory)
    viewer = factory.user("viewer")
    auth.login(viewer.email)
    page = client.get(f"/jobs/{job_id}/audit")
    assert page.status_code == 200
    html = page.text
    assert "Audit log of “Data Engineer”" in html
    assert html.index("reason closed") < html.index("reason on_hold")  # newest first
    assert "Status change" in html and "Verify audit chain" not in html  # viewer: no button
    assert client.get("/jobs/nope/audit").status_code == 404
    detail = client.get(f"/jobs/{job_id}")
    assert f'href="/jobs/{job_id}/audit"' in detail.text
    assert f'href="/jobs/{job_id}/status"' not in detail.text  # viewer cannot change status


def test_admin_verifies_from_the_page(client, factory, auth):
    job_id, _ = job_with_history(factory)
    admin = factory.user("admin")
    auth.login(admin.email)
    page = client.get(f"/jobs/{job_id}/audit")
    assert "Verify audit chain" in page.text
    ok = client.post(f"/jobs/{job_id}/audit/verify", data={"csrf_token": csrf_from(page.text)})
    assert ok.status_code == 200 and "Valid: 1 job, 5 entries checked" in ok.text
    db.session.execute(
        JobAuditLog.__table__.delete().where(JobAuditLog.job_id == job_id, JobAuditLog.seq == 3)
    )
    db.session.commit()
    all_jobs = client.post("/audit/verify", data={"csrf_token": csrf_from(page.text)})
    assert all_jobs.status_code == 200
    assert "missing" in all_jobs.text and job_id in all_jobs.text
    assert "entry 3 is missing from the chain" in all_jobs.text
    no_csrf = client.post(f"/jobs/{job_id}/audit/verify")
    assert no_csrf.status_code == 400


def test_verify_page_is_admin_only(client, factory, auth):
    job_id, _ = job_with_history(factory)
    recruiter = factory.user("recruiter")
    auth.login(recruiter.email)
    page = client.get(f"/jobs/{job_id}/audit")
    token = csrf_from(page.text)
    assert (
        client.post(f"/jobs/{job_id}/audit/verify", data={"csrf_token": token}).status_code == 403
    )
    assert client.get("/audit/verify").status_code == 403


def test_diff_rows_show_times_in_the_users_zone_names_and_words(app):
    from jobsmgmt.blueprints.audit import diff_rows

    with app.test_request_context():
        named = diff_rows(
            {
                "old_values": {"owner_id": "u-1", "status": "on_hold"},
                "new_values": {"owner_id": "u-2", "status": "open", "required_skills": ["A", "B"]},
            },
            {"u-1": "Ann Owner", "u-2": "Bob Owner"},
        )
        rows = diff_rows(
            {
                "old_values": {
                    "status": "draft",
                    "published_at": None,
                    "odd": "2026-13-45T00:00:00Z",
                },
                "new_values": {
                    "status": "open",
                    "published_at": "2026-11-23T10:15:00.123456Z",
                    "skills": ["SQL"],
                },
            }
        )
    assert rows == [
        ("Status", "Draft", "Open"),
        ("Published", "—", "2026-11-23 10:15"),
        ("Odd", "2026-13-45T00:00:00Z", "—"),
        ("Skills", "—", "SQL"),
    ]
    assert named == [
        ("Owner", "Ann Owner", "Bob Owner"),
        ("Status", "On hold", "Open"),
        ("Required skills", "—", "A, B"),
    ]
