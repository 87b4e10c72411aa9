"""Issue 15's rules in the services and the JSON API, on both databases: deadlines in the past
refused everywhere (create, edit, open, bulk), the dashboard's case-insensitive department and
location, applications filter and secondary sort, the rejection undo next to the unchanged
PATCH contract, one-time form tokens, notifications read on opening, and the analytics ranking
checked against each job's own analytics."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from jobsmgmt.database import write_intent
from jobsmgmt.extensions import db
from jobsmgmt.models import ApplicationStageEvent, Job, JobAnalytics, Notification, utcnow
from jobsmgmt.services import Actor, analytics, analytics_overview, applications, status
from tests.conftest import csrf_from
from tests.test_bulk_api import bearer

PAST = "2020-01-01T00:00:00Z"
DASHBOARD = "/api/jobs-management/dashboard"


def _set(job_id: str, **values) -> None:
    db.session.rollback()
    with write_intent():
        db.session.execute(update(Job).where(Job.id == job_id).values(**values))
        db.session.commit()
    db.session.rollback()


def test_a_deadline_in_the_past_is_refused_on_create_edit_open_and_bulk(client, factory):
    owner = factory.user("recruiter")
    headers = bearer(factory, owner)
    created = client.post(
        "/api/jobs", json={"title": "X", "application_deadline": PAST}, headers=headers
    )
    assert created.status_code == 422
    assert created.json["error"]["code"] == "deadline_in_past"
    assert "in the past" in created.json["error"]["message"]
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0

    job_id = client.post("/api/jobs", json={"title": "X"}, headers=headers).json["job"]["id"]
    edited = client.patch(
        f"/api/jobs/{job_id}", json={"application_deadline": PAST}, headers=headers
    )
    assert edited.status_code == 422 and edited.json["error"]["code"] == "deadline_in_past"

    _set(job_id, application_deadline=utcnow() - timedelta(hours=1))  # time passed
    # editing something else keeps working; publishing does not
    assert (
        client.patch(f"/api/jobs/{job_id}", json={"title": "Y"}, headers=headers).status_code == 200
    )
    opened = client.put(
        f"/api/jobs-management/{job_id}/status", json={"status": "open"}, headers=headers
    )
    assert opened.status_code == 409 and opened.json["error"]["code"] == "deadline_passed"

    live = factory.job(status="open", owner=owner).id
    for operation, parameters in (
        ("update_fields", {"application_deadline": PAST}),
        ("extend_deadline", {"days": 1}),
    ):
        _set(live, application_deadline=utcnow() - timedelta(days=3))
        body = {
            "job_ids": [live],
            "operation": operation,
            "parameters": parameters,
            "dry_run": True,
        }
        preview = client.post("/api/jobs-management/bulk-update", json=body, headers=headers)
        assert preview.status_code == 200
        assert preview.json["results"][0]["error"]["code"] == "deadline_in_past", operation


def test_dashboard_department_location_applications_and_secondary_sort(client, factory):
    owner = factory.user("recruiter")
    headers = bearer(factory, owner)
    made = {}
    for title, department, location, count in (
        ("A", "Engineering", "Berlin", 0),
        ("B", "engineering", "berlin", 4),
        ("C", "ENGINEERING", "Lisbon", 12),
        ("D", "Sales", "Berlin", 4),
        ("E", "Engineering Ops", "Berlin", 0),
    ):
        made[title] = factory.job(
            owner=owner, title=title, department=department, location=location
        ).id
        _set(made[title], application_count=count)

    def titles(**query) -> list[str]:
        response = client.get(
            DASHBOARD, query_string={"sort": "title", "order": "asc", **query}, headers=headers
        )
        assert response.status_code == 200, response.json
        assert response.json["pagination"]["total"] == len(response.json["jobs"])
        return [job["title"] for job in response.json["jobs"]]

    assert titles(department="engineering") == ["A", "B", "C"]  # whole value, any case
    assert titles(department="ENGINEERING", location="BERLIN") == ["A", "B"]
    assert titles(location="berlin", owner="me") == ["A", "B", "D", "E"]
    assert titles(applications="none") == ["A", "E"]
    assert titles(applications="1-10") == ["B", "D"]
    assert titles(applications="more") == ["C"]
    assert titles(department="engineering", applications="none", search="A") == ["A"]
    assert titles(department="nope") == []
    by_count = client.get(
        DASHBOARD,
        headers=headers,
        query_string={
            "sort": "applications",
            "order": "desc",
            "then": "title",
            "then_order": "desc",
        },
    ).json
    assert [j["title"] for j in by_count["jobs"]] == ["C", "D", "B", "E", "A"]
    bad = client.get(DASHBOARD, query_string={"applications": "lots"}, headers=headers)
    assert bad.status_code == 422

    from jobsmgmt.services import dashboard

    choices = dashboard.facet_choices(db.session, "department")
    assert {c["value"]: c["count"] for c in choices} == {
        "Engineering": 3,
        "Engineering Ops": 1,
        "Sales": 1,
    }
    choices = dashboard.facet_choices(db.session, "location")
    assert {c["value"]: c["count"] for c in choices} == {"Berlin": 4, "Lisbon": 1}


def test_rejection_undo_is_its_own_event_and_patch_keeps_409(client, factory):
    owner = factory.user("recruiter")
    headers = bearer(factory, owner)
    job_id = factory.job(status="open", owner=owner).id
    db.session.rollback()
    with write_intent():
        app_id = applications.apply(db.session, job_id, {"name": "A", "email": "a@x.org"}).id
        applications.move_stage(db.session, app_id, "interview", Actor(owner.id))
        applications.move_stage(db.session, app_id, "rejected", Actor(owner.id))
    db.session.rollback()
    patched = client.patch(
        f"/api/applications/{app_id}", json={"stage": "interview"}, headers=headers
    )
    assert patched.status_code == 409 and patched.json["error"]["code"] == "application_final"
    assert applications.next_stage("shortlisted") == "interview"
    assert applications.next_stage("hired") is None
    with write_intent():
        restored = applications.undo_rejection(db.session, app_id, Actor(owner.id))
        assert restored.stage == "interview"
    db.session.rollback()
    events = db.session.execute(
        select(ApplicationStageEvent.from_stage, ApplicationStageEvent.to_stage)
        .where(ApplicationStageEvent.application_id == app_id)
        .order_by(ApplicationStageEvent.changed_at, ApplicationStageEvent.id)
    ).all()
    assert events[-1] == ("rejected", "interview") and len(events) == 4
    with write_intent(), pytest.raises(Exception, match="not rejected"):
        applications.undo_rejection(db.session, app_id, Actor(owner.id))
    db.session.rollback()


def test_job_form_resubmitted_with_the_same_token_creates_one_job(client, factory, auth):
    user = factory.user("recruiter")
    auth.login(user.email)
    form = client.get("/jobs/new").text
    token = form.split('name="form_token" type="hidden" value="')[1].split('"')[0]
    data = {
        "csrf_token": csrf_from(form),
        "form_token": token,
        "title": "Once",
        "employment_type": "full_time",
        "owner_id": user.id,
    }
    first = client.post("/jobs/new", data=data)
    second = client.post("/jobs/new", data=data)  # back + submit again
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert db.session.scalar(select(func.count()).select_from(Job)) == 1
    new_token = client.get("/jobs/new").text
    assert token not in new_token  # a fresh form gets a fresh token


def test_opening_a_notification_marks_it_read(client, factory, auth):
    owner = factory.user("recruiter")
    other = factory.user("admin")
    job_id = factory.job(status="open", owner=owner).id
    with write_intent():
        status.change_status(db.session, job_id, "on_hold", Actor(other.id), "Budget")
    db.session.rollback()
    auth.login(owner.email)
    page = client.get("/notifications").text
    note = db.session.scalar(select(Notification))
    response = client.post(f"/notifications/{note.id}/open", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302 and response.headers["Location"] == f"/jobs/{job_id}"
    db.session.rollback()
    assert db.session.get(Notification, note.id).read_at is not None


def test_ranking_matches_each_jobs_own_analytics(client, factory):
    owner = factory.user("recruiter")
    today = analytics.now().date()
    jobs = [factory.job(status="open", owner=owner, title=f"J{i}").id for i in range(4)]
    db.session.rollback()
    with write_intent():
        for n, job_id in enumerate(jobs):
            for back in range(1, 4):
                db.session.add(
                    JobAnalytics(
                        job_id=job_id,
                        date=today - timedelta(days=back),
                        view_count=10 * (n + 1) * back,
                        application_count=n * back,
                        hire_count=n % 2,
                    )
                )
        db.session.commit()
        for n in range(3):  # today's applications count from the rows themselves
            applications.apply(db.session, jobs[1], {"name": "P", "email": f"p{n}@x.org"})
        app_id = applications.apply(db.session, jobs[2], {"name": "H", "email": "h@x.org"}).id
        applications.move_stage(db.session, app_id, "hired", Actor(owner.id))
    db.session.rollback()
    start = today - timedelta(days=6)
    ranking = analytics_overview.job_ranking(db.session, start, today, "conversion", "asc")
    assert ranking["total"] == 4
    rates = [row["conversion"] for row in ranking["rows"]]
    assert rates == sorted(rates)
    for row in ranking["rows"]:
        own = analytics.job_analytics(db.session, row["id"], start, today)
        assert row["views"] == own["funnel"]["views"]
        assert row["applications"] == own["funnel"]["applications"]
        assert row["hires"] == own["funnel"]["hires"]
        assert row["conversion"] == own["conversion_rates"]["view_to_application"]
        assert row["time_to_fill"] == own["time_metrics"]["time_to_fill_days"]
    page = analytics_overview.job_ranking(db.session, start, today, "views", "desc", 2, 3)
    assert [r["title"] for r in page["rows"]] == ["J0"]


def test_editing_other_fields_of_a_job_whose_deadline_passed_still_works(client, factory, auth):
    owner = factory.user("recruiter")
    job_id = factory.job(status="closed", owner=owner).id
    _set(job_id, application_deadline=utcnow() - timedelta(days=2, seconds=17))
    auth.login(owner.email)
    form = client.get(f"/jobs/{job_id}/edit").text
    deadline = form.split('name="application_deadline" type="datetime-local" value="')[1][:16]
    data = {
        "csrf_token": csrf_from(form),
        "title": "Renamed",
        "employment_type": "full_time",
        "owner_id": owner.id,
        "application_deadline": deadline,
    }
    response = client.post(f"/jobs/{job_id}/edit", data=data)
    assert response.status_code == 302, response.text
    db.session.rollback()
    assert db.session.get(Job, job_id).title == "Renamed"
