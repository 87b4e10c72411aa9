"""The postings page (WTForms, CSRF, sandbox banner, table per portal, buttons), the careers
apply link's ``?source=<portal>``, and job analytics ``by_source``."""

from __future__ import annotations

import pytest

from jobsmgmt import queue
from jobsmgmt.database import write_intent
from jobsmgmt.extensions import db
from jobsmgmt.models import Application
from jobsmgmt.services import Actor, applications
from tests.conftest import AuthActions, Factory, app_context, build_app, csrf_from
from tests.postings_support import (  # noqa: F401
    fault,
    open_job,
    portal_variables,
    postings_of,
    sandbox,
)


@pytest.fixture
def papp(sqlite_url, sandbox):  # noqa: F811
    app = build_app(
        sqlite_url, PORTALS=portal_variables(sandbox.url), PUBLIC_URL="http://jobs.test"
    )
    with app_context(app):
        yield app
        queue.finish_in_process_work(app, timeout=60)


def _login(app, role="recruiter"):
    factory = Factory(app)
    user = factory.user(role)
    client = app.test_client()
    AuthActions(client).login(user.email)
    return factory, client


def test_post_from_the_page_then_withdraw(papp, sandbox):  # noqa: F811
    factory, client = _login(papp)
    job = open_job(factory)
    page = client.get(f"/jobs/{job.id}/postings")
    assert page.status_code == 200
    assert "Portal sandbox in use" in page.text
    assert page.text.count("not posted") == 3
    response = client.post(
        f"/jobs/{job.id}/postings",
        data={
            "csrf_token": csrf_from(page.text),
            "portals": ["linkedin", "indeed", "naukri"],
            "expires_in_days": "14",
            "linkedin_title": "Backend Engineer (LinkedIn)",
        },
    )
    assert response.status_code == 302
    queue.finish_in_process_work(papp, timeout=60)
    page = client.get(f"/jobs/{job.id}/postings")
    assert page.text.count('posting-badge posting-posted">posted<') == 3
    assert f'href="{sandbox.url}/linkedin/jobs/view/' in page.text
    assert "Withdraw" in page.text
    assert sandbox.state.live_postings("linkedin")[0]["title"] == "Backend Engineer (LinkedIn)"

    withdrawn = client.post(
        f"/jobs/{job.id}/postings/naukri/withdraw", data={"csrf_token": csrf_from(page.text)}
    )
    assert withdrawn.status_code == 302
    queue.finish_in_process_work(papp, timeout=60)
    assert postings_of(job.id)["naukri"].status == "withdrawn"
    assert sandbox.state.live_postings("naukri") == []
    page = client.get(f"/jobs/{job.id}/postings")
    assert "Post again" in page.text


def test_page_shows_the_portals_refusal_and_retries(papp, sandbox):  # noqa: F811
    factory, client = _login(papp)
    job = open_job(factory, description="Too short for LinkedIn.")
    page = client.get(f"/jobs/{job.id}/postings")
    client.post(
        f"/jobs/{job.id}/postings",
        data={"csrf_token": csrf_from(page.text), "portals": ["linkedin"], "expires_in_days": "30"},
    )
    queue.finish_in_process_work(papp, timeout=60)
    page = client.get(f"/jobs/{job.id}/postings")
    assert 'posting-failed">failed<' in page.text
    assert "description must have 100–25,000 characters (has 23)" in page.text
    assert ">Retry<" in page.text


def test_page_form_errors_and_permissions(papp):
    factory, client = _login(papp)
    job = open_job(factory)
    page = client.get(f"/jobs/{job.id}/postings")
    bad = client.post(
        f"/jobs/{job.id}/postings",
        data={"csrf_token": csrf_from(page.text), "expires_in_days": "400"},
    )
    assert bad.status_code == 422
    assert "Choose at least one portal." in bad.text
    no_csrf = client.post(f"/jobs/{job.id}/postings", data={"portals": ["linkedin"]})
    assert no_csrf.status_code in (400, 422)
    assert postings_of(job.id) == {}
    _, viewer = _login(papp, "viewer")
    shown = viewer.get(f"/jobs/{job.id}/postings")
    assert shown.status_code == 200 and 'id="post-form"' not in shown.text
    refused = viewer.post(
        f"/jobs/{job.id}/postings",
        data={"csrf_token": csrf_from(shown.text), "portals": ["linkedin"], "expires_in_days": "5"},
    )
    assert refused.status_code == 403 and postings_of(job.id) == {}
    assert client.get("/jobs/00000000-0000-0000-0000-000000000000/postings").status_code == 404


