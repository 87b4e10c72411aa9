"""A recruiter selects jobs on the dashboard, previews a bulk status change, confirms it and
watches the progress bar fill up to 100 %, in a real browser."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from jobsmgmt.extensions import db
from jobsmgmt.models import BulkOperation, Job
from tests.factories import Factory

pytestmark = pytest.mark.browser
JOBS = 8
READ_BAR = """() => [
  document.getElementById("bulk-progress-track").getAttribute("aria-valuenow"),
  document.getElementById("bulk-progress-bar").style.width,
]"""


def _bar_values(page, timeout: float = 30.0) -> list[int]:
    """Sample the bar's value (aria-valuenow, and the width the script set) until it is 100."""
    seen: list[int] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value, width = page.evaluate(READ_BAR)
        except Exception:  # noqa: BLE001 - the page reloads itself once the operation ends
            time.sleep(0.05)
            continue
        value = int(value)
        assert width == f"{value}%"
        if not seen or seen[-1] != value:
            seen.append(value)
        if value == 100:
            return seen
        time.sleep(0.05)
    raise AssertionError(f"the progress bar stopped at {seen}")


def test_bulk_status_change_from_the_dashboard(page, live_server, login, sqlite_app):
    sqlite_app.config["BULK_JOB_DELAY_MS"] = 250  # slow enough to watch the bar move
    factory = Factory(sqlite_app)
    recruiter = factory.user("recruiter", name="Rita Recruiter")
    ids = [factory.job(status="open", owner=recruiter, title=f"Role {i}").id for i in range(JOBS)]
    db.session.rollback()
    console_errors = []  # e.g. a Content-Security-Policy violation
    page.on(
        "console",
        lambda m: (
            m.type == "error"
            and not m.location.get("url", "").endswith("/favicon.ico")
            and console_errors.append(f"{m.text} {m.location}")
        ),
    )
    login(recruiter)

    for job_id in ids:
        page.check(f"input[name=job_ids][value='{job_id}']")
    page.click("#bulk-submit")
    page.wait_for_url(f"{live_server}/bulk?*")
    assert page.locator("#bulk-selection tbody tr").count() == JOBS
    page.select_option("select[name=operation]", "status_update")
    assert page.is_hidden("fieldset[data-operation=delete]")  # only the chosen parameters
    page.select_option("select[name=status]", "on_hold")
    page.fill("textarea[name=reason]", "Budget review")
    page.click("button[value=preview]")
    page.wait_for_selector("#bulk-preview")
    assert f"{JOBS} would succeed, 0 would fail" in page.inner_text("#bulk-preview-summary")
    assert page.locator("#bulk-preview .bulk-outcome-change").count() == JOBS
    db.session.rollback()
    assert db.session.scalar(select(BulkOperation.id)) is None  # the preview wrote nothing

    page.click("button[value=confirm]")
    page.wait_for_url(f"{live_server}/bulk/*")
    seen = _bar_values(page)
    assert seen[-1] == 100
    assert any(0 < value < 100 for value in seen), f"no progress seen in between: {seen}"
    assert seen == sorted(seen)
    page.wait_for_selector("#bulk-results")
    assert page.locator("#bulk-results .bulk-result-changed").count() == JOBS
    assert page.inner_text("#bulk-status") == "Completed"
    db.session.rollback()
    statuses = db.session.scalars(select(Job.status).where(Job.id.in_(ids))).all()
    assert statuses == ["on_hold"] * JOBS
    assert console_errors == []
