"""The posting life cycle end to end on each database with the in-process runner (desktop
edition) against the sandbox over HTTP: API → delivery task → portal → row and audit; close
and archive withdraw; edits send UPDATE; expiry closes at the portal; a delivery repeated after
dying half way leaves one posting; bulk post of many jobs is one LinkedIn batch."""

from __future__ import annotations

from datetime import timedelta

import pytest

from jobsmgmt import queue
from jobsmgmt.database import write_intent
from jobsmgmt.extensions import db
from jobsmgmt.models import JobAuditLog, JobExternalPosting, utcnow
from jobsmgmt.portals import adapter_for
from jobsmgmt.services import Actor, audit, bulk, postings, scheduled
from tests.conftest import Factory, app_context, build_app
from tests.postings_support import (  # noqa: F401
    all_at_sandbox,
    fault,
    live_at_sandbox,
    open_job,
    portal_variables,
    postings_of,
    sandbox,
)

PORTALS = ["linkedin", "indeed", "naukri"]
BASE = "/api/jobs-management"


@pytest.fixture(params=["sqlite", "postgresql"])
def papp(request, sandbox):  # noqa: F811
    url = request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")
    app = build_app(url, PORTALS=portal_variables(sandbox.url), PUBLIC_URL="http://jobs.test")
    with app_context(app):
        yield app
        queue.finish_in_process_work(app, timeout=60)


@pytest.fixture
def factory(papp):
    return Factory(papp)


def finish(app):
    queue.finish_in_process_work(app, timeout=60)


def post(client, headers, job_id, portals=PORTALS, **body):
    return client.post(
        f"{BASE}/{job_id}/external-postings", json={"portals": portals, **body}, headers=headers
    )


def test_post_to_three_portals_then_close_withdraws(papp, factory, sandbox):  # noqa: F811
    client, headers = papp.test_client(), factory.headers()
    job = open_job(factory)
    response = post(client, headers, job.id)
    assert response.status_code == 202, response.json
    assert {p["status"] for p in response.json["postings"]} == {"pending"}
    finish(papp)
    listed = client.get(f"{BASE}/{job.id}/external-postings", headers=headers).json["postings"]
    assert [p["portal"] for p in listed] == ["linkedin", "naukri", "indeed"]
    for p in listed:
        assert p["status"] == "posted", p
        assert p["external_job_id"] and p["external_url"].startswith(sandbox.url)
        assert p["posted_at"] and p["error_message"] is None
    for portal in PORTALS:
        live = live_at_sandbox(sandbox, portal, job.id)
        assert len(live) == 1, portal
    apply_url = live_at_sandbox(sandbox, "linkedin", job.id)[0]["companyApplyUrl"]
    assert apply_url == f"http://jobs.test/careers/{job.id}/apply?source=linkedin"

    # Posting again while posted: unchanged, nothing sent.
    again = post(client, headers, job.id)
    assert [p["status"] for p in again.json["postings"]] == ["posted"] * 3

    closed = client.put(f"{BASE}/{job.id}/status", json={"status": "closed"}, headers=headers)
    assert closed.status_code == 200
    rows = postings_of(job.id)
    assert {r.status for r in rows.values()} == {"withdrawn"}  # in the same flow
    finish(papp)
    rows = postings_of(job.id)
    assert all(r.pending_action is None and r.error_message is None for r in rows.values())
    for portal in PORTALS:
        assert live_at_sandbox(sandbox, portal, job.id) == []
        assert len(all_at_sandbox(sandbox, portal, job.id)) == 1
    actions = [
        e.action_type
        for e in db.session.query(JobAuditLog).filter_by(job_id=job.id).order_by(JobAuditLog.seq)
    ]
    assert actions.count("posting_published") == 3
    assert actions.count("posting_closed") == 3
    assert "posting_withdrawn" in actions
    assert audit.verify(db.session, job_id=job.id).valid


