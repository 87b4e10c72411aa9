"""In a real browser: an admin's failed and successful logins appear on the security-event page,
which filters them and links the CSV; the verify page names a truncation that only the
checkpoint file reveals."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from jobsmgmt.extensions import db
from jobsmgmt.services import checkpoints

pytestmark = pytest.mark.browser


def test_security_events_page_and_checkpoint_verify(page, live_server, login, sqlite_app, tmp_path):
    from tests.conftest import Factory
    from tests.test_audit_verify import build_chain

    factory = Factory(sqlite_app)
    admin = factory.user("admin", name="Ada Admin")
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", admin.email)
    page.fill("input[name=password]", "not-the-password")
    page.click("main input[type=submit]")
    assert "Wrong e-mail or password." in page.inner_text("main")
    login(admin)

    page.click("text=Security events")
    page.wait_for_url(f"{live_server}/admin/security-events")
    rows = page.locator("table.security-events tbody tr")
    assert rows.count() == 2
    assert "login" in rows.nth(0).inner_text() and "login failed" in rows.nth(1).inner_text()
    page.select_option("select[name=event_type]", "login_failed")
    page.click("main button[type=submit]")
    page.wait_for_url("**event_type=login_failed**")
    assert page.locator("table.security-events tbody tr").count() == 1
    csv_link = page.get_attribute("text=Download CSV", "href")
    assert csv_link == "/admin/security-events.csv?event_type=login_failed"

    # A checkpoint, then a cut tail with a rewritten head: only the file shows it.
    path = tmp_path / "audit-checkpoints.jsonl"
    sqlite_app.config["AUDIT_CHECKPOINT_FILE"] = str(path)
    job_id, _ = build_chain(factory)
    db.session.rollback()
    checkpoints.take_checkpoint(db.session, b"test-audit-key", path)
    db.session.execute(
        text("DELETE FROM job_audit_log WHERE job_id = :j AND seq = 6"), {"j": job_id}
    )
    db.session.execute(
        text(
            "UPDATE jobs SET audit_seq = 5, audit_checksum = (SELECT checksum FROM job_audit_log "
            "WHERE job_id = :j AND seq = 5) WHERE id = :j"
        ),
        {"j": job_id},
    )
    db.session.execute(text("DELETE FROM audit_checkpoints"))
    db.session.commit()
    page.goto(f"{live_server}/audit/verify")
    page.click("text=Verify all jobs")
    page.wait_for_selector("table.audit-problems")
    table = page.inner_text("table.audit-problems")
    assert "truncated" in table and job_id in table and "checkpoint_missing" in table
    assert "with the checkpoint file" in page.inner_text("main")
