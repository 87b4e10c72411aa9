"""Job pages through the test client: create, view, edit, delete, roles, escaping, headers."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from jobsmgmt.extensions import db
from jobsmgmt.models import Job, User
from tests.conftest import csrf_from

XSS = "<script>alert(1)</script>"


@pytest.fixture
def app(sqlite_app):
    return sqlite_app


def _form(client, url, **fields):
    page = client.get(url)
    assert page.status_code == 200, url
    return client.post(url, data={"csrf_token": csrf_from(page.text), **fields})


def test_recruiter_creates_edits_and_deletes_a_job(client, auth, factory):
    recruiter = factory.user("recruiter")
    user_tz = db.session.get(User, recruiter.id)
    user_tz.timezone = "Asia/Kolkata"
    db.session.commit()
    auth.login(recruiter.email)

    response = _form(
        client,
        "/jobs/new",
        title="Site Reliability Engineer",
        department="Ops",
        location="Pune",
        employment_type="full_time",
        description="On call.",
        required_skills="Linux, linux, Go",
        application_deadline="2099-03-01T18:30",
        owner_id=recruiter.id,
    )
    assert response.status_code == 302
    job = db.session.scalar(select(Job).where(Job.title == "Site Reliability Engineer"))
    assert job.required_skills == ["Linux", "Go"]
    # 18:30 in Kolkata (UTC+5:30) is 13:00 UTC
    assert job.application_deadline.isoformat() == "2099-03-01T13:00:00+00:00"
    detail = client.get(response.headers["Location"])
    assert "2099-03-01 18:30" in detail.text  # shown in the user's time zone

    edited = _form(
        client,
        f"/jobs/{job.id}/edit",
        title="SRE",
        department="Ops",
        location="Remote",
        employment_type="contract",
        description="",
        required_skills="",
        application_deadline="",
        owner_id=recruiter.id,
    )
    assert edited.status_code == 302
    db.session.refresh(job)
    assert (job.title, job.location, job.employment_type) == ("SRE", "Remote", "contract")
    assert job.application_deadline is None

    page = client.get(f"/jobs/{job.id}")
    deleted = client.post(f"/jobs/{job.id}/delete", data={"csrf_token": csrf_from(page.text)})
    assert deleted.status_code == 302
    assert client.get(f"/jobs/{job.id}").status_code == 404


def test_form_errors_are_shown_and_nothing_is_saved(client, auth, factory):
    recruiter = factory.user("recruiter")
    auth.login(recruiter.email)
    response = _form(
        client, "/jobs/new", title="", employment_type="full_time", owner_id=recruiter.id
    )
    assert response.status_code == 200
    assert "This field is required" in response.text
    assert db.session.scalar(select(Job.id)) is None


def test_title_is_escaped_everywhere(client, auth, factory):
    recruiter = factory.user("recruiter", name=XSS)
    job = factory.job(
        owner=recruiter,
        title=XSS,
        department=XSS,
        location=XSS,
        description=XSS,
        required_skills=[XSS],
    )
    auth.login(recruiter.email)
    for url in ("/", f"/jobs/{job.id}", f"/jobs/{job.id}/edit", "/account/tokens"):
        page = client.get(url)
        assert page.status_code == 200, url
        assert XSS not in page.text, url
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in client.get(f"/jobs/{job.id}").text


def test_viewer_cannot_change_anything(client, auth, factory):
    viewer = factory.user("viewer")
    job = factory.job()
    auth.login(viewer.email)
    assert client.get(f"/jobs/{job.id}").status_code == 200
    assert "New job" not in client.get("/").text
    assert client.get("/jobs/new").status_code == 403
    assert client.get(f"/jobs/{job.id}/edit").status_code == 403
    token = csrf_from(client.get("/").text)
    assert client.post("/jobs/new", data={"csrf_token": token, "title": "x"}).status_code == 403
    assert client.post(f"/jobs/{job.id}/delete", data={"csrf_token": token}).status_code == 403
    assert client.get("/admin/users").status_code == 403


def test_admin_manages_users(client, auth, factory):
    admin = factory.user("admin")
    auth.login(admin.email)
    added = _form(
        client,
        "/admin/users",
        email="new@example.com",
        name="New Person",
        role="viewer",
        password="long-enough-1",
    )
    assert added.status_code == 302
    person = db.session.scalar(select(User).where(User.email == "new@example.com"))
    assert person.role == "viewer"
    page = client.get("/admin/users")
    changed = client.post(
        f"/admin/users/{person.id}",
        data={
            "csrf_token": csrf_from(page.text),
            f"{person.id}-role": "recruiter",
            f"{person.id}-active": "y",
        },
    )
    assert changed.status_code == 302
    db.session.refresh(person)
    assert person.role == "recruiter" and person.is_active


def test_tokens_page_creates_and_revokes(client, auth, factory):
    user = factory.user("recruiter")
    job = factory.job()
    auth.login(user.email)
    page = _form(client, "/account/tokens", name="ci script")
    token = page.text.split('id="new-token">', 1)[1].split("<", 1)[0]
    assert token.startswith("jm_")
    api = user_client = client.application.test_client()
    assert (
        api.get(f"/api/jobs/{job.id}", headers={"Authorization": f"Bearer {token}"}).status_code
        == 200
    )
    row_id = page.text.split("/account/tokens/", 1)[1].split("/revoke", 1)[0]
    listing = client.get("/account/tokens")
    client.post(f"/account/tokens/{row_id}/revoke", data={"csrf_token": csrf_from(listing.text)})
    assert (
        user_client.get(
            f"/api/jobs/{job.id}", headers={"Authorization": f"Bearer {token}"}
        ).status_code
        == 401
    )


def test_security_headers_and_cookies(client, auth, factory):
    user = factory.user("recruiter")
    login_page = client.get("/login")
    policy = login_page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert login_page.headers["X-Content-Type-Options"] == "nosniff"
    response = auth.login(user.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_friendly_error_pages(client, auth, factory):
    auth.login(factory.user("recruiter").email)
    missing = client.get("/jobs/nope")
    assert missing.status_code == 404 and "Not found" in missing.text
    assert client.get("/no/such/page").status_code == 404
