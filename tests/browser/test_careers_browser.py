"""A visitor finds a job on the careers site and applies; the recruiter moves the application
along the pipeline on the job page. In a real browser."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from jobsmgmt.extensions import db
from jobsmgmt.models import Application, Job, JobAnalytics
from tests.factories import set_job

pytestmark = pytest.mark.browser


def test_apply_on_the_careers_site_then_move_the_stage(page, live_server, login, sqlite_app):
    from tests.factories import Factory

    factory = Factory(sqlite_app)
    recruiter = factory.user("recruiter", name="Rita Recruiter")
    job = factory.job(
        owner=recruiter, title="Data Engineer", location="Lisbon", required_skills=["SQL", "Go"]
    )
    factory.job(owner=recruiter, title="Hidden Draft")
    set_job(job.id, status="open")

    page.goto(f"{live_server}/careers")
    assert "Hidden Draft" not in page.inner_text("main")
    page.fill("input[name=q]", "lisbon")
    page.click("main button[type=submit]")
    page.click("text=Data Engineer")
    page.wait_for_selector("text=Apply for this job")
    db.session.rollback()
    rows = db.session.scalars(select(JobAnalytics.view_count).where(JobAnalytics.job_id == job.id))
    assert list(rows) == []  # "HeadlessChrome" is automation: not a counted view

    page.click("text=Apply for this job")
    page.fill("input[name=name]", "Chen Wang")
    page.fill("input[name=email]", "chen@example.com")
    page.fill("input[name=skills]", "SQL, Rust")
    page.fill("textarea[name=resume_text]", "Built pipelines.")
    page.click("main input[type=submit]")
    page.wait_for_selector("text=Thank you for applying")

    db.session.rollback()
    application = db.session.scalar(select(Application).where(Application.job_id == job.id))
    assert application is not None and float(application.match_score) == 50.0

    page.goto(f"{live_server}/careers/{job.id}/apply")
    page.fill("input[name=name]", "Chen Wang")
    page.fill("input[name=email]", "CHEN@example.com")
    page.click("main input[type=submit]")
    page.wait_for_selector("text=has already applied")

    login(recruiter)
    page.goto(f"{live_server}/jobs/{job.id}")
    row = page.locator("#pipeline li.candidate", has_text="Chen Wang")
    row.locator("select[name=stage]").select_option("interview")
    row.locator("button", has_text="Move").click()
    page.wait_for_selector(".alert-success")
    assert "moved to Interview" in page.inner_text(".alert-success")
    assert "Interview 1" in " ".join(page.inner_text("#pipeline .pipeline-counts").split())
    db.session.rollback()
    assert db.session.get(Application, application.id).stage == "interview"


def test_parallel_anonymous_views_on_a_real_server(live_server, sqlite_app):
    """Twenty visitors at once on SQLite, five page loads each: each visitor counted once a
    day, no "database is locked"; the roll-up then sets the job's total."""
    from concurrent.futures import ThreadPoolExecutor

    import requests

    from jobsmgmt.services import careers
    from tests.factories import Factory

    job_id = Factory(sqlite_app).job(title="Busy Role").id
    set_job(job_id, status="open")
    url = f"{live_server}/careers/{job_id}"

    def visit(n: int) -> list[int]:
        with requests.Session() as visitor:
            visitor.headers["User-Agent"] = f"Mozilla/5.0 (X11; Linux) Firefox/{n}"
            return [visitor.get(url).status_code for _ in range(5)]

    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = [code for codes in pool.map(visit, range(20)) for code in codes]
    assert statuses == [200] * 100
    db.session.rollback()
    rows = db.session.scalars(select(JobAnalytics).where(JobAnalytics.job_id == job_id)).all()
    assert [row.view_count for row in rows] == [20]
    careers.roll_up_view_counts()
    db.session.rollback()
    assert db.session.get(Job, job_id).view_count == 20
