"""A recruiter logs in and creates a job through the form, in a real browser."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from jobsmgmt.extensions import db
from jobsmgmt.models import Job

pytestmark = pytest.mark.browser


def test_login_and_create_job(page, live_server, login, sqlite_app):
    from tests.factories import Factory

    recruiter = Factory(sqlite_app).user("recruiter", name="Rita Recruiter")
    login(recruiter)
    assert "Rita Recruiter" in page.inner_text("nav")

    page.click("text=New job")
    page.fill("input[name=title]", "<script>alert(1)</script>")
    page.fill("input[name=department]", "Engineering")
    page.fill("input[name=location]", "Lisbon")
    page.select_option("select[name=employment_type]", "part_time")
    page.fill("input[name=required_skills]", "Python, SQL")
    page.fill("textarea[name=description]", "Build things.")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.click("main input[type=submit][value='Save job']")

    page.wait_for_selector("h1")
    assert "created as a draft" in page.inner_text(".alert")
    assert "<script>alert(1)</script>" in page.inner_text("h1")  # shown as text, not run
    assert dialogs == []
    db.session.rollback()  # a fresh snapshot of what the server wrote
    job = db.session.scalar(select(Job).where(Job.title == "<script>alert(1)</script>"))
    assert job is not None and job.employment_type == "part_time"
    assert job.required_skills == ["Python", "SQL"] and job.owner_id == recruiter.id

    page.goto(f"{live_server}/")
    assert page.locator("table a", has_text="<script>alert(1)</script>").count() == 1
    assert dialogs == []
