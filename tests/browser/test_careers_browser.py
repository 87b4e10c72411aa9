"""A visitor finds a job on the careers site and applies; the recruiter moves the application
along the pipeline on the job page. In a real browser."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from jobsmgmt.extensions import db
from jobsmgmt.models import Application, Job
from tests.test_applications_api import set_job

pytestmark = pytest.mark.browser


def test_apply_on_the_careers_site_then_move_the_stage(page, live_server, login, sqlite_app):
    from tests.conftest import Factory

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
    assert db.session.get(Job, job.id).view_count == 1

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
    row = page.locator("#pipeline tr", has_text="Chen Wang")
    row.locator("select[name=stage]").select_option("interview")
    row.locator("button", has_text="Move").click()
    page.wait_for_selector(".alert-success")
    assert "moved to interview" in page.inner_text(".alert-success")
    assert "Interview 1" in " ".join(page.inner_text("#pipeline .pipeline-counts").split())
    db.session.rollback()
    assert db.session.get(Application, application.id).stage == "interview"
