"""The live daily rows of job_analytics, checked against counts computed from the raw rows."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, date, datetime

from sqlalchemy import select

from jobsmgmt.database import write_intent
from jobsmgmt.extensions import db
from jobsmgmt.models import Application, Job, JobAnalytics
from jobsmgmt.services import Actor, applications, careers, daily_counts

STAGE_COLUMNS = {
    "shortlist_count": "reached_shortlisted_at",
    "interview_count": "reached_interview_at",
    "offer_count": "reached_offer_at",
    "hire_count": "reached_hired_at",
}


class Clock:
    """Stands in for ``utcnow`` in the services, so events land on chosen days."""

    def __init__(self, monkeypatch):
        self.now = datetime(2026, 3, 1, 23, 59, 59, tzinfo=UTC)
        for module in (applications, careers, daily_counts):
            monkeypatch.setattr(module, "utcnow", lambda: self.now)

    def set(self, *args) -> None:
        self.now = datetime(*args, tzinfo=UTC)


def live_rows(job_id: str) -> dict[date, dict[str, int]]:
    db.session.rollback()
    rows = db.session.scalars(select(JobAnalytics).where(JobAnalytics.job_id == job_id)).all()
    return {row.date: {name: getattr(row, name) for name in daily_counts.COUNTERS} for row in rows}


def expected_rows(job_id: str, views: Counter) -> dict[date, dict[str, int]]:
    """The API.md definitions, from the applications themselves (views: as the test made them)."""
    found = db.session.scalars(select(Application).where(Application.job_id == job_id)).all()
    counters: dict[str, Counter] = {
        "view_count": views,
        "application_count": Counter(a.applied_at.date() for a in found),
    }
    for counter, column in STAGE_COLUMNS.items():
        counters[counter] = Counter(
            getattr(a, column).date() for a in found if getattr(a, column) is not None
        )
    days = set().union(*counters.values())
    return {
        day: {name: counters[name].get(day, 0) for name in daily_counts.COUNTERS} for day in days
    }


def test_views_applications_and_moves_land_on_their_days(app, factory, monkeypatch):
    job_id = factory.job(status="open", required_skills=["SQL"]).id
    clock = Clock(monkeypatch)
    actor = Actor.system()
    views: Counter = Counter()

    def view() -> None:
        with write_intent():
            careers.record_view(db.session, job_id, f"visitor-{sum(views.values())}")
        views[clock.now.date()] += 1

    def apply(email: str) -> str:
        with write_intent():
            return applications.apply(db.session, job_id, {"name": "N", "email": email}).id

    def move(application_id: str, stage: str) -> None:
        with write_intent():
            applications.move_stage(db.session, application_id, stage, actor)

    clock.set(2026, 3, 1, 23, 59, 59)
    view(), view()
    first, second = apply("one@example.com"), apply("two@example.com")
    clock.set(2026, 3, 2, 0, 0, 0)  # a new UTC day
    view()
    third = apply("three@example.com")
    move(first, "shortlisted")
    move(second, "offer")  # reaches shortlisted, interview and offer today
    clock.set(2026, 3, 4, 12, 0)
    move(first, "hired")  # interview, offer and hired today; shortlisted stays on the 2nd
    move(second, "applied")  # back: nothing is un-reached
    move(second, "interview")  # already reached: counts nothing again
    move(third, "rejected")

    rows = live_rows(job_id)
    assert rows == expected_rows(job_id, views)
    assert rows[date(2026, 3, 1)] == {
        "view_count": 2,
        "application_count": 2,
        "shortlist_count": 0,
        "interview_count": 0,
        "offer_count": 0,
        "hire_count": 0,
    }
    assert rows[date(2026, 3, 2)]["shortlist_count"] == 2
    assert rows[date(2026, 3, 2)]["offer_count"] == 1
    assert rows[date(2026, 3, 4)] == {
        "view_count": 0,
        "application_count": 0,
        "shortlist_count": 0,
        "interview_count": 1,
        "offer_count": 1,
        "hire_count": 1,
    }
    with write_intent():  # the job's total follows the daily rows (the task's window is today)
        careers.roll_up_views(db.session, keep_days=1000, since=min(views))
    job = db.session.get(Job, job_id)
    assert job.view_count == sum(views.values()) == 3
    assert job.application_count == 3


def test_bump_creates_then_adds(app, factory):
    job = factory.job()
    day = date(2026, 5, 17)
    with write_intent():
        daily_counts.bump(db.session, job.id, day, view_count=2)
        db.session.commit()
        daily_counts.bump(db.session, job.id, day, view_count=1, hire_count=1)
        daily_counts.bump(db.session, job.id, day)  # nothing to add: no row touched
        db.session.commit()
    rows = live_rows(job.id)
    assert rows == {
        day: {**dict.fromkeys(daily_counts.COUNTERS, 0), "view_count": 3, "hire_count": 1}
    }


def test_concurrent_applications_and_views(app, factory):
    """Parallel first events of a day: one row, nothing lost (both databases)."""
    job_id = factory.job(status="open").id
    errors: list[Exception] = []

    def work(n: int) -> None:
        try:
            with app.app_context(), write_intent():
                careers.record_view(db.session, job_id, f"visitor-{n}")
                applications.apply(db.session, job_id, {"name": "N", "email": f"c{n}@example.com"})
                db.session.remove()
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    rows = live_rows(job_id)
    assert len(rows) == 1
    (counts,) = rows.values()
    assert counts["view_count"] == 8 and counts["application_count"] == 8
    with write_intent():
        careers.roll_up_views(db.session)  # the job's total follows the daily rows
    job = db.session.get(Job, job_id)
    assert (job.view_count, job.application_count) == (8, 8)
