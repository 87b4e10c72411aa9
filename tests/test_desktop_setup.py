"""``serve --no-demo``: an empty installation asks for its first administrator on a one-time
setup page (desktop edition, this computer only, CSRF-protected), then logs them in; afterwards
the page is gone and everyone uses the login form."""

from __future__ import annotations

import pytest

from jobsmgmt.extensions import db
from jobsmgmt.services import users
from tests.conftest import PASSWORD, AuthActions, app_context, build_app, csrf_from


@pytest.fixture
def app(sqlite_url):
    with app_context(build_app(sqlite_url, SETUP_PAGE=True)) as app:
        yield app


def _form(page, **values):
    data = {
        "name": "Ada Admin",
        "email": "ada@agency.test",
        "password": PASSWORD,
        "confirm": PASSWORD,
        "csrf_token": csrf_from(page.text),
    }
    data.update(values)
    return data


def test_first_admin_through_the_setup_page(app):
    client = app.test_client()
    login = client.get("/login")
    assert login.status_code == 302 and login.headers["Location"].endswith("/setup")
    page = client.get("/setup")
    assert page.status_code == 200 and "Create the administrator" in page.text

    missing_csrf = client.post("/setup", data={**_form(page), "csrf_token": ""})
    assert missing_csrf.status_code == 400
    mismatch = client.post("/setup", data=_form(page, confirm="something-else"))
    assert mismatch.status_code == 200 and "The passwords differ." in mismatch.text
    too_short = client.post("/setup", data=_form(page, password="short", confirm="short"))
    assert too_short.status_code == 200 and "at least" in too_short.text.lower()
    assert users.needs_first_admin(db.session)

    done = client.post("/setup", data=_form(page), follow_redirects=True)
    assert done.status_code == 200 and "Welcome, Ada Admin." in done.text
    assert "Log out" in done.text  # logged in as the new administrator
    admin = users.get_user_by_email(db.session, "ada@agency.test")
    assert admin.role == "admin" and admin.password_hash != PASSWORD

    # One time only: gone for everyone, and the login form is back.
    assert client.get("/setup").status_code == 404
    other = app.test_client()
    assert other.get("/setup").status_code == 404
    assert other.get("/login").status_code == 200
    assert AuthActions(other).login("ada@agency.test").status_code == 302


def test_setup_page_answers_only_this_computer(app):
    remote = app.test_client()
    remote.environ_base["REMOTE_ADDR"] = "192.168.1.20"
    assert remote.get("/setup").status_code == 404
    page = app.test_client().get("/setup")  # a local page's form, posted from elsewhere
    assert remote.post("/setup", data=_form(page)).status_code in (400, 404)
    assert users.needs_first_admin(db.session)


def test_setup_page_is_closed_once_anybody_exists(app, factory):
    factory.user("recruiter")
    assert app.test_client().get("/setup").status_code == 404
    with pytest.raises(Exception, match="already set up"):
        users.create_first_admin(db.session, "late@agency.test", "Late", PASSWORD)


def test_no_setup_page_in_the_hosted_edition(sqlite_url):
    with app_context(build_app(sqlite_url, SETUP_PAGE=False)) as app:
        assert app.test_client().get("/setup").status_code == 404
        assert app.test_client().get("/login").status_code == 200
