"""The public careers pages: listing, the job page counting anonymous views, the apply form."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from jobsmgmt.extensions import db
from jobsmgmt.models import Application, Job, JobAnalytics, utcnow
from jobsmgmt.services import careers
from tests.conftest import csrf_from
from tests.factories import set_job


def apply_data(page_html: str, email: str = "cand@example.com", **extra) -> dict:
    return {
        "csrf_token": csrf_from(page_html),
        "name": "Cand Idate",
        "email": email,
        "phone": "+49 30 1234",
        "skills": "Python, Docker",
        "resume_text": "Ten years of SQL.",
        **extra,
    }


def views_of(job_id: str) -> tuple[int, int]:
    """(jobs.view_count, sum of the job's daily view rows), read fresh."""
    db.session.rollback()
    total = db.session.scalar(select(Job.view_count).where(Job.id == job_id))
    daily = db.session.scalar(
        select(func.coalesce(func.sum(JobAnalytics.view_count), 0)).where(
            JobAnalytics.job_id == job_id
        )
    )
    return total, daily


def test_list_shows_open_jobs_only_and_searches(client, factory):
    shown = factory.job(status="open", title="Platform Engineer", location="Berlin").id
    factory.job(status="open", title="Sales Lead 100%", department="Sales", location="Paris")
    factory.job(title="Secret Draft")
    closed = factory.job(title="Old Closed Role")
    set_job(closed.id, status="closed")
    expired = factory.job(status="open", title="Expired Role").id
    set_job(expired, application_deadline=utcnow() - timedelta(hours=1))

    page = client.get("/careers")
    assert page.status_code == 200
    assert "Platform Engineer" in page.text and "Sales Lead 100%" in page.text
    for hidden in ("Secret Draft", "Old Closed Role", "Expired Role"):
        assert hidden not in page.text
    assert f"/careers/{shown}" in page.text

    berlin = client.get("/careers?q=berlin").text
    assert "Platform Engineer" in berlin and "Sales Lead" not in berlin
    percent = client.get("/careers?q=100%25").text  # % is literal
    assert "Sales Lead 100%" in percent and "Platform Engineer" not in percent
    underscore = client.get("/careers?q=_").text
    assert "No open positions match" in underscore
    assert client.get("/careers?page=999").status_code == 200
    assert client.get("/careers?page=abc").status_code == 200


def test_anonymous_views_count_in_both_places(client, factory):
    """Three visitors (address + browser), each twice: three views on the day's row at once,
    on the job's total after the roll-up task (archived jobs: see test_hardening)."""
    job_id = factory.job(status="open").id
    for visitor in (1, 2, 3, 1, 2, 3):
        page = client.get(
            f"/careers/{job_id}",
            headers={"User-Agent": f"Mozilla/5.0 Firefox/{visitor}"},
            environ_base={"REMOTE_ADDR": f"192.0.2.{visitor}"},
        )
        assert page.status_code == 200
        assert f"/careers/{job_id}/apply" in page.text
    assert views_of(job_id) == (0, 3)
    careers.roll_up_view_counts()
    assert views_of(job_id) == (3, 3)
    rows = db.session.scalars(select(JobAnalytics).where(JobAnalytics.job_id == job_id)).all()
    assert [(r.date, r.view_count, r.application_count) for r in rows] == [(utcnow().date(), 3, 0)]


def test_staff_previews_and_hidden_jobs_do_not_count(client, factory, auth):
    job_id = factory.job(status="open").id
    recruiter = factory.user("recruiter")
    auth.login(recruiter.email)
    assert client.get(f"/careers/{job_id}").status_code == 200
    assert views_of(job_id) == (0, 0)
    auth.logout()
    assert client.head(f"/careers/{job_id}").status_code == 200
    assert views_of(job_id) == (0, 0)

    draft = factory.job(title="Draft role")
    closed = factory.job(title="Closed role")
    set_job(closed.id, status="closed")
    for job_id in (draft.id, closed.id, "no-such-job"):
        page = client.get(f"/careers/{job_id}")
        assert page.status_code == 404
        assert "not available" in page.text
    assert views_of(closed.id) == (0, 0)
    assert db.session.scalar(select(func.count()).select_from(JobAnalytics)) == 0


def test_apply_through_the_form(client, factory):
    job_id = factory.job(status="open", required_skills=["Python", "SQL", "Java"]).id
    form = client.get(f"/careers/{job_id}/apply")
    assert form.status_code == 200
    sent = client.post(f"/careers/{job_id}/apply", data=apply_data(form.text))
    assert sent.status_code == 302
    assert sent.headers["Location"].endswith(f"/careers/{job_id}/applied")
    thanks = client.get(sent.headers["Location"])
    assert "Thank you for applying" in thanks.text

    db.session.rollback()
    application = db.session.scalar(select(Application).where(Application.job_id == job_id))
    assert application.source == "careers"
    assert application.candidate.email == "cand@example.com"
    assert application.skills == ["Python", "Docker"]
    assert float(application.match_score) == 66.67  # Python (skills) and SQL (résumé) of 3
    assert db.session.get(Job, job_id).application_count == 1


def test_apply_form_refuses_duplicates_with_a_message(client, factory):
    job_id = factory.job(status="open").id
    form = client.get(f"/careers/{job_id}/apply")
    assert client.post(f"/careers/{job_id}/apply", data=apply_data(form.text)).status_code == 302
    form = client.get(f"/careers/{job_id}/apply")
    again = client.post(
        f"/careers/{job_id}/apply", data=apply_data(form.text, email="CAND@example.com")
    )
    assert again.status_code == 409
    assert 'data-code="duplicate_application"' in again.text
    assert "already applied" in again.text
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Application)) == 1


