"""Browser fixtures: the app on a real threaded server on a loopback port, and Debian's
chromium driven by Playwright (no browser download: ``executable_path=/usr/bin/chromium``)."""

from __future__ import annotations

import os
import threading

import pytest
from werkzeug.serving import make_server

from jobsmgmt.database import set_write_intent
from tests.conftest import unavailable
from tests.factories import PASSWORD

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture
def live_server(sqlite_app):
    """The SQLite app served by a real threaded WSGI server; yields its base URL. The test's own
    thread reads in deferred transactions so it never holds SQLite's write lock."""
    set_write_intent(False)
    server = make_server("127.0.0.1", 0, sqlite_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        set_write_intent(True)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        unavailable(f"chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def login(page, live_server):
    """Log a user in through the real login form."""

    def do_login(user, password: str = PASSWORD):
        page.goto(f"{live_server}/login")
        page.fill("input[name=email]", user.email)
        page.fill("input[name=password]", password)
        page.click("main input[type=submit]")
        page.wait_for_url(f"{live_server}/")

    return do_login
