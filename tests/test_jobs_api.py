"""Jobs through the JSON API (API.md §2), on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import func, select

from jobsmgmt.extensions import db
from jobsmgmt.models import Job, JobAuditLog

JOB = {
    "title": "Data Engineer",
    "department": "Data",
    "location": "Berlin",
    "employment_type": "contract",
    "description": "Pipelines.",
    "required_skills": ["Python", "SQL"],
    "application_deadline": "2099-01-31T17:00:00+01:00",
}
JOB_FIELDS = {
    "id",
    "title",
    "department",
    "location",
    "employment_type",
    "description",
    "required_skills",
    "status",
    "owner_id",
    "application_deadline",
    "view_count",
    "application_count",
    "created_at",
    "updated_at",
    "published_at",
    "closed_at",
    "archived_at",
}


def test_create_get_patch_delete(client, factory):
    recruiter = factory.user("recruiter")
    headers = {"Authorization": f"Bearer {factory.token(recruiter)}"}

    created = client.post("/api/jobs", json=JOB, headers=headers)
    assert created.status_code == 201, created.json
    job = created.json["job"]
    assert created.json["success"] is True
    assert set(job) == JOB_FIELDS
    assert job["status"] == "draft"
    assert job["owner_id"] == recruiter.id
    assert job["application_deadline"] == "2099-01-31T16:00:00Z"  # converted to UTC
    assert job["view_count"] == 0 and job["application_count"] == 0
    assert created.headers["Location"] == f"/api/jobs/{job['id']}"

    fetched = client.get(f"/api/jobs/{job['id']}", headers=headers)
    assert fetched.status_code == 200 and fetched.json["job"] == job

    patched = client.patch(f"/api/jobs/{job['id']}", json={"location": "Munich"}, headers=headers)
    assert patched.status_code == 200
    assert patched.json["job"]["location"] == "Munich"
    assert patched.json["job"]["title"] == "Data Engineer"

    deleted = client.delete(f"/api/jobs/{job['id']}", headers=headers)
    assert deleted.status_code == 204 and deleted.data == b""
    assert client.get(f"/api/jobs/{job['id']}", headers=headers).status_code == 404
    row = db.session.get(Job, job["id"])
    assert row is not None and row.deleted_at is not None  # soft delete: the row stays

    entries = db.session.scalars(
        select(JobAuditLog).where(JobAuditLog.job_id == job["id"]).order_by(JobAuditLog.seq)
    ).all()
    assert [(e.seq, e.action_type) for e in entries] == [
        (1, "create"),
        (2, "update"),
        (3, "delete"),
    ]
    assert entries[1].old_values == {"location": "Berlin"}
    assert entries[1].new_values == {"location": "Munich"}
    assert entries[1].user_id == recruiter.id


def test_owner_can_be_another_active_user(client, factory):
    headers = factory.headers("admin")
    other = factory.user("recruiter")
    response = client.post("/api/jobs", json={"title": "QA", "owner_id": other.id}, headers=headers)
    assert response.status_code == 201 and response.json["job"]["owner_id"] == other.id
    unknown = client.post("/api/jobs", json={"title": "QA", "owner_id": "nobody"}, headers=headers)
    assert unknown.status_code == 422
    assert "owner_id" in unknown.json["error"]["details"]["fields"]


def test_validation_errors_are_422_with_fields(client, factory):
    headers = factory.headers("recruiter")
    cases = [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"title": "Ok", "employment_type": "freelance"}, "employment_type"),
        ({"title": "Ok", "required_skills": "Python"}, "required_skills"),
        ({"title": 42}, "title"),
        ({"title": "Ok", "status": "open"}, "status"),  # unknown field: no mass assignment
        ({"title": "Ok", "view_count": 1000}, "view_count"),
        ({"title": "Ok", "application_deadline": "tomorrow"}, "application_deadline"),
        ({}, "title"),
        ({"title": "nul\u0000byte"}, "title"),
        ({"title": "Ok", "required_skills": ["a\u0000"]}, "required_skills.0"),
        ({"title": "Ok", "application_deadline": "0400-06-03T21:05:42Z"}, "application_deadline"),
    ]
    for body, field in cases:
        response = client.post("/api/jobs", json=body, headers=headers)
        assert response.status_code == 422, body
        error = response.json["error"]
        assert response.json["success"] is False
        assert error["code"] == "validation_error"
        assert field in error["details"]["fields"], (body, error)
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0


def test_malformed_json_is_422(client, factory):
    headers = {**factory.headers("recruiter"), "Content-Type": "application/json"}
    for raw in (b"{", b"", b"[]", b"null", b'"title"'):
        response = client.post("/api/jobs", data=raw, headers=headers)
        assert response.status_code == 422, raw
        assert response.json["error"]["code"] == "validation_error"


def test_patch_rules(client, factory):
    headers = factory.headers("recruiter")
    job = factory.job()
    assert (
        client.patch(f"/api/jobs/{job.id}", json={"status": "open"}, headers=headers).status_code
        == 422
    )
    assert (
        client.patch(f"/api/jobs/{job.id}", json={"title": None}, headers=headers).status_code
        == 422
    )
    assert (
        client.patch("/api/jobs/unknown", json={"title": "x"}, headers=headers).status_code == 404
    )
    job.status = "archived"
    db.session.commit()
    archived = client.patch(f"/api/jobs/{job.id}", json={"title": "New"}, headers=headers)
    assert archived.status_code == 409
    assert archived.json["error"]["code"] == "job_archived"


def test_unchanged_patch_writes_no_audit(client, factory):
    headers = factory.headers("recruiter")
    job = factory.job(location="Remote")
    response = client.patch(f"/api/jobs/{job.id}", json={"location": "Remote"}, headers=headers)
    assert response.status_code == 200
    assert (
        db.session.scalar(
            select(func.count()).select_from(JobAuditLog).where(JobAuditLog.job_id == job.id)
        )
        == 1
    )


def test_delete_only_draft_closed_archived(client, factory):
    headers = factory.headers("recruiter")
    for status, expected in (
        ("open", 409),
        ("on_hold", 409),
        ("draft", 204),
        ("closed", 204),
        ("archived", 204),
    ):
        job = factory.job()
        job.status = status
        db.session.commit()
        response = client.delete(f"/api/jobs/{job.id}", headers=headers)
        assert response.status_code == expected, status
        if expected == 409:
            assert response.json["error"]["code"] == "job_not_deletable"
    assert client.delete("/api/jobs/does-not-exist", headers=headers).status_code == 404


def test_unknown_route_and_method_are_json(client, factory):
    headers = factory.headers("viewer")
    missing = client.get("/api/nothing-here", headers=headers)
    assert missing.status_code == 404 and missing.json["error"]["code"] == "not_found"
    wrong = client.put("/api/jobs", json={}, headers=headers)
    assert wrong.status_code == 405 and wrong.json["success"] is False


def test_impossible_ids_are_404_everywhere(client, factory):
    headers = factory.headers("admin")
    for url in (
        "/api/jobs/a%00b",
        "/api/jobs/" + "x" * 101,
        "/jobs/a%00b",
        "/careers/a%00b",
        "/api/jobs-management/a%00b/analytics",
        "/jobs/a%00b/audit",
    ):
        response = client.get(url, headers=headers)
        assert response.status_code == 404, url
    patched = client.patch("/api/jobs/a%00b", json={"title": "x"}, headers=headers)
    assert patched.status_code == 404


def test_a_viewer_cannot_own_a_job(client, factory):
    headers = factory.headers("admin")
    viewer = factory.user("viewer")
    response = client.post(
        "/api/jobs", json={"title": "QA", "owner_id": viewer.id}, headers=headers
    )
    assert response.status_code == 422
    assert "owner_id" in response.json["error"]["details"]["fields"]
