"""In a real browser: an installation started with ``serve --no-demo`` sends the login page to
the one-time setup page; the first administrator is created there, lands logged in on the
dashboard, and the page is gone afterwards."""

from __future__ import annotations

import os

import pytest

from jobsmgmt.extensions import db
from jobsmgmt.services import users

pytestmark = pytest.mark.browser
SCREENSHOTS = os.environ.get("JOBSMGMT_SCREENSHOTS")


def test_first_administrator_through_the_setup_page(page, live_server, sqlite_app):
    sqlite_app.config["SETUP_PAGE"] = True  # the desktop edition's setting
    page.goto(f"{live_server}/login")
    page.wait_for_url(f"{live_server}/setup")
    assert page.inner_text("h1") == "Welcome to jobsmgmt"
    page.fill("input[name=name]", "Ada Admin")
    page.fill("input[name=email]", "ada@agency.test")
    page.fill("input[name=password]", "correct-horse-battery")
    page.fill("input[name=confirm]", "correct-horse-batteri")
    page.click("main input[type=submit]")
    assert "The passwords differ." in page.inner_text("main")
    page.fill("input[name=password]", "correct-horse-battery")
    page.fill("input[name=confirm]", "correct-horse-battery")
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/setup.png", full_page=True)
    page.click("main input[type=submit]")
    page.wait_for_url(f"{live_server}/")
    assert "Welcome, Ada Admin." in page.inner_text(".alert")
    assert page.locator("text=Log out").count() == 1
    db.session.rollback()
    assert users.get_user_by_email(db.session, "ada@agency.test").role == "admin"
    response = page.goto(f"{live_server}/setup")
    assert response.status == 404