@pytest.mark.parametrize("state", ["on_hold", "closed", "past_deadline"])
def test_apply_page_refuses_jobs_not_accepting(client, factory, state):
    job_id = factory.job(status="open").id
    form = client.get(f"/careers/{job_id}/apply")  # the form was open when the page loaded
    if state == "past_deadline":
        set_job(job_id, application_deadline=utcnow() - timedelta(seconds=1))
    else:
        set_job(job_id, status=state)

    direct = client.get(f"/careers/{job_id}/apply")
    assert direct.status_code == 409
    assert 'data-code="job_not_accepting"' in direct.text
    assert "accepting applications" in direct.text
    assert '<form method="post"' not in direct.text

    posted = client.post(f"/careers/{job_id}/apply", data=apply_data(form.text))
    assert posted.status_code == 409
    assert 'data-code="job_not_accepting"' in posted.text
    expected = "deadline" if state == "past_deadline" else state.replace("_", " ")
    assert expected in posted.text
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Application)) == 0


def test_apply_form_validation_and_csrf(client, factory):
    job_id = factory.job(status="open").id
    form = client.get(f"/careers/{job_id}/apply")
    bad = client.post(f"/careers/{job_id}/apply", data=apply_data(form.text, email="nope"))
    assert bad.status_code == 422
    assert "invalid-feedback" in bad.text
    missing_csrf = {k: v for k, v in apply_data(form.text).items() if k != "csrf_token"}
    assert client.post(f"/careers/{job_id}/apply", data=missing_csrf).status_code == 400
    assert client.get("/careers/no-such-job/apply").status_code == 404
    draft = factory.job()
    assert client.get(f"/careers/{draft.id}/apply").status_code == 404
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Application)) == 0


def test_titles_are_escaped(client, factory):
    job_id = factory.job(status="open", title="<script>alert(1)</script>").id
    for url in ("/careers", f"/careers/{job_id}", f"/careers/{job_id}/apply"):
        page = client.get(url)
        assert "<script>alert(1)</script>" not in page.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text


def test_text_no_database_can_store_is_refused_not_a_500(client, factory):
    job_id = factory.job(status="open").id
    for url in ("/careers/%00", "/careers/%00/apply", "/careers/" + "x" * 300):
        assert client.get(url).status_code == 404, url
    for query in ("a%00b", "%ED%A0%80"):
        assert client.get(f"/careers?q={query}").status_code == 200
    form = client.get(f"/careers/{job_id}/apply")
    sent = client.post(
        f"/careers/{job_id}/apply", data=apply_data(form.text, name="A\x00B", resume_text="x\x00")
    )
    assert sent.status_code == 422
    assert "control characters" in sent.text
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Application)) == 0
