"""Issue 15, findings 8 and 10 in Chromium: a bulk selection kept across pages and filters, a
run limited to the jobs the preview says would succeed with a live progress header, and the
undo of a finished operation — previewed, skipping and naming a job changed since, run as its
own operation."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from jobsmgmt.database import write_intent
from jobsmgmt.extensions import db
from jobsmgmt.models import BulkOperation, Job
from jobsmgmt.services import Actor, jobs
from tests.browser.test_bulk_browser import _bar_values
from tests.factories import Factory

pytestmark = pytest.mark.browser


def test_8_selection_survives_paging_and_only_the_succeeding_jobs_run(
    page, live_server, login, sqlite_app
):
    sqlite_app.config["BULK_JOB_DELAY_MS"] = 1500  # slow enough to see the header while running
    factory = Factory(sqlite_app)
    recruiter = factory.user("recruiter")
    opened = [factory.job(status="open", owner=recruiter, title=f"Open {i}").id for i in range(3)]
    drafts = [factory.job(status="draft", owner=recruiter, title=f"Draft {i}").id for i in range(2)]
    login(recruiter)

    page.goto(f"{live_server}/?sort=title&order=asc&limit=10&status=open")
    for job_id in opened[:2]:
        page.check(f"input[name=job_ids][value='{job_id}']")
    page.goto(f"{live_server}/?sort=title&order=asc&limit=10&status=draft")  # filter changed
    assert page.locator("input.job-select:checked").count() == 0
    # the selection rides along in the links and the filter form
    page.goto(f"{live_server}/?sort=title&order=asc&limit=10&status=open")
    page.check(f"input[name=job_ids][value='{opened[0]}']")
    page.click("a[data-summary=draft]")  # another filter, through the page's own link
    page.wait_for_url("**status=draft**")
    assert "selected=" in page.url
    assert "1 selected" in page.inner_text("#selected-count")
    for job_id in drafts:
        page.check(f"input[name=job_ids][value='{job_id}']")
    page.select_option("#limit", "10")
    page.click("#filters button[type=submit]")  # and through the filter form
    page.wait_for_load_state()
    assert "3 selected" in page.inner_text("#selected-count")
    page.click("#bulk-submit")
    page.wait_for_url(f"{live_server}/bulk?*")
    assert page.locator("#bulk-selection tbody tr").count() == 3

    page.select_option("select[name=operation]", "status_update")
    page.select_option("select[name=status]", "on_hold")  # drafts cannot go on hold
    page.click("button[value=preview]")
    page.wait_for_selector("#bulk-preview")
    assert "1 would succeed, 2 would fail" in page.inner_text("#bulk-preview-summary")
    assert "cannot move to on hold" in page.inner_text("#bulk-preview")
    button = page.locator("#bulk-confirm-succeeding button")
    assert button.inner_text() == "Run on the 1 that would succeed"
    button.click()
    page.wait_for_url(f"{live_server}/bulk/*")
    header_seen = []
    for _ in range(100):  # the header fills in while the operation runs
        text = page.inner_text("#bulk-header") if page.locator("#bulk-header").count() else ""
        header_seen.append(text)
        if "finished 20" in text:
            break
        page.wait_for_timeout(100)
    # while running: a start time, not "—"; at the end the finish time, without a reload
    assert any("started 20" in t and "finished not yet" in t for t in header_seen), header_seen
    assert "finished 20" in header_seen[-1]
    db.session.rollback()
    op = db.session.scalar(select(BulkOperation))
    assert op.job_ids == [opened[0]] and op.status == "completed"
    assert db.session.get(Job, opened[0]).status == "on_hold"
    assert {db.session.get(Job, i).status for i in drafts} == {"draft"}


def test_10_undo_a_finished_bulk_operation(page, live_server, login, sqlite_app):
    sqlite_app.config["BULK_JOB_DELAY_MS"] = 150
    factory = Factory(sqlite_app)
    recruiter = factory.user("recruiter", name="Rita Recruiter")
    colleague = factory.user("recruiter", name="Carl Colleague")
    ids = [factory.job(status="open", owner=recruiter, title=f"Role {i}").id for i in range(4)]
    login(recruiter)
    page.goto(f"{live_server}/bulk?job_ids={','.join(ids)}")
    page.select_option("select[name=operation]", "update_fields")
    page.fill("input[name=department]", "Platform")
    page.fill("input[name=location]", "Lisbon")
    page.click("button[value=preview]")
    page.wait_for_selector("#bulk-preview")
    page.click("#bulk-confirm button[value=confirm]")
    page.wait_for_url(f"{live_server}/bulk/*")
    original_url = page.url
    assert _bar_values(page)[-1] == 100
    page.wait_for_selector("#undo-form")
    db.session.rollback()
    with write_intent():  # someone else edits one of the jobs afterwards
        jobs.update_job(db.session, ids[2], {"location": "Porto"}, Actor(colleague.id))
    db.session.rollback()

    page.click("#undo-form button")
    page.wait_for_selector("#undo-preview")
    skipped = page.locator(f"#undo-preview tr[data-job-id='{ids[2]}']").inner_text()
    assert "Skipped" in skipped and "Carl Colleague" in skipped
    restored = page.locator(f"#undo-preview tr[data-job-id='{ids[0]}']").inner_text()
    assert "Platform → Engineering" in restored and "Lisbon → Remote" in restored
    db.session.rollback()
    assert (
        db.session.scalar(select(BulkOperation).where(BulkOperation.undo_of.is_not(None))) is None
    )

    page.click("#undo-confirm button[value=confirm]")
    page.wait_for_url(f"{live_server}/bulk/*")
    assert page.url != original_url
    assert _bar_values(page)[-1] == 100
    page.wait_for_selector("#bulk-results")
    assert page.locator("#bulk-results .bulk-result-changed").count() == 3
    assert "Carl Colleague" in page.inner_text("#bulk-results .bulk-result-failed")
    assert page.locator("#undo-of-link").count() == 1
    db.session.rollback()
    rows = {j.id: (j.department, j.location) for j in db.session.scalars(select(Job))}
    assert rows == {
        ids[0]: ("Engineering", "Remote"),
        ids[1]: ("Engineering", "Remote"),
        ids[2]: ("Platform", "Porto"),
        ids[3]: ("Engineering", "Remote"),
    }
    page.goto(original_url)  # undone once: the button is gone, a link to the undo instead
    assert page.locator("#undo-form").count() == 0
    assert page.locator("#undone-by-link").count() == 1
    page.goto(f"{live_server}/bulk")
    assert "Undo" in page.inner_text("#bulk-history")
