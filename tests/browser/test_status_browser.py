"""In a real browser: a recruiter changes a job's status through the form, the owner sees the
notification badge and the audit log shows the change; an admin verifies the chain."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import select

from jobsmgmt.extensions import db
from jobsmgmt.models import Job, JobStatusHistory

pytestmark = pytest.mark.browser
SCREENSHOTS = os.environ.get("JOBSMGMT_SCREENSHOTS")  # a directory, to look at the pages


def test_change_status_notify_and_audit(page, live_server, login, sqlite_app):
    from tests.factories import Factory

    factory = Factory(sqlite_app)
    owner = factory.user("recruiter", name="Olga Owner")
    admin = factory.user("admin", name="Ada Admin")
    job_id = factory.job(owner=owner, title="Site Reliability Engineer").id

    login(admin)
    page.goto(f"{live_server}/jobs/{job_id}")
    page.click("text=Change status")
    options = page.locator("select[name=status] option").evaluate_all(
        "els => els.map(e => e.value)"
    )
    assert options == ["open", "archived"]
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/status.png", full_page=True)
    page.select_option("select[name=status]", "open")
    page.fill("textarea[name=reason]", "Hiring plan approved")
    page.click("main input[type=submit][value='Change status']")
    page.wait_for_url(f"{live_server}/jobs/{job_id}")
    assert "Status changed from draft to open." in page.inner_text(".alert")
    assert page.inner_text("h1 .status-badge").lower() == "open"

    db.session.rollback()  # what the server wrote
    assert db.session.get(Job, job_id).status == "open"
    history = db.session.scalars(
        select(JobStatusHistory).where(JobStatusHistory.job_id == job_id)
    ).one()
    assert history.reason == "Hiring plan approved" and history.changed_by == admin.id

    page.click("text=Audit log")
    rows = page.locator("table.audit-log tbody").inner_text()
    assert rows.index("Status change") < rows.index("Create")  # newest first
    assert "Hiring plan approved" in rows
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/audit.png", full_page=True)
    page.click("main input[type=submit][value='Verify audit chain']")
    assert "Valid: 1 job, 2 entries checked" in page.inner_text(".alert")

    page.click("nav button:has-text('Log out')")
    login(owner)
    assert page.locator("nav [aria-label='1 unread']").inner_text() == "1"
    page.click("nav >> text=Notifications")
    assert "Ada Admin moved “Site Reliability Engineer” from draft to open." in page.inner_text(
        "main"
    )
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/notifications.png", full_page=True)
    page.click("main button:has-text('Mark all as read')")
    assert "Marked 1 notification as read." in page.inner_text(".alert")
    assert page.locator("nav [aria-label$='unread']").count() == 0
