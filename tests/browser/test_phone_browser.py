"""Issue 15, finding 9 and the phone check: at 390 px wide the dashboard is a list of cards,
the job page and its pipeline fit (a long unbroken title wraps, "Move" is on screen), and the
dashboard, the job page and the public apply form never scroll sideways."""

from __future__ import annotations

import pytest

from jobsmgmt.database import write_intent
from jobsmgmt.extensions import db
from jobsmgmt.services import applications
from tests.factories import PASSWORD, Factory

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
LONG_WORD = "Supercalifragilisticexpialidocious" * 12  # 408 letters, no break
NO_SIDEWAYS = "() => [document.documentElement.scrollWidth, window.innerWidth]"


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def _login(page, live_server, user) -> None:
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main input[type=submit]")
    page.wait_for_url(f"{live_server}/")


def _fits(page) -> None:
    scroll_width, inner_width = page.evaluate(NO_SIDEWAYS)
    assert scroll_width <= inner_width, f"{page.url}: {scroll_width} px wide on {inner_width} px"


def _on_screen(page, selector: str) -> None:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not shown"
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (selector, box)


def _seed(sqlite_app):
    factory = Factory(sqlite_app)
    recruiter = factory.user("recruiter", name="Rita Recruiter")
    long_job = factory.job(status="open", owner=recruiter, title=LONG_WORD, location=LONG_WORD)
    for i in range(3):
        factory.job(status="open", owner=recruiter, title=f"Backend Engineer {i}")
    db.session.rollback()
    with write_intent():
        applications.apply(
            db.session,
            long_job.id,
            {"name": "Nadia " + "Longname" * 8, "email": "nadia@example.com", "phone": "+1 555"},
            resume_text="Résumé " + "x" * 600,
        )
    db.session.rollback()
    return recruiter, long_job.id


def test_9_dashboard_cards_job_page_and_pipeline_at_390_px(phone, live_server, sqlite_app):
    recruiter, job_id = _seed(sqlite_app)
    _login(phone, live_server, recruiter)

    assert phone.is_hidden("#jobs-table thead")  # cards, not a table
    _fits(phone)
    for selector in (
        "#jobs-table tbody tr:first-child td[data-label=Status]",
        "#jobs-table tbody tr:first-child td[data-label=Deadline]",
        "#jobs-table tbody tr:first-child td.card-actions a",
        "#jobs-table tbody tr:first-child input.job-select",
    ):
        _on_screen(phone, selector)

    phone.goto(f"{live_server}/jobs/{job_id}")
    _fits(phone)  # the 408-letter title wraps
    _on_screen(phone, "h1")
    _on_screen(phone, "li.candidate .pipeline-move button")
    _on_screen(phone, "li.candidate .pipeline-move select")
    phone.click("li.candidate summary")
    _fits(phone)
    _on_screen(phone, ".candidate-panel .resume-text")


def test_phone_viewport_has_no_horizontal_scrolling(phone, live_server, sqlite_app):
    recruiter, job_id = _seed(sqlite_app)
    phone.goto(f"{live_server}/careers/{job_id}/apply")  # the candidate's form
    _fits(phone)
    _on_screen(phone, "main [type=submit]")
    _login(phone, live_server, recruiter)
    for path in ("/", f"/jobs/{job_id}", "/analytics", "/bulk"):
        phone.goto(f"{live_server}{path}")
        _fits(phone)
