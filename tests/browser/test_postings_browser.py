"""In a real browser, as after ``make run``: the app's own portal sandbox (PORTAL_SANDBOX=1,
mounted under /sandbox on the same server), a recruiter opens a job's postings from the
dashboard, posts it to the three portals, sees each become "Posted" with a link, then closes
the job and sees them withdrawn."""

from __future__ import annotations

import threading
import time

import pytest
from werkzeug.serving import make_server

from jobsmgmt import queue
from jobsmgmt.database import set_write_intent
from tests.conftest import Factory
from tests.postings_support import open_job

pytestmark = pytest.mark.browser


@pytest.fixture
def sandbox_server(sqlite_app):
    """The desktop app (sandbox mounted) on a real socket; its PUBLIC_URL is its own address,
    as ``jobsmgmt serve`` sets it, so deliveries reach /sandbox over HTTP."""
    set_write_intent(False)
    server = make_server("127.0.0.1", 0, sqlite_app, threaded=True)
    url = f"http://127.0.0.1:{server.server_port}"
    sqlite_app.config["PUBLIC_URL"] = url
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield url
    finally:
        queue.finish_in_process_work(sqlite_app, timeout=30)
        server.shutdown()
        thread.join(timeout=5)
        set_write_intent(True)


def _badges(page) -> list[str]:
    return [
        b.strip().lower() for b in page.locator("section.posting .posting-badge").all_inner_texts()
    ]


def _reload_until(page, predicate, timeout=30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page.reload()
        if predicate():
            return
        time.sleep(0.3)
    raise AssertionError(f"the page never showed it: {_badges(page)}")


def test_post_a_job_and_see_it_posted_then_withdrawn(page, browser, sqlite_app, sandbox_server):
    factory = Factory(sqlite_app)
    user = factory.user("recruiter", name="Rita Recruiter")
    job = open_job(factory, owner=user, title="Platform Engineer")

    page.goto(f"{sandbox_server}/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", "correct-horse-battery")
    page.click("main input[type=submit]")
    page.wait_for_url(f"{sandbox_server}/")
    page.locator(f"tr[data-job-id='{job.id}'] a:has-text('Postings')").click()
    page.wait_for_url(f"{sandbox_server}/jobs/{job.id}/postings")
    assert "Portal sandbox in use" in page.inner_text("#sandbox-banner")

    for portal in ("linkedin", "naukri", "indeed"):
        page.check(f"input[name=portals][value={portal}]")
    page.click("#post-form input[type=submit]")
    assert "queued" in page.inner_text(".alert-success")
    _reload_until(page, lambda: _badges(page) == ["posted"] * 3)
    links = page.locator("section.posting a.external-link")
    assert links.count() == 3
    href = page.locator("section[data-portal=linkedin] a.external-link").get_attribute("href")
    assert href.startswith(f"{sandbox_server}/sandbox/linkedin/jobs/view/")
    viewer = browser.new_page()
    viewer.goto(href)
    assert viewer.inner_text("h1") == "Platform Engineer"
    assert f"/careers/{job.id}/apply?source=linkedin" in viewer.get_attribute("a", "href")
    viewer.close()

    page.goto(f"{sandbox_server}/jobs/{job.id}/status")
    page.select_option("select[name=status]", "closed")
    page.click("main input[type=submit][value='Change status']")
    page.goto(f"{sandbox_server}/jobs/{job.id}/postings")
    _reload_until(
        page,
        lambda: _badges(page) == ["withdrawn"] * 3 and page.locator(".posting-action").count() == 0,
    )
    state = sqlite_app.extensions["portal_sandbox"].snapshot()["postings"]
    assert [r["status"] for p in ("linkedin", "indeed", "naukri") for r in state[p]] == [
        "closed"
    ] * 3