def test_archive_withdraws_and_repost_uses_a_new_key(papp, factory, sandbox):  # noqa: F811
    client, headers = papp.test_client(), factory.headers()
    job = open_job(factory)
    post(client, headers, job.id, ["naukri"])
    finish(papp)
    first_key = postings_of(job.id)["naukri"].meta["key"]
    for status in ("closed", "archived", "closed", "open"):
        client.put(f"{BASE}/{job.id}/status", json={"status": status}, headers=headers)
    finish(papp)
    assert postings_of(job.id)["naukri"].status == "withdrawn"
    post(client, headers, job.id, ["naukri"])  # withdrawn → pending → posted
    finish(papp)
    row = postings_of(job.id)["naukri"]
    assert row.status == "posted" and row.meta["key"] != first_key
    assert len(live_at_sandbox(sandbox, "naukri", job.id)) == 1
    assert len(all_at_sandbox(sandbox, "naukri", job.id)) == 2  # the old one closed


def test_delete_withdraws_one_portal(papp, factory, sandbox):  # noqa: F811
    client, headers = papp.test_client(), factory.headers()
    job = open_job(factory)
    post(client, headers, job.id)
    finish(papp)
    response = client.delete(f"{BASE}/{job.id}/external-postings/indeed", headers=headers)
    assert response.status_code == 202 and response.json["posting"]["status"] == "withdrawn"
    finish(papp)
    assert live_at_sandbox(sandbox, "indeed", job.id) == []
    assert len(live_at_sandbox(sandbox, "linkedin", job.id)) == 1
    again = client.delete(f"{BASE}/{job.id}/external-postings/indeed", headers=headers)
    assert again.status_code == 409
    unknown = client.delete(f"{BASE}/{job.id}/external-postings/monster", headers=headers)
    assert unknown.status_code == 404


def test_editing_a_posted_job_sends_an_update(papp, factory, sandbox):  # noqa: F811
    client, headers = papp.test_client(), factory.headers()
    job = open_job(factory)
    post(client, headers, job.id)
    finish(papp)
    response = client.patch(
        f"/api/jobs/{job.id}", json={"title": "Staff Engineer"}, headers=headers
    )
    assert response.status_code == 200, response.json
    finish(papp)
    for portal in PORTALS:
        row = live_at_sandbox(sandbox, portal, job.id)[0]
        assert row["title"] == "Staff Engineer" and row["updates"] == 1, portal
    assert all(r.status == "posted" for r in postings_of(job.id).values())
    # A department change is not a portal field: nothing sent.
    client.patch(f"/api/jobs/{job.id}", json={"department": "Platform"}, headers=headers)
    finish(papp)
    assert live_at_sandbox(sandbox, "naukri", job.id)[0]["updates"] == 1


def test_validation_and_portal_refusals_reach_the_row(papp, factory, sandbox):  # noqa: F811
    client, headers = papp.test_client(), factory.headers()
    short = open_job(factory, description="Short text.")
    post(client, headers, short.id, ["linkedin"])
    finish(papp)
    row = postings_of(short.id)["linkedin"]
    assert row.status == "failed"
    assert "description must have 100–25,000 characters (has 11)" in row.error_message
    assert sandbox.state.snapshot()["requests"]["linkedin"] == {}  # refused before any call

    job = open_job(factory)
    fault(sandbox, "naukri", "422")
    post(client, headers, job.id, ["naukri"])
    finish(papp)
    row = postings_of(job.id)["naukri"]
    assert row.status == "failed" and "sandbox fault" in row.error_message
    # Retry: failed → pending → posted.
    retried = post(client, headers, job.id, ["naukri"])
    assert retried.json["postings"][0]["status"] == "pending"
    finish(papp)
    assert postings_of(job.id)["naukri"].status == "posted"


