"""Applications through the JSON API (API.md §2), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from jobsmgmt.extensions import db
from jobsmgmt.models import Application, ApplicationStageEvent, Candidate, Job, utcnow
from jobsmgmt.services.applications import compute_match_score
from tests.factories import set_job

APPLICATION_FIELDS = {
    "id",
    "job_id",
    "candidate",
    "stage",
    "match_score",
    "source",
    "applied_at",
    "updated_at",
}


def body(email="ann@example.com", **extra) -> dict:
    return {"candidate": {"name": "Ann Lee", "email": email}, **extra}


def test_apply_returns_the_documented_shape(client, factory):
    headers = factory.headers("recruiter")
    job_id = factory.job(status="open", required_skills=["Python", "SQL"]).id
    response = client.post(
        f"/api/jobs/{job_id}/applications",
        json=body(
            email="Ann.Lee@Example.com",
            skills=["python"],
            resume_text="Five years of SQL.",
            source="referral",
        ),
        headers=headers,
    )
    assert response.status_code == 201, response.json
    assert response.json["success"] is True
    application = response.json["application"]
    assert set(application) == APPLICATION_FIELDS
    assert set(application["candidate"]) == {"id", "name", "email"}
    assert application["candidate"]["email"] == "ann.lee@example.com"
    assert application["stage"] == "applied"
    assert application["match_score"] == 100.0
    assert application["source"] == "referral"
    assert application["job_id"] == job_id
    assert application["applied_at"].endswith("Z")

    job = client.get(f"/api/jobs/{job_id}", headers=headers).json["job"]
    assert job["application_count"] == 1
    events = db.session.scalars(
        select(ApplicationStageEvent).where(
            ApplicationStageEvent.application_id == application["id"]
        )
    ).all()
    assert [(e.from_stage, e.to_stage) for e in events] == [(None, "applied")]


@pytest.mark.parametrize("status", ["draft", "on_hold", "closed", "archived"])
def test_only_open_jobs_accept(client, factory, status):
    headers = factory.headers("recruiter")
    job = factory.job()
    set_job(job.id, status=status)
    response = client.post(f"/api/jobs/{job.id}/applications", json=body(), headers=headers)
    assert response.status_code == 409
    error = response.json["error"]
    assert error["code"] == "job_not_accepting"
    assert status.replace("_", " ") in error["message"]
    assert db.session.scalar(select(func.count()).select_from(Application)) == 0


def test_past_deadline_refused(client, factory):
    headers = factory.headers("recruiter")
    job_id = factory.job(status="open").id
    set_job(job_id, application_deadline=utcnow() - timedelta(minutes=1))
    response = client.post(f"/api/jobs/{job_id}/applications", json=body(), headers=headers)
    assert response.status_code == 409
    assert response.json["error"]["code"] == "job_not_accepting"
    assert "deadline" in response.json["error"]["message"]
    set_job(job_id, application_deadline=utcnow() + timedelta(hours=1))
    ok = client.post(f"/api/jobs/{job_id}/applications", json=body(), headers=headers)
    assert ok.status_code == 201


def test_duplicate_application_reuses_the_candidate(client, factory):
    headers = factory.headers("recruiter")
    first_job, second_job = factory.job(status="open").id, factory.job(status="open").id
    url = f"/api/jobs/{first_job}/applications"
    assert client.post(url, json=body("dup@example.com"), headers=headers).status_code == 201
    again = client.post(url, json=body("DUP@example.com"), headers=headers)
    assert again.status_code == 409
    assert again.json["error"]["code"] == "duplicate_application"
    other = client.post(
        f"/api/jobs/{second_job}/applications", json=body("Dup@Example.com"), headers=headers
    )
    assert other.status_code == 201
    assert db.session.scalar(select(func.count()).select_from(Candidate)) == 1
    counts = dict(db.session.execute(select(Job.id, Job.application_count)).all())
    assert counts[first_job] == 1 and counts[second_job] == 1


@pytest.mark.parametrize(
    ("required", "skills", "resume", "expected"),
    [
        (["Java", "SQL", "Docker"], ["JavaScript"], "I love SQL", Decimal("33.33")),
        (["Java", "SQL", "Docker"], ["java"], "docker and sql", Decimal("100.00")),
        (["Java", "SQL", "Docker"], [], "javascript, mysql, dockerfile", Decimal("0.00")),
        (["C++", "Go", "Node.js"], ["c++"], "Node.js services; golang", Decimal("66.67")),
        (["Python"], None, None, Decimal("0.00")),
        ([], ["Python"], "Python", None),
        (["Machine Learning", "AWS", "Kubernetes"], ["aws"], "machine learning", Decimal("66.67")),
    ],
)
def test_match_score_rule(required, skills, resume, expected):
    assert compute_match_score(required, skills, resume) == expected


def test_match_score_computed_supplied_and_null(client, factory):
    headers = factory.headers("recruiter")
    job_id = factory.job(status="open", required_skills=["Java", "SQL", "Docker"]).id
    no_skills = factory.job(status="open", required_skills=[]).id
    url = f"/api/jobs/{job_id}/applications"
    computed = client.post(
        url, json=body("a@example.com", skills=["JavaScript", "SQL"]), headers=headers
    )
    assert computed.json["application"]["match_score"] == 33.33  # 1 of 3: Java ≠ JavaScript
    two = client.post(url, json=body("b@example.com", resume_text="java, docker"), headers=headers)
    assert two.json["application"]["match_score"] == 66.67
    supplied = client.post(url, json=body("c@example.com", match_score=87.456), headers=headers)
    assert supplied.json["application"]["match_score"] == 87.46
    whole = client.post(url, json=body("d@example.com", match_score=80), headers=headers)
    assert whole.status_code == 201 and whole.json["application"]["match_score"] == 80.0
    zero = client.post(
        url, json=body("e@example.com", match_score=0, skills=["Java"]), headers=headers
    )
    assert zero.json["application"]["match_score"] == 0.0  # supplied wins over computed
    none = client.post(
        f"/api/jobs/{no_skills}/applications", json=body(skills=["Java"]), headers=headers
    )
    assert none.json["application"]["match_score"] is None


@pytest.mark.parametrize(
    "payload",
    [
        {"candidate": {"name": "A", "email": "not-an-email"}},
        {"candidate": {"name": "", "email": "a@example.com"}},
        {"candidate": {"email": "a@example.com"}},
        {"candidate": {"name": "A", "email": "a@example.com"}, "match_score": 101},
        {"candidate": {"name": "A", "email": "a@example.com"}, "match_score": -1},
        {"candidate": {"name": "A", "email": "a@example.com"}, "skills": "Python"},
        {"candidate": {"name": "A", "email": "a@example.com"}, "stage": "hired"},
        {"candidate": {"name": "A", "email": "a@example.com", "admin": True}},
        {},
    ],
)
def test_bad_bodies_are_422(client, factory, payload):
    headers = factory.headers("recruiter")
    job_id = factory.job(status="open").id
    response = client.post(f"/api/jobs/{job_id}/applications", json=payload, headers=headers)
    assert response.status_code == 422, response.json
    assert response.json["error"]["details"]["fields"]


def test_malformed_json_and_unknown_ids(client, factory):
    headers = factory.headers("recruiter")
    job_id = factory.job(status="open").id
    bad = client.post(
        f"/api/jobs/{job_id}/applications",
        data="{not json",
        headers={**headers, "Content-Type": "application/json"},
    )
    assert bad.status_code == 422
    missing = client.post("/api/jobs/nope/applications", json=body(), headers=headers)
    assert missing.status_code == 404
    assert client.get("/api/jobs/nope/applications", headers=headers).status_code == 404
    patch = client.patch("/api/applications/nope", json={"stage": "shortlisted"}, headers=headers)
    assert patch.status_code == 404


def test_permissions(client, factory):
    job_id = factory.job(status="open").id
    url = f"/api/jobs/{job_id}/applications"
    assert client.post(url, json=body()).status_code == 401
    viewer = factory.headers("viewer")
    assert client.post(url, json=body(), headers=viewer).status_code == 403
    created = client.post(url, json=body(), headers=factory.headers("recruiter"))
    application_id = created.json["application"]["id"]
    assert client.get(url, headers=viewer).status_code == 200
    patch = client.patch(
        f"/api/applications/{application_id}", json={"stage": "shortlisted"}, headers=viewer
    )
    assert patch.status_code == 403


def test_list_filter_and_paginate(client, factory):
    headers = factory.headers("recruiter")
    job_id = factory.job(status="open").id
    other = factory.job(status="open").id
    ids = []
    for n in range(5):
        created = client.post(
            f"/api/jobs/{job_id}/applications", json=body(f"p{n}@example.com"), headers=headers
        )
        ids.append(created.json["application"]["id"])
    client.post(f"/api/jobs/{other}/applications", json=body("x@example.com"), headers=headers)
    client.patch(f"/api/applications/{ids[0]}", json={"stage": "shortlisted"}, headers=headers)

    page = client.get(f"/api/jobs/{job_id}/applications?limit=2&page=3", headers=headers).json
    assert page["pagination"] == {"total": 5, "page": 3, "limit": 2, "pages": 3}
    assert len(page["applications"]) == 1
    everything = client.get(f"/api/jobs/{job_id}/applications?limit=100", headers=headers).json
    assert sorted(a["id"] for a in everything["applications"]) == sorted(ids)
    shortlisted = client.get(
        f"/api/jobs/{job_id}/applications?stage=shortlisted", headers=headers
    ).json
    assert [a["id"] for a in shortlisted["applications"]] == [ids[0]]
    assert shortlisted["pagination"]["total"] == 1
    for query in ("stage=bogus", "limit=0", "limit=101", "page=0", "page=x", "color=red"):
        response = client.get(f"/api/jobs/{job_id}/applications?{query}", headers=headers)
        assert response.status_code == 422, query


def test_stage_moves_and_reached_columns(client, factory):
    headers = factory.headers("recruiter")
    job_id = factory.job(status="open").id
    created = client.post(f"/api/jobs/{job_id}/applications", json=body(), headers=headers)
    application_id = created.json["application"]["id"]
    url = f"/api/applications/{application_id}"

    def row() -> Application:
        db.session.rollback()
        return db.session.get(Application, application_id)

    # Skipping ahead sets every skipped pipeline stage at once.
    moved = client.patch(url, json={"stage": "interview"}, headers=headers)
    assert moved.status_code == 200 and moved.json["application"]["stage"] == "interview"
    first = row()
    assert first.reached_shortlisted_at is not None
    assert first.reached_shortlisted_at == first.reached_interview_at
    assert first.reached_offer_at is None and first.reached_hired_at is None
    reached_interview = first.reached_interview_at

    # Back is allowed and clears nothing; forward again does not overwrite.
    assert client.patch(url, json={"stage": "applied"}, headers=headers).status_code == 200
    assert row().reached_interview_at == reached_interview
    assert client.patch(url, json={"stage": "offer"}, headers=headers).status_code == 200
    again = row()
    assert again.reached_interview_at == reached_interview
    assert again.reached_offer_at is not None and again.reached_offer_at > reached_interview

    # Same stage: no change, no event.
    same = client.patch(url, json={"stage": "offer"}, headers=headers)
    assert same.status_code == 200
    events = db.session.scalars(
        select(ApplicationStageEvent)
        .where(ApplicationStageEvent.application_id == application_id)
        .order_by(ApplicationStageEvent.changed_at)
    ).all()
    assert [(e.from_stage, e.to_stage) for e in events] == [
        (None, "applied"),
        ("applied", "interview"),
        ("interview", "applied"),
        ("applied", "offer"),
    ]

    assert client.patch(url, json={"stage": "hired"}, headers=headers).status_code == 200
    assert row().reached_hired_at is not None
    for stage in ("offer", "applied", "rejected", "withdrawn"):
        final = client.patch(url, json={"stage": stage}, headers=headers)
        assert final.status_code == 409
        assert final.json["error"]["code"] == "application_final"
    assert client.patch(url, json={"stage": "nope"}, headers=headers).status_code == 422


@pytest.mark.parametrize("final", ["rejected", "withdrawn"])
def test_rejected_and_withdrawn_are_final_and_reach_nothing(client, factory, final):
    headers = factory.headers("recruiter")
    job_id = factory.job(status="open").id
    created = client.post(f"/api/jobs/{job_id}/applications", json=body(), headers=headers)
    url = f"/api/applications/{created.json['application']['id']}"
    assert client.patch(url, json={"stage": final}, headers=headers).status_code == 200
    db.session.rollback()
    row = db.session.get(Application, created.json["application"]["id"])
    assert row.reached_shortlisted_at is None and row.reached_hired_at is None
    refused = client.patch(url, json={"stage": "shortlisted"}, headers=headers)
    assert refused.status_code == 409 and refused.json["error"]["code"] == "application_final"


def test_openapi_documents_the_routes(client):
    paths = client.get("/api/openapi.json").json["paths"]
    assert {"post", "get"} <= set(paths["/api/jobs/{job_id}/applications"])
    assert "patch" in paths["/api/applications/{application_id}"]
