"""The bulk pages through the test client: selection → preview (writes nothing) → confirm →
progress page with results; validation errors next to the fields; roles."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from jobsmgmt import queue
from jobsmgmt.extensions import db
from jobsmgmt.models import BulkOperation, Job, JobAuditLog
from tests.conftest import csrf_from


def _count(model) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(model))


def test_select_preview_confirm_and_results(app, client, auth, factory):
    user = factory.user("recruiter")
    open_id = factory.job(status="open", title="<script>alert(1)</script>").id
    draft_id = factory.job(status="draft", title="Draft role").id
    auth.login(user.email)
    page = client.get(f"/bulk?job_ids={open_id}&job_ids={draft_id},missing-id")
    assert page.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text and "<script>alert" not in page.text
    assert "Not found (unknown or deleted)" in page.text
    form = {
        "csrf_token": csrf_from(page.text),
        "job_ids": [open_id, draft_id, "missing-id"],
        "operation": "status_update",
        "status": "on_hold",
        "reason": "Budget review",
        "employment_type": "",
        "owner_id": "",
        "expires_in_days": "30",
        "action": "preview",
    }
    before = (_count(BulkOperation), _count(JobAuditLog))
    preview = client.post("/bulk", data=form)
    assert preview.status_code == 200
    assert "1</strong> would succeed, <strong>2</strong> would fail" in preview.text
    # reasons in words, not codes
    assert "cannot move to on hold" in preview.text and "Job not found." in preview.text
    assert "invalid_transition" not in preview.text and "not_found" not in preview.text
    assert "Run on the 1 that would succeed" in preview.text
    assert (_count(BulkOperation), _count(JobAuditLog)) == before  # the preview wrote nothing

    confirmed = client.post("/bulk", data={**form, "action": "confirm"})
    assert confirmed.status_code == 302
    op_id = re.search(r"/bulk/([0-9a-f-]{36})$", confirmed.headers["Location"]).group(1)
    assert queue.in_process_runner(app).join(timeout=60)
    detail = client.get(f"/bulk/{op_id}")
    assert detail.status_code == 200
    assert 'id="bulk-results"' in detail.text and "Completed with errors" in detail.text
    assert detail.text.count("bulk-result-changed") == 1
    assert detail.text.count("bulk-result-failed") == 2
    db.session.rollback()
    assert db.session.get(Job, open_id).status == "on_hold"
    assert db.session.get(Job, draft_id).status == "draft"
    listing = client.get("/bulk")
    assert f"/bulk/{op_id}" in listing.text


def test_bad_parameters_are_shown_and_nothing_runs(app, client, auth, factory):
    user = factory.user("recruiter")
    job_id = factory.job(status="open").id
    auth.login(user.email)
    page = client.get(f"/bulk?job_ids={job_id}")
    form = {
        "csrf_token": csrf_from(page.text),
        "job_ids": [job_id],
        "operation": "extend_deadline",
        "status": "open",
        "days": "",
        "employment_type": "",
        "owner_id": "",
        "expires_in_days": "30",
        "action": "confirm",
    }
    response = client.post("/bulk", data=form)
    assert response.status_code == 200
    assert "invalid-feedback" in response.text
    response = client.post("/bulk", data={**form, "operation": "update_fields"})
    assert "Give at least one of" in response.text
    assert _count(BulkOperation) == 0


def test_pages_need_the_bulk_permission(app, client, auth, factory):
    viewer = factory.user("viewer")
    auth.login(viewer.email)
    assert client.get("/bulk").status_code == 403
    assert client.get("/bulk/whatever").status_code == 404
    assert 'href="/bulk"' not in client.get("/").text  # no nav link for viewers