def test_field_mappings_and_request_errors(papp, factory, sandbox):  # noqa: F811
    client, headers = papp.test_client(), factory.headers()
    job = open_job(factory, location="Remote")
    bad = post(client, headers, job.id, ["linkedin"], field_mappings={"naukri": {"salary": "1"}})
    assert bad.status_code == 422
    assert post(client, headers, job.id, ["monster"]).status_code == 422
    assert post(client, headers, job.id, ["indeed"], expires_in_days=91).status_code == 422
    draft = factory.job()
    assert post(client, headers, draft.id).status_code == 409
    ok = post(
        client,
        headers,
        job.id,
        ["linkedin"],
        field_mappings={"linkedin": {"location": "Pune, India"}},
        expires_in_days=7,
    )
    assert ok.status_code == 202
    finish(papp)
    row = postings_of(job.id)["linkedin"]
    assert row.status == "posted", row.error_message
    assert live_at_sandbox(sandbox, "linkedin", job.id)[0]["location"] == "Pune, India"
    assert timedelta(days=6, hours=23) < row.expires_at - utcnow() <= timedelta(days=7)
    viewer = factory.headers("viewer")
    assert post(client, viewer, job.id).status_code == 403
    assert client.get(f"{BASE}/{job.id}/external-postings", headers=viewer).status_code == 200


def test_transient_failure_stays_pending_then_refresh_delivers(papp, factory, sandbox):  # noqa: F811
    client, headers = papp.test_client(), factory.headers()
    job = open_job(factory)
    job_id = job.id
    fault(sandbox, "naukri", "500", times=4)  # outlasts the 3 retries of one delivery
    post(client, headers, job.id, ["naukri"])
    finish(papp)
    row = postings_of(job.id)["naukri"]
    assert row.status == "pending" and row.attempts == 1
    assert "HTTP 500" in row.error_message and "will retry" in row.error_message
    result = postings.refresh_external_postings("0")  # the periodic task, stale after 0 s
    assert result["redriven"] == 1
    row = postings_of(job_id)["naukri"]
    assert row.status == "posted" and row.error_message is None
    assert len(all_at_sandbox(sandbox, "naukri", job_id)) == 1


def test_repeat_after_the_portal_took_it_is_recognised(papp, factory, sandbox):  # noqa: F811
    """The delivery died between the portal's answer and our commit: the portal has the
    posting, our row is still pending. The retry is recognised as the same posting."""
    job = open_job(factory)
    user = factory.user()
    with write_intent():
        rows = postings.post_job(db.session, job.id, PORTALS, Actor(user.id))
    ids = [r.id for r in rows]
    db.session.rollback()  # the in-process runner may run the queued task: wait for it first
    finish(papp)
    # Make the rows pending again, as if the commit after the portal's answer never happened.
    with write_intent():
        for row in db.session.query(JobExternalPosting).filter(JobExternalPosting.id.in_(ids)):
            row.status, row.pending_action = "pending", "publish"
            row.external_job_id = row.external_url = row.posted_at = None
        db.session.commit()
    states = postings.deliver(db.session, ids, postings.portal_config(papp.config))
    assert set(states.values()) == {"done"}
    for portal, row in postings_of(job.id).items():
        assert row.status == "posted" and row.external_job_id, portal
        assert len(all_at_sandbox(sandbox, portal, job.id)) == 1, portal
        assert all_at_sandbox(sandbox, portal, job.id)[0]["creates"] == 1
    assert postings_of(job.id)["linkedin"].meta["recovered"] is True


def test_expiry_closes_at_the_portal(papp, factory, sandbox):  # noqa: F811
    client, headers = papp.test_client(), factory.headers()
    job = open_job(factory)
    job_id = job.id
    post(client, headers, job.id)
    finish(papp)
    with write_intent():
        for row in db.session.query(JobExternalPosting).filter_by(job_id=job.id):
            row.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert scheduled.expire_external_postings() == 3
    rows = postings_of(job_id)
    assert {r.status for r in rows.values()} == {"expired"}
    assert all(r.pending_action is None for r in rows.values())
    for portal in PORTALS:
        assert live_at_sandbox(sandbox, portal, job_id) == []