def test_dashboard_postings_button_leads_to_the_page_with_badges(papp):
    factory, client = _login(papp)
    job = open_job(factory)
    other = open_job(factory, title="Not posted")
    headers = factory.headers()
    papp.test_client().post(
        f"/api/jobs-management/{job.id}/external-postings",
        json={"portals": ["naukri", "linkedin"]},
        headers=headers,
    )
    queue.finish_in_process_work(papp, timeout=60)
    dashboard = client.get("/")
    assert f'href="/jobs/{job.id}/postings"' in dashboard.text
    row = dashboard.text.split(f'data-job-id="{job.id}"')[1].split("</tr>")[0]
    assert 'title="LinkedIn: posted">Li<' in row and 'title="Naukri: posted">Na<' in row
    assert row.index("LinkedIn: posted") < row.index("Naukri: posted")
    assert "Indeed" not in row
    bare = dashboard.text.split(f'data-job-id="{other.id}"')[1].split("</tr>")[0]
    assert "posting-badge" not in bare
    assert client.get(f"/jobs/{job.id}/postings").status_code == 200


def test_apply_through_a_portal_link_records_the_source(papp):
    factory = Factory(papp)
    job = open_job(factory)
    client = papp.test_client()
    form = client.get(f"/careers/{job.id}/apply?source=linkedin")
    assert 'name="source" type="hidden" value="linkedin"' in form.text
    sent = client.post(
        f"/careers/{job.id}/apply",
        data={
            "csrf_token": csrf_from(form.text),
            "name": "Ada Lovelace",
            "email": "ada@example.com",
            "source": "linkedin",
        },
    )
    assert sent.status_code == 302
    forged = client.get(f"/careers/{job.id}/apply?source=evil")
    assert 'name="source" type="hidden" value=""' in forged.text
    client.post(
        f"/careers/{job.id}/apply",
        data={
            "csrf_token": csrf_from(forged.text),
            "name": "Bob",
            "email": "bob@example.com",
            "source": "evil",
        },
    )
    db.session.rollback()
    sources = {a.source for a in db.session.query(Application).filter_by(job_id=job.id)}
    assert sources == {"linkedin", "careers"}


def test_job_analytics_by_source(papp):
    factory = Factory(papp)
    job = open_job(factory)
    plan = [
        ("linkedin", "hired"),
        ("linkedin", "interview"),
        ("linkedin", "applied"),
        ("indeed", "offer"),
        ("careers", "shortlisted"),
        ("referral", "applied"),
        (None, "applied"),
        ("Job fair", "hired"),
    ]
    with write_intent():
        for n, (source, stage) in enumerate(plan):
            application = applications.apply(
                db.session,
                job.id,
                {"name": f"C {n}", "email": f"c{n}@example.com"},
                source=source,
            )
            db.session.commit()
            if stage != "applied":
                applications.move_stage(db.session, application.id, stage, Actor(job.owner_id))
                db.session.commit()
    headers = factory.headers()
    data = papp.test_client().get(f"/api/jobs-management/{job.id}/analytics", headers=headers)
    assert data.status_code == 200, data.json
    rows = {row["source"]: row for row in data.json["by_source"]}
    assert list(rows) == ["careers", "linkedin", "indeed", "naukri", "referral", "other"]
    # Independent count from the plan: a stage counts every earlier pipeline stage.
    order = ["applied", "shortlisted", "interview", "offer", "hired"]
    names = ["applications", "shortlisted", "interviews", "offers", "hires"]
    expected = {s: dict.fromkeys(names, 0) for s in rows}
    for source, stage in plan:
        key = source if source in rows else "other"
        for i in range(order.index(stage) + 1):
            expected[key][names[i]] += 1
    for source, row in rows.items():
        assert {k: row[k] for k in names} == expected[source], source
    assert rows["linkedin"]["hires"] == 1 and rows["other"]["applications"] == 2


def test_the_mounted_sandbox_serves_the_app_s_own_portals(sqlite_url):
    """``PORTAL_SANDBOX=1`` with no portal variables: the app's own /sandbox answers."""
    app = build_app(sqlite_url, PUBLIC_URL="http://localhost")
    with app_context(app):
        client = app.test_client()
        state = client.get("/sandbox/_control/state")
        assert state.status_code == 200 and set(state.json["postings"]) == {
            "linkedin",
            "indeed",
            "naukri",
        }
        token = client.post(
            "/sandbox/linkedin/oauth/v2/accessToken",
            data={
                "grant_type": "client_credentials",
                "client_id": "sandbox-linkedin",
                "client_secret": "sandbox-linkedin-secret",
            },
        )
        assert token.status_code == 200 and token.json["expires_in"] > 0
    off = build_app(sqlite_url, PORTAL_SANDBOX=False)
    with app_context(off):
        assert off.test_client().get("/sandbox/_control/state").status_code == 404
