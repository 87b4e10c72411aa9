"""Hostile or mistyped input on the pages gets a readable answer, never a 500 — on both
databases (PostgreSQL refuses NUL characters that SQLite stores)."""

from __future__ import annotations

from sqlalchemy import func, select

from jobsmgmt.extensions import db
from jobsmgmt.models import ApiToken, Job, User
from tests.conftest import csrf_from


def _post(client, url, **fields):
    page = client.get(url)
    return client.post(url, data={"csrf_token": csrf_from(page.text), **fields})


def test_login_with_nul_email(client, factory):
    response = _post(client, "/login", email="a\x00@example.com", password="whatever-123")
    assert response.status_code in (200, 401)
    assert "invisible control characters" in response.text


def test_huge_page_numbers(client, auth, factory):
    job = factory.job()
    auth.login(factory.user("admin").email)
    for url in ("/notifications", f"/jobs/{job.id}/audit", "/bulk", "/careers", f"/jobs/{job.id}"):
        response = client.get(url, query_string={"page": str(10**19)})
        assert response.status_code == 200, url


def test_job_form_refuses_what_the_api_refuses(client, auth, factory):
    recruiter = factory.user("recruiter")
    auth.login(recruiter.email)
    base = {"title": "Ok", "employment_type": "full_time", "owner_id": recruiter.id}
    cases = [
        ({"title": "nul\x00"}, "invisible control characters"),
        ({"application_deadline": "9999-12-31T23:59"}, "between the years 2000 and 2999"),
        ({"application_deadline": "0001-01-01T00:00"}, "between the years 2000 and 2999"),
        ({"required_skills": ", ".join(f"s{i}" for i in range(51))}, "at most 50 skills"),
        ({"required_skills": "x" * 101}, "at most 50 skills"),
    ]
    for fields, message in cases:
        response = _post(client, "/jobs/new", **{**base, **fields})
        assert response.status_code == 200, fields
        assert message in response.text, fields
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0


def test_bulk_page_with_impossible_ids(client, auth, factory):
    auth.login(factory.user("recruiter").email)
    response = client.get("/bulk", query_string={"job_ids": "\x00," + "x" * 500})
    assert response.status_code < 500


def test_account_and_admin_forms_with_nul(client, auth, factory):
    admin = factory.user("admin")
    auth.login(admin.email)
    token = _post(client, "/account/tokens", name="ci\x00")
    assert token.status_code == 200 and "invisible control characters" in token.text
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 0
    person = _post(
        client,
        "/admin/users",
        email="p@example.com",
        name="P\x00",
        role="viewer",
        password="long-enough-1",
    )
    assert person.status_code == 200
    assert db.session.scalar(select(User).where(User.email == "p@example.com")) is None