def test_not_configured_portal_fails_with_a_clear_message(sandbox, sqlite_url):  # noqa: F811
    variables = portal_variables(sandbox.url, LINKEDIN_CLIENT_ID="", NAUKRI_API_KEY="")
    app = build_app(
        sqlite_url, PORTALS=variables, PUBLIC_URL="http://jobs.test", PORTAL_SANDBOX=False
    )
    with app_context(app):
        factory = Factory(app)
        job = open_job(factory)
        post(app.test_client(), factory.headers(), job.id)
        finish(app)
        rows = postings_of(job.id)
        assert rows["linkedin"].status == "failed"
        assert (
            "LinkedIn is not configured: set LINKEDIN_CLIENT_ID" in rows["linkedin"].error_message
        )
        assert "Naukri is not configured: set NAUKRI_API_KEY" in rows["naukri"].error_message
        assert rows["indeed"].status == "posted"


def test_bulk_post_of_many_jobs_is_one_linkedin_batch(papp, factory, sandbox):  # noqa: F811
    owner = factory.user()
    ids = [open_job(factory, owner=owner, title=f"Engineer {i}").id for i in range(12)]
    with write_intent():
        op = bulk.start_operation(
            db.session, "post_external", {"portals": PORTALS}, ids, Actor(owner.id)
        )
    db.session.rollback()
    finish(papp)
    assert bulk.get_operation(db.session, op.id).status == "completed"
    for job_id in ids:
        assert {r.status for r in postings_of(job_id).values()} == {"posted"}
    counts = sandbox.state.snapshot()["requests"]
    assert counts["linkedin"]["POST /v2/simpleJobPostings"] == 1
    assert counts["indeed"]["POST /graphql"] == 1  # createSourcedJobPostings takes a list
    assert counts["naukri"]["POST /v1/jobs"] == 12  # one call per job (provisional API)
    assert len(sandbox.state.live_postings("linkedin")) == 12


def test_refresh_route_polls_a_pending_linkedin_task(papp, factory, sandbox):  # noqa: F811
    client, headers = papp.test_client(), factory.headers()
    job = open_job(factory)
    post(client, headers, job.id, ["linkedin"])
    finish(papp)
    response = client.post(f"{BASE}/{job.id}/external-postings/linkedin/refresh", headers=headers)
    assert response.status_code == 202
    finish(papp)
    assert postings_of(job.id)["linkedin"].status == "posted"
    missing = client.post(f"{BASE}/{job.id}/external-postings/naukri/refresh", headers=headers)
    assert missing.status_code == 404


def test_openapi_documents_the_postings_routes(papp):
    paths = papp.test_client().get("/api/openapi.json").json["paths"]
    base = "/api/jobs-management/{job_id}/external-postings"
    assert set(paths[base]) == {"get", "post"}
    assert "delete" in paths[base + "/{portal}"]
    assert "post" in paths[base + "/{portal}/refresh"]


def test_adapter_sees_the_same_sandbox_as_the_app(papp, sandbox):  # noqa: F811
    config = postings.portal_config(papp.config)
    assert adapter_for(config.settings("linkedin")).settings.base_url == f"{sandbox.url}/linkedin"


def test_a_slow_linkedin_task_is_polled_by_the_periodic_task(papp, factory, sandbox):  # noqa: F811
    client, headers = papp.test_client(), factory.headers()
    job_id = open_job(factory).id
    fault(sandbox, "linkedin", "task_in_progress", seconds=8)  # the delivery polls 5 times
    post(client, headers, job_id, ["linkedin"])
    finish(papp)
    row = postings_of(job_id)["linkedin"]
    assert row.status == "pending" and row.meta["task_id"].startswith(
        "urn:li:simpleJobPostingTask:"
    )
    polls = []
    for _ in range(5):  # the periodic task: one poll each run, no repeat (not stale)
        polls.append(postings.refresh_external_postings())
        if postings_of(job_id)["linkedin"].status == "posted":
            break
    # 8 polls IN_PROGRESS: 5 during the delivery, 3 periodic runs; the 4th run sees SUCCEEDED.
    assert [p["polled"] for p in polls] == [0, 0, 0, 1]
    assert all(p["redriven"] == 0 for p in polls)
    row = postings_of(job_id)["linkedin"]
    assert row.external_job_id.startswith("urn:li:jobPosting:") and "task_id" not in row.meta
    assert sandbox.state.snapshot()["requests"]["linkedin"]["POST /v2/simpleJobPostings"] == 1


