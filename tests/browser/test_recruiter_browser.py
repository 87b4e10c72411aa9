"""Issue 15, findings 1–7, walked in Chromium as a recruiter would: each test shows one trap of
the daily work gone (deadlines, resubmitted forms, stage moves, candidate details, dashboard
filters, the analytics ranking, readable pages)."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from jobsmgmt.database import write_intent
from jobsmgmt.extensions import db
from jobsmgmt.models import (
    Application,
    ApplicationStageEvent,
    Job,
    JobAnalytics,
    Notification,
    utcnow,
)
from jobsmgmt.services import Actor, applications, status
from tests.factories import Factory

pytestmark = pytest.mark.browser


def _set(job_id: str, **values) -> None:
    """Time passing (or data arriving) outside the pages."""
    db.session.rollback()
    with write_intent():
        db.session.execute(update(Job).where(Job.id == job_id).values(**values))
        db.session.commit()
    db.session.rollback()


def _apply(job_id: str, n: int, **extra) -> str:
    db.session.rollback()
    with write_intent():
        created = applications.apply(
            db.session, job_id, {"name": f"Person {n}", "email": f"p{n}@example.com"}, **extra
        )
    db.session.rollback()
    return created.id


def _job_count() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(Job))


def test_1_deadline_in_the_past_is_refused_and_expired_jobs_are_marked(
    page, live_server, login, sqlite_app
):
    factory = Factory(sqlite_app)
    recruiter = factory.user("recruiter", name="Rita Recruiter")
    login(recruiter)

    page.goto(f"{live_server}/jobs/new")
    page.fill("input[name=title]", "Past Role")
    page.fill("input[name=application_deadline]", "2020-01-01T12:00")
    page.click("main input[type=submit][value='Save job']")
    assert "is in the past" in page.inner_text("main")
    assert _job_count() == 0

    page.fill("input[name=application_deadline]", "2099-01-01T12:00")
    page.click("main input[type=submit][value='Save job']")
    page.wait_for_selector("text=created as a draft")
    job_id = page.url.rstrip("/").split("/")[-1]

    page.goto(f"{live_server}/jobs/{job_id}/edit")  # editing to a past deadline: refused too
    page.fill("input[name=application_deadline]", "2021-06-01T09:00")
    page.click("main input[type=submit][value='Save job']")
    assert "is in the past" in page.inner_text("main")

    _set(job_id, application_deadline=utcnow() - timedelta(days=1))  # time passes
    page.goto(f"{live_server}/jobs/{job_id}/status")
    page.select_option("select[name=status]", "open")
    page.click("main input[type=submit]")
    assert "cannot be opened" in page.inner_text(".alert")  # publishing refused
    db.session.rollback()
    assert db.session.get(Job, job_id).status == "draft"

    # an open job whose deadline passes: "Expired" until the scheduler closes it
    open_id = factory.job(status="open", owner=recruiter, title="Soon Expired").id
    _set(open_id, application_deadline=utcnow() - timedelta(minutes=5))
    page.goto(f"{live_server}/")
    row = page.locator(f"tr[data-job-id='{open_id}']")
    assert row.locator(".expired-badge").inner_text() == "Expired"
    page.goto(f"{live_server}/jobs/{open_id}")
    assert "Expired" in page.inner_text("h1")
    assert "candidates can no longer apply" in page.inner_text("#expired-note")
    assert page.locator("text=Public page").count() == 0


def test_2_back_and_submitting_again_does_not_create_a_second_job(
    page, live_server, login, sqlite_app
):
    recruiter = Factory(sqlite_app).user("recruiter")
    login(recruiter)
    page.goto(f"{live_server}/jobs/new")
    page.fill("input[name=title]", "Only Once")
    page.fill("input[name=department]", "Ops")
    page.click("main input[type=submit][value='Save job']")
    page.wait_for_selector("text=created as a draft")
    first_url = page.url
    assert _job_count() == 1

    page.go_back()
    page.wait_for_selector("input[name=title]")
    if page.input_value("input[name=title]") != "Only Once":  # not restored by the browser
        page.fill("input[name=title]", "Only Once")
    page.click("main input[type=submit][value='Save job']")
    page.wait_for_selector(".alert")
    assert "already submitted" in page.inner_text(".alert")
    assert page.url == first_url  # sent to the job the first submission created
    assert _job_count() == 1


def test_3_moves_default_to_the_next_stage_and_a_rejection_is_confirmed_and_undone(
    page, live_server, login, sqlite_app
):
    factory = Factory(sqlite_app)
    recruiter = factory.user("recruiter")
    job_id = factory.job(status="open", owner=recruiter).id
    app_id = _apply(job_id, 1)
    with write_intent():
        applications.move_stage(db.session, app_id, "shortlisted", Actor(recruiter.id))
    db.session.rollback()
    login(recruiter)

    page.goto(f"{live_server}/jobs/{job_id}")
    chooser = f"#stage-{app_id}"
    assert page.eval_on_selector(chooser, "s => s.value") == "interview"  # forwards, not back
    page.click(f"li[data-application-id='{app_id}'] button:text('Move')")
    page.wait_for_selector("text=moved to Interview")

    page.select_option(chooser, "rejected")
    page.click(f"li[data-application-id='{app_id}'] button:text('Move')")
    page.wait_for_selector("#confirm-reject")  # asks first
    db.session.rollback()
    assert db.session.get(Application, app_id).stage == "interview"
    page.click("#confirm-reject button[type=submit]")
    page.wait_for_selector("text=was rejected")
    db.session.rollback()
    assert db.session.get(Application, app_id).stage == "rejected"

    page.click(f"li[data-application-id='{app_id}'] .undo-rejection button")
    page.wait_for_selector("text=Rejection undone")
    db.session.rollback()
    assert db.session.get(Application, app_id).stage == "interview"
    events = db.session.execute(
        select(ApplicationStageEvent.from_stage, ApplicationStageEvent.to_stage)
        .where(ApplicationStageEvent.application_id == app_id)
        .order_by(ApplicationStageEvent.changed_at, ApplicationStageEvent.id)
    ).all()
    assert events[-2:] == [("interview", "rejected"), ("rejected", "interview")]  # its own event
    page.click(f"li[data-application-id='{app_id}'] summary")
    history = page.inner_text(f"li[data-application-id='{app_id}'] .stage-history")
    assert "Interview → Rejected" in history and "Rejected → Interview" in history


def test_4_candidate_panel_shows_what_the_candidate_typed(page, live_server, login, sqlite_app):
    factory = Factory(sqlite_app)
    recruiter = factory.user("recruiter")
    job_id = factory.job(status="open", owner=recruiter, required_skills=["Python", "SQL"]).id

    page.goto(f"{live_server}/careers/{job_id}/apply")  # the candidate, not logged in
    page.fill("input[name=name]", "Cara Candidate")
    page.fill("input[name=email]", "cara@example.com")
    page.fill("input[name=phone]", "+49 30 555 0101")
    page.fill("input[name=skills]", "Python, Kubernetes")
    page.fill("textarea[name=resume_text]", "Eight years of Python.\nLed a team of four.")
    page.click("main [type=submit]")
    page.wait_for_load_state()

    login(recruiter)
    page.goto(f"{live_server}/jobs/{job_id}")
    card = page.locator("li.candidate", has_text="Cara Candidate")
    card.locator("summary").click()
    panel = card.locator(".candidate-panel").inner_text()
    for expected in (
        "cara@example.com",
        "+49 30 555 0101",
        "Eight years of Python.",
        "Led a team of four.",
        "Kubernetes",
        "50.00 %",  # Python of Python, SQL
        "Applied",
    ):
        assert expected in panel, expected
    assert card.locator(".candidate-phone a").get_attribute("href") == "tel:+49305550101"


def test_5_dashboard_filters_choices_applications_and_secondary_sort(
    page, live_server, login, sqlite_app
):
    factory = Factory(sqlite_app)
    recruiter = factory.user("recruiter")
    spelled = {"Eng A": "Engineering", "Eng B": "engineering", "Eng C": "ENGINEERING"}
    ids = {
        t: factory.job(status="open", owner=recruiter, title=t, department=d).id
        for t, d in spelled.items()
    }
    ids["Sales"] = factory.job(status="open", owner=recruiter, title="Sales", department="Sales").id
    _set(ids["Eng A"], application_count=3)
    _set(ids["Eng B"], application_count=3)
    _set(ids["Sales"], application_count=25)
    login(recruiter)

    options = page.locator("#department option").all_inner_texts()
    assert "Engineering (3)" in options and "Sales (1)" in options  # one choice, any case
    page.select_option("#department", label="Engineering (3)")
    page.click("#filters button[type=submit]")
    titles = page.locator("#jobs-table .job-title").all_inner_texts()
    assert sorted(titles) == ["Eng A", "Eng B", "Eng C"]

    page.goto(f"{live_server}/?department=engineering&applications=none")
    assert page.locator("#jobs-table .job-title").all_inner_texts() == ["Eng C"]
    page.goto(f"{live_server}/?applications=more")
    assert page.locator("#jobs-table .job-title").all_inner_texts() == ["Sales"]

    # sort by applications, then click Title: title becomes first, applications kept second
    page.goto(f"{live_server}/?sort=applications&order=desc")
    page.click("a.sort-link[data-sort=title]")
    page.wait_for_url("**then=applications**")
    page.click("a.sort-link[data-sort=applications]")  # applications first again, title second
    page.wait_for_url("**then=title**")
    # applications descending, ties by title as it was sorted (descending)
    assert page.locator("#jobs-table .job-title").all_inner_texts() == [
        "Sales",
        "Eng B",
        "Eng A",
        "Eng C",
    ]
    assert "2" in page.inner_text("a.sort-link[data-sort=title]")  # the secondary mark


def test_6_analytics_ranking_sorts_pages_exports_and_links_both_ways(
    page, live_server, login, sqlite_app
):
    factory = Factory(sqlite_app)
    recruiter = factory.user("recruiter")
    yesterday = utcnow().date() - timedelta(days=1)
    figures = {"Good": (100, 40), "Bad": (200, 2), "Middle": (50, 10), "Unseen": (0, 0)}
    ids = {title: factory.job(owner=recruiter, title=title).id for title in figures}
    db.session.rollback()
    with write_intent():
        for title, (views, apps) in figures.items():
            db.session.add(
                JobAnalytics(
                    job_id=ids[title], date=yesterday, view_count=views, application_count=apps
                )
            )
        db.session.commit()
    db.session.rollback()
    login(recruiter)

    page.goto(f"{live_server}/analytics")
    rows = page.locator("#ranking-table tbody tr")

    def shown() -> list[str]:
        return [rows.nth(i).get_attribute("data-job-id") for i in range(rows.count())]

    page.click("#ranking a.sort-link[data-sort=views]")
    page.wait_for_url("**sort=views**")
    assert shown() == [ids[t] for t in ("Bad", "Good", "Middle", "Unseen")]  # most viewed
    page.click("#ranking a.sort-link[data-sort=conversion]")  # worst conversion first
    page.wait_for_url("**sort=conversion**")
    order = shown()
    expected = sorted(
        (t for t in figures if figures[t][0]), key=lambda t: figures[t][1] / figures[t][0]
    )
    assert order == [ids[t] for t in expected] + [ids["Unseen"]]  # no views: last
    worst = page.inner_text("#ranking-table tbody tr:first-child .rank-conversion")
    assert worst == f"{Decimal(100 * 2) / 200:.2f} %"

    csv_url = page.get_attribute("#ranking-csv", "href")
    response = page.request.get(f"{live_server}{csv_url}")
    rows_csv = list(csv.DictReader(io.StringIO(response.text())))
    assert [r["id"] for r in rows_csv] == order
    assert rows_csv[0]["view_to_application_pct"] == "1.0"

    page.goto(f"{live_server}/jobs/{ids['Bad']}")
    page.click("#job-analytics-link")
    page.wait_for_url(f"**/jobs/{ids['Bad']}/analytics")
    page.click("#job-page-link")
    page.wait_for_url(f"**/jobs/{ids['Bad']}")


def test_7_reasons_names_words_and_read_notifications(page, live_server, login, sqlite_app):
    factory = Factory(sqlite_app)
    owner = factory.user("recruiter", name="Olga Owner")
    boss = factory.user("admin", name="Ada Admin")
    job_id = factory.job(status="open", owner=owner, required_skills=["Python", "SQL"]).id
    with write_intent():
        status.change_status(db.session, job_id, "on_hold", Actor(boss.id), "Budget review")
    db.session.rollback()
    login(owner)

    page.goto(f"{live_server}/jobs/{job_id}")
    reason = page.inner_text("#status-reason")
    assert "On hold" in reason and "Budget review" in reason and "Ada Admin" in reason

    page.goto(f"{live_server}/jobs/{job_id}/audit")
    log = page.inner_text("table.audit-log")
    assert "Olga Owner" in log and "Python, SQL" in log and "On hold" in log
    assert owner.id not in log and '["Python"' not in log and "on_hold" not in log

    page.goto(f"{live_server}/notifications")
    assert page.locator(".badge", has_text="new").count() == 1
    page.click("button.notification-link")  # following it marks it read
    page.wait_for_url(f"**/jobs/{job_id}")
    db.session.rollback()
    assert db.session.scalar(select(Notification.read_at)) is not None

    page.goto(f"{live_server}/?status=bogus&sort=nope")
    alert = page.inner_text(".alert-danger")
    assert "Unknown status; choose among Draft" in alert and "Unknown sort column" in alert
    assert "String should match" not in alert and "Input should be" not in alert
    page.goto(f"{live_server}/jobs/{job_id}/analytics?date_from=yesterday")
    assert "The start date must be a date such as" in page.inner_text(".alert-danger")
