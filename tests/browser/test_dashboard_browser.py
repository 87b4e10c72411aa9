"""In a real browser: log in, filter and sort the dashboard with its GET form, select rows for
bulk work, then open a job's analytics page and see the three charts drawn by the local
Chart.js (no CSP violations, no console errors)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from jobsmgmt.extensions import db
from jobsmgmt.models import Application, Candidate, Job
from jobsmgmt.services import analytics

pytestmark = pytest.mark.browser


def _seed(app):
    from tests.factories import Factory

    factory = Factory(app)
    recruiter = factory.user("recruiter", name="Bea Browser")
    titles = ["Kotlin Developer", "Kotlin Lead", "Python Developer", "Data 100% Analyst"]
    jobs = {title: factory.job(owner=recruiter, title=title).id for title in titles}
    now = datetime.now(UTC)
    target = db.session.get(Job, jobs["Kotlin Lead"])
    target.status, target.published_at = "open", now - timedelta(days=5)
    for i in range(6):
        person = Candidate(name=f"P{i}", email=f"p{i}@example.com")
        db.session.add(person)
        db.session.flush()
        applied = now - timedelta(hours=1 + i)
        db.session.add(
            Application(
                job_id=target.id,
                candidate_id=person.id,
                applied_at=applied,
                updated_at=applied,
                match_score=Decimal(15 * i),
                stage="shortlisted" if i < 3 else "applied",
                reached_shortlisted_at=applied + timedelta(minutes=5) if i < 3 else None,
            )
        )
    target.application_count = 6
    db.session.commit()
    # Rows written around the service: the daily rows it would keep (past days are read from
    # them) come from the daily task, as after a restore. Between 00:00 and 06:00 UTC some of
    # the six applications fall on yesterday.
    analytics.recompute_daily_analytics(db.session, now.date() - timedelta(days=1), now.date())
    return recruiter, jobs


def test_filter_dashboard_and_open_the_charts(page, live_server, login, sqlite_app):
    recruiter, jobs = _seed(sqlite_app)
    problems = []
    page.on(
        "console",
        lambda m: (
            problems.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    page.on(  # a missing asset would show here (the browser's own favicon probe aside)
        "response",
        lambda r: (
            problems.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    login(recruiter)

    assert page.locator("#jobs-table tbody tr").count() == 4
    page.fill("#search", "kotlin")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**/?*search=kotlin*")
    titles = page.locator("#jobs-table a.job-title").all_inner_texts()
    assert sorted(titles) == ["Kotlin Developer", "Kotlin Lead"]
    assert "2 jobs match" in page.inner_text("#result-count")

    page.click("a.sort-link[data-sort=title]")  # title, descending
    page.wait_for_url("**sort=title**")
    assert page.locator("#jobs-table a.job-title").all_inner_texts() == [
        "Kotlin Lead",
        "Kotlin Developer",
    ]
    assert "search=kotlin" in page.url  # the filter survives sorting: a shareable URL

    page.fill("#search", "100%")
    page.click("#filters button[type=submit]")
    page.wait_for_url("**search=100%25**")
    assert page.locator("#jobs-table a.job-title").all_inner_texts() == ["Data 100% Analyst"]

    page.goto(f"{live_server}/")
    assert page.is_disabled("#bulk-submit")
    page.check("#select-all")
    assert page.inner_text("#selected-count") == "4 selected"
    assert page.is_enabled("#bulk-submit")

    page.locator(f'tr[data-job-id="{jobs["Kotlin Lead"]}"] a', has_text="Analytics").click()
    page.wait_for_url(f"**/jobs/{jobs['Kotlin Lead']}/analytics")
    page.wait_for_function("document.documentElement.dataset.chartsReady === '3'")
    for canvas in ("#funnel-chart", "#trends-chart", "#score-chart"):
        box = page.locator(canvas).bounding_box()
        assert box and box["width"] > 100 and box["height"] > 100
    assert page.inner_text("[data-funnel=applications]") == "6"
    funnel = page.evaluate("Chart.getChart('funnel-chart').data.labels")
    assert funnel == ["Views", "Applications", "Shortlisted", "Interviews", "Offers", "Hires"]
    assert page.inner_text("[data-funnel=shortlisted]") == "3"

    page.click("text=Last 7 days")
    page.wait_for_url("**date_from=**")
    page.wait_for_function("document.documentElement.dataset.chartsReady === '3'")
    page.click("nav >> text=Analytics")
    page.wait_for_url(f"{live_server}/analytics")
    page.wait_for_function("document.documentElement.dataset.chartsReady === '1'")
    stages = page.evaluate("Chart.getChart('pipeline-chart').data.labels")
    assert stages[:5] == ["Applied", "Shortlisted", "Interview", "Offer", "Hired"]
    assert problems == []