def test_indeed_without_job_sync_credentials_posts_through_the_feed(sandbox, sqlite_url):  # noqa: F811
    variables = portal_variables(sandbox.url, INDEED_CLIENT_ID="", INDEED_CLIENT_SECRET="")
    app = build_app(
        sqlite_url, PORTALS=variables, PUBLIC_URL="http://jobs.test", PORTAL_SANDBOX=False
    )
    with app_context(app):
        factory = Factory(app)
        job_id = open_job(factory).id
        client = app.test_client()
        post(client, factory.headers(), job_id, ["indeed"])
        finish(app)
        row = postings_of(job_id)["indeed"]
        assert row.status == "posted" and row.external_url == "http://jobs.test/feeds/indeed.xml"
        assert sandbox.state.snapshot()["requests"]["indeed"] == {}  # no Job Sync call
        assert f"/careers/{job_id}/apply?source=indeed" in client.get("/feeds/indeed.xml").text
        client.delete(f"{BASE}/{job_id}/external-postings/indeed", headers=factory.headers())
        finish(app)
        assert postings_of(job_id)["indeed"].status == "withdrawn"
        assert job_id not in client.get("/feeds/indeed.xml").text


def test_undo_of_a_bulk_post_withdraws_what_it_posted(papp, factory, sandbox):  # noqa: F811
    client = papp.test_client()
    owner = factory.user()
    headers = factory.headers()
    ids = [open_job(factory, owner=owner, title=f"Analyst {i}").id for i in range(3)]
    body = {
        "job_ids": ids,
        "operation": "post_external",
        "parameters": {"portals": ["linkedin", "naukri"]},
    }
    started = client.post(f"{BASE}/bulk-update", json=body, headers=headers)
    assert started.status_code == 202, started.json
    finish(papp)
    op_id = started.json["operation_id"]
    # since the operation: one posting withdrawn by hand, and one job posted again by hand
    assert (
        client.delete(f"{BASE}/{ids[1]}/external-postings/naukri", headers=headers).status_code
        == 202
    )
    assert (
        client.delete(f"{BASE}/{ids[2]}/external-postings/linkedin", headers=headers).status_code
        == 202
    )
    finish(papp)
    assert post(client, headers, ids[2], ["linkedin"]).status_code == 202
    finish(papp)

    undo_url = f"{BASE}/bulk-operations/{op_id}/undo"
    preview = client.post(undo_url, json={"dry_run": True}, headers=headers)
    assert preview.status_code == 200, preview.json
    by_id = {r["job_id"]: r for r in preview.json["results"]}
    assert by_id[ids[0]]["changes"] == {
        "postings.linkedin": {"from": "posted", "to": "withdrawn"},
        "postings.naukri": {"from": "posted", "to": "withdrawn"},
    }
    assert by_id[ids[1]]["changes"] == {"postings.linkedin": {"from": "posted", "to": "withdrawn"}}
    assert by_id[ids[2]]["error"]["code"] == "changed_since"  # posted again by someone since
    assert (preview.json["would_succeed"], preview.json["would_fail"]) == (2, 1)

    undone = client.post(undo_url, json={"dry_run": False}, headers=headers)
    assert undone.status_code == 202, undone.json
    finish(papp)
    for job_id in ids[:2]:
        assert {r.status for r in postings_of(job_id).values()} == {"withdrawn"}
        assert live_at_sandbox(sandbox, "linkedin", job_id) == []
        assert live_at_sandbox(sandbox, "naukri", job_id) == []
    assert postings_of(ids[2])["linkedin"].status == "posted"  # the later post stays
    assert len(live_at_sandbox(sandbox, "linkedin", ids[2])) == 1
    assert len(live_at_sandbox(sandbox, "naukri", ids[2])) == 1  # a skipped job is left alone
