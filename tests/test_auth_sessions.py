"""Logging in and out through the form: CSRF, a new session per login, logout ends it,
throttling per account and per IP."""

from __future__ import annotations

import pytest

from jobsmgmt.extensions import db
from tests.conftest import AuthActions, app_context, build_app, csrf_from
from tests.factories import PASSWORD, Factory


@pytest.fixture
def app(sqlite_app):
    return sqlite_app


def test_login_page_and_wrong_password(client, factory):
    user = factory.user("recruiter")
    page = client.get("/login")
    assert page.status_code == 200 and 'name="csrf_token"' in page.text
    wrong = client.post(
        "/login",
        data={"email": user.email, "password": "nope-nope", "csrf_token": csrf_from(page.text)},
    )
    assert wrong.status_code == 401 and "Wrong e-mail or password" in wrong.text
    unknown = client.post(
        "/login",
        data={
            "email": "ghost@example.com",
            "password": PASSWORD,
            "csrf_token": csrf_from(page.text),
        },
    )
    assert unknown.status_code == 401
    assert client.get("/").status_code == 302  # still logged out


def test_login_without_csrf_is_refused(client, factory):
    user = factory.user("recruiter")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_pages_need_login(client):
    for url in ("/", "/jobs/new", "/admin/users", "/account/tokens"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_login_starts_a_new_session_and_logout_ends_it(client, auth, factory):
    user = factory.user("recruiter")
    client.get("/login")
    before = client.get_cookie("session")
    response = auth.login(user.email)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    after = client.get_cookie("session")
    assert after is not None and (before is None or after.value != before.value)
    assert client.get("/").status_code == 200

    stolen = after.value  # a copy of the cookie, as an attacker would keep it
    auth.logout()
    assert client.get("/").status_code == 302
    other = client.application.test_client()
    other.set_cookie("session", stolen)
    assert other.get("/").status_code == 302  # the old cookie no longer logs anyone in


def test_login_redirects_only_to_local_pages(client, factory):
    user = factory.user("recruiter")
    page = client.get("/login?next=https://evil.example/")
    response = client.post(
        "/login?next=https://evil.example/",
        data={"email": user.email, "password": PASSWORD, "csrf_token": csrf_from(page.text)},
    )
    assert response.headers["Location"] == "/"


def test_logout_requires_post_with_csrf(client, auth, factory):
    user = factory.user("recruiter")
    auth.login(user.email)
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/").status_code == 200


def test_inactive_user_cannot_log_in(client, auth, factory):
    user = factory.user("recruiter")
    user.is_active = False
    db.session.commit()
    assert auth.login(user.email).status_code == 401


def _throttled_app(sqlite_url, **limits):
    app = build_app(sqlite_url, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://", **limits)
    return app_context(app)


def test_login_is_throttled_per_account(sqlite_url):
    with _throttled_app(sqlite_url, LOGIN_LIMIT_PER_ACCOUNT="3 per minute") as app:
        user = Factory(app).user("recruiter")
        client = app.test_client()
        auth = AuthActions(client)
        codes = [auth.login(user.email, "wrong-password").status_code for _ in range(4)]
        assert codes == [401, 401, 401, 429]
        assert auth.login(user.email).status_code == 429  # even the right password waits
        other = Factory(app).user("recruiter")
        assert auth.login(other.email).status_code == 302  # other accounts are unaffected


def test_login_is_throttled_per_ip(sqlite_url):
    with _throttled_app(sqlite_url, LOGIN_LIMIT_PER_IP="4 per minute") as app:
        client = app.test_client()
        auth = AuthActions(client)
        codes = [auth.login(f"user{i}@example.com", "wrong-password").status_code for i in range(5)]
        assert codes == [401, 401, 401, 401, 429]
