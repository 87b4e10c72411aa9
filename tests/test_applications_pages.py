"""The pipeline on the job page: counts per stage, the table, moving a stage by form."""

from __future__ import annotations

from sqlalchemy import select

from jobsmgmt.database import write_intent
from jobsmgmt.extensions import db
from jobsmgmt.models import Application
from jobsmgmt.services import applications
from tests.conftest import csrf_from


def add_applications(job_id: str, count: int) -> list[str]:
    ids = []
    with write_intent():
        for n in range(count):
            created = applications.apply(
                db.session, job_id, {"name": f"Person {n}", "email": f"p{n}@example.com"}
            )
            ids.append(created.id)
    db.session.rollback()
    return ids


def test_pipeline_counts_table_and_move(client, factory, auth):
    job_id = factory.job(status="open").id
    ids = add_applications(job_id, 3)
    recruiter = factory.user("recruiter")
    auth.login(recruiter.email)

    page = client.get(f"/jobs/{job_id}")
    assert page.status_code == 200
    assert 'id="pipeline"' in page.text
    assert 'data-stage="applied"' in page.text
    assert page.text.count('/stage"') == 3  # one move form per application
    assert "Person 0" in page.text and "p2@example.com" in page.text

    moved = client.post(
        f"/applications/{ids[0]}/stage",
        data={"csrf_token": csrf_from(page.text), "stage": "interview", "job_id": job_id},
    )
    assert moved.status_code == 302
    assert moved.headers["Location"].endswith(f"/jobs/{job_id}#pipeline")
    db.session.rollback()
    row = db.session.get(Application, ids[0])
    assert row.stage == "interview" and row.reached_shortlisted_at is not None

    filtered = client.get(f"/jobs/{job_id}?stage=interview")
    assert "Person 0" in filtered.text and "Person 1" not in filtered.text

    hired = client.post(
        f"/applications/{ids[0]}/stage",
        data={"csrf_token": csrf_from(page.text), "stage": "hired", "job_id": job_id},
    )
    assert hired.status_code == 302
    refused = client.post(
        f"/applications/{ids[0]}/stage",
        data={"csrf_token": csrf_from(page.text), "stage": "applied", "job_id": job_id},
        follow_redirects=True,
    )
    assert refused.status_code == 200
    assert "that stage is final" in refused.text
    bogus = client.post(
        f"/applications/{ids[1]}/stage",
        data={"csrf_token": csrf_from(page.text), "stage": "bogus", "job_id": job_id},
        follow_redirects=True,
    )
    assert "Stage must be one of" in bogus.text
    db.session.rollback()
    assert db.session.get(Application, ids[1]).stage == "applied"


def test_pipeline_paginates(client, factory, auth):
    job_id = factory.job(status="open").id
    add_applications(job_id, 27)
    auth.login(factory.user("viewer").email)
    first = client.get(f"/jobs/{job_id}")
    assert "Page 1 of 2" in first.text
    second = client.get(f"/jobs/{job_id}?page=2")
    assert second.text.count("@example.com</a></dd>") == 2


def test_viewers_see_no_forms_and_cannot_move(client, factory, auth):
    job_id = factory.job(status="open").id
    (application_id,) = add_applications(job_id, 1)
    auth.login(factory.user("viewer").email)
    page = client.get(f"/jobs/{job_id}")
    assert page.status_code == 200 and "Person 0" in page.text
    assert f"/applications/{application_id}/stage" not in page.text
    refused = client.post(
        f"/applications/{application_id}/stage",
        data={"csrf_token": csrf_from(page.text), "stage": "shortlisted"},
    )
    assert refused.status_code == 403
    db.session.rollback()
    stage = db.session.scalar(select(Application.stage).where(Application.id == application_id))
    assert stage == "applied"


def test_move_needs_csrf(client, factory, auth):
    job_id = factory.job(status="open").id
    (application_id,) = add_applications(job_id, 1)
    auth.login(factory.user("recruiter").email)
    response = client.post(f"/applications/{application_id}/stage", data={"stage": "offer"})
    assert response.status_code == 400


def test_impossible_ids_and_stages(client, factory, auth):
    job_id = factory.job(status="open").id
    (application_id,) = add_applications(job_id, 1)
    auth.login(factory.user("recruiter").email)
    token = csrf_from(client.get(f"/jobs/{job_id}").text)
    missing = client.post("/applications/%00/stage", data={"csrf_token": token, "stage": "offer"})
    assert missing.status_code == 404
    odd = client.post(
        f"/applications/{application_id}/stage",
        data={"csrf_token": token, "stage": "offer\x00", "job_id": "\x00"},
    )
    assert odd.status_code == 302 and odd.headers["Location"] == "/"
    db.session.rollback()
    assert db.session.get(Application, application_id).stage == "applied"
