"""The daily recompute (``calculate_daily_analytics``): set-based, idempotent, keeps views,
reproduces hand-made rows and the rows the applications service keeps live; the task through
the CLI (``--date`` / ``--days``) and through a real RQ worker on Redis."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from jobsmgmt import queue
from jobsmgmt.extensions import db
from jobsmgmt.models import Job, JobAnalytics, utcnow
from jobsmgmt.services import Actor, analytics, applications
from tests.analytics_data import NOW, TODAY, build
from tests.analytics_expectation import daily_rows
from tests.conftest import app_context, build_app

COUNTERS = (
    "view_count",
    "application_count",
    "shortlist_count",
    "interview_count",
    "offer_count",
    "hire_count",
)
ROOT = Path(__file__).resolve().parent.parent


def table_rows(start=None, end=None) -> dict:
    db.session.rollback()
    query = select(JobAnalytics)
    if start is not None:
        query = query.where(JobAnalytics.date >= start, JobAnalytics.date <= end)
    return {
        (row.job_id, row.date): {name: getattr(row, name) for name in COUNTERS}
        for row in db.session.scalars(query)
    }


def nonzero(rows: dict) -> dict:
    return {key: counts for key, counts in rows.items() if any(counts.values())}


def oracle(world, start, end) -> dict:
    apps = {world.jobs[name]["id"]: world.apps[name] for name in world.jobs}
    views = {world.jobs[name]["id"]: world.views[name] for name in world.jobs}
    return daily_rows(apps, views, start, end)


@pytest.fixture
def world(app, factory):
    return build(factory.user("recruiter"))


def test_recompute_matches_the_oracle_and_keeps_views(app, world):
    start, end = TODAY - timedelta(days=120), TODAY
    written = analytics.recompute_daily_analytics(db.session, start, end)
    want = oracle(world, start, end)
    assert nonzero(table_rows(start, end)) == want
    assert written == sum(1 for counts in want.values() if any(list(counts.values())[1:]))
    assert analytics.recompute_daily_analytics(db.session, start, end) == 0  # nothing to change
    assert nonzero(table_rows(start, end)) == want  # idempotent


def test_recompute_reproduces_hand_made_rows_and_repairs_wrong_ones(app, world):
    start, end = TODAY - timedelta(days=60), TODAY - timedelta(days=1)
    want = oracle(world, start, end)
    # Hand-made rows: exactly the oracle's, written straight into the table.
    for (job_id, day), counts in want.items():
        row = db.session.scalar(
            select(JobAnalytics).where(JobAnalytics.job_id == job_id, JobAnalytics.date == day)
        )
        if row is None:
            row = JobAnalytics(job_id=job_id, date=day)
            db.session.add(row)
        for name, value in counts.items():
            setattr(row, name, value)
    db.session.commit()
    assert nonzero(table_rows(start, end)) == want
    assert analytics.recompute_daily_analytics(db.session, start, end) == 0
    assert nonzero(table_rows(start, end)) == want  # reproduced exactly, nothing rewritten

    # Now break some: a wrong count, a row with no events behind it, one outside the range.
    job_a, job_c = world.jobs["A"]["id"], world.jobs["C"]["id"]
    key = next(k for k in want if k[0] == job_a and want[k]["application_count"])
    wrong = db.session.scalar(
        select(JobAnalytics).where(JobAnalytics.job_id == key[0], JobAnalytics.date == key[1])
    )
    wrong.application_count += 5
    wrong.view_count = 77
    db.session.add(
        JobAnalytics(job_id=job_c, date=start + timedelta(days=3), hire_count=4, view_count=2)
    )
    outside = start - timedelta(days=5)
    db.session.add(JobAnalytics(job_id=job_c, date=outside, offer_count=9))
    db.session.commit()
    assert analytics.recompute_daily_analytics(db.session, start, end) == 2  # two repaired
    after = table_rows(start, end)
    want[key]["view_count"] = 77  # views are kept as they are
    want[(job_c, start + timedelta(days=3))] = dict.fromkeys(COUNTERS, 0) | {"view_count": 2}
    assert nonzero(after) == want
    assert table_rows(outside, outside)[(job_c, outside)]["offer_count"] == 9  # untouched


def test_recompute_reproduces_the_live_rows(app, factory):
    """Rows kept live by the applications service equal what the recompute makes of them."""
    recruiter = factory.user("recruiter")
    job = factory.job(owner=recruiter)
    row = db.session.get(Job, job.id)
    row.status, row.published_at = "open", utcnow() - timedelta(days=1)
    db.session.commit()
    actor = Actor(recruiter.id, "127.0.0.1", "tests")
    made = []
    for i in range(6):
        made.append(
            applications.apply(
                db.session,
                job.id,
                {"name": f"Cand {i}", "email": f"live{i}@example.com"},
                match_score=10 * i,
            ).id
        )
    for application_id, stage in zip(
        made, ["shortlisted", "interview", "offer", "hired", "rejected", "applied"], strict=True
    ):
        if stage != "applied":
            applications.move_stage(db.session, application_id, stage, actor)
    live = table_rows()
    days = sorted(day for job_id, day in live if job_id == job.id)  # two if midnight passed

    def total(counter: str) -> int:
        return sum(live[(job.id, day)][counter] for day in days)

    assert (total("application_count"), total("hire_count"), total("shortlist_count")) == (6, 1, 4)
    for stored in db.session.scalars(select(JobAnalytics)):
        stored.application_count = stored.shortlist_count = stored.hire_count = 0
    db.session.commit()
    analytics.recompute_daily_analytics(db.session, days[0] - timedelta(days=1), days[-1])
    assert table_rows() == live


def test_task_from_the_cli(app, world):
    runner = app.test_cli_runner()
    day = TODAY - timedelta(days=2)
    result = runner.invoke(
        args=["tasks", "run", "calculate_daily_analytics", "--date", day.isoformat()]
    )
    assert result.exit_code == 0, result.output
    counted = {key[1] for key, counts in table_rows().items() if any(list(counts.values())[1:])}
    assert counted == {day}  # only that day was recomputed
    assert nonzero(table_rows(day, day)) == oracle(world, day, day)
    result = runner.invoke(args=["tasks", "run", "calculate_daily_analytics", "--days", "3"])
    assert result.exit_code == 0, result.output
    bad = runner.invoke(
        args=["tasks", "run", "calculate_daily_analytics", "--days", "2", "--date", "2026-01-01"]
    )
    assert bad.exit_code != 0
    assert runner.invoke(args=["tasks", "run", "refresh_job_counters", "--days", "2"]).exit_code


def test_task_through_a_real_rq_worker(pg_url, redis_url):
    with app_context(build_app(pg_url, REDIS_URL=redis_url)) as app:
        from tests.factories import Factory

        world = build(Factory(app).user("recruiter"))
        start, end = TODAY - timedelta(days=50), TODAY
        queue.enqueue(analytics.calculate_daily_analytics, start.isoformat(), end.isoformat())
        assert queue.rq_queue(app).count == 1
        assert nonzero(table_rows(start, end)) != oracle(world, start, end)
        env = {
            "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
            "REDIS_URL": redis_url,
            "RQ_QUEUE": app.config["RQ_QUEUE"],
            "SECRET_KEY": app.config["SECRET_KEY"],
            "AUDIT_KEY": app.config["AUDIT_KEY"],
            "PYTHONPATH": str(ROOT),
            "PATH": "/usr/bin:/bin",
        }
        done = subprocess.run(
            [str(Path(sys.executable).with_name("jobsmgmt")), "worker", "--burst"],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        assert nonzero(table_rows(start, end)) == oracle(world, start, end)


def test_default_range_is_yesterday_and_today(app, world, monkeypatch):
    calls = []
    monkeypatch.setattr(
        analytics, "recompute_daily_analytics", lambda session, a, b: calls.append((a, b)) or 0
    )
    before = datetime.now(UTC).date()
    analytics.calculate_daily_analytics()
    after = datetime.now(UTC).date()  # the same day unless midnight passed in between
    assert calls[0] in {(today - timedelta(days=1), today) for today in (before, after)}
    assert len(calls) == 1
    assert NOW.date() == TODAY
