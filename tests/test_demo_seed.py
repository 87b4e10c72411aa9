"""``jobsmgmt demo seed``: deterministic, and the seeded data obey every invariant of the app."""

from __future__ import annotations

import shutil
from collections import Counter, defaultdict
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from jobsmgmt import create_app, demo
from jobsmgmt.extensions import db
from jobsmgmt.models import (
    FINAL_STAGES,
    PIPELINE,
    Application,
    ApplicationStageEvent,
    Candidate,
    Job,
    JobAnalytics,
    JobAuditLog,
    JobStatusHistory,
    User,
)
from jobsmgmt.services import analytics, audit, users
from jobsmgmt.services.applications import compute_match_score
from jobsmgmt.services.status import TRANSITIONS
from tests.conftest import TEST_OVERRIDES, make_settings

TODAY = date(2026, 11, 20)
STAGE_COLUMNS = {
    "shortlisted": "shortlist_count",
    "interview": "interview_count",
    "offer": "offer_count",
    "hired": "hire_count",
}


def summary() -> dict:
    """What must not change between two runs with the same seed."""
    count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
    jobs = db.session.execute(
        select(Job.title, Job.status, Job.application_count, Job.view_count, Job.department)
    ).all()
    sums = db.session.execute(
        select(*(func.sum(getattr(JobAnalytics, c)) for c in ("view_count", "application_count")))
    ).one()
    return {
        "counts": {
            model.__name__: count(model)
            for model in (
                Job,
                Application,
                Candidate,
                ApplicationStageEvent,
                JobStatusHistory,
                JobAuditLog,
                JobAnalytics,
            )
        },
        "jobs": sorted(tuple(row) for row in jobs),
        "stages": dict(
            db.session.execute(
                select(Application.stage, func.count()).group_by(Application.stage)
            ).all()
        ),
        "score_sum": float(db.session.scalar(select(func.sum(Application.match_score))) or 0),
        "daily_sums": tuple(sums),
    }


def seed_fresh_database(template, path, seed: int) -> dict:
    shutil.copyfile(template, path)
    app = create_app(make_settings(f"sqlite:///{path}"), **TEST_OVERRIDES)
    with app.app_context():
        for n in range(3):
            users.create_user(db.session, f"owner{n}@example.com", f"Owner {n}", "recruiter", None)
        report = demo.seed_history(
            db.session, jobs=25, applications=300, days=60, seed=seed, today=TODAY
        )
        result = summary()
        result["report"] = {k: v for k, v in report.as_dict().items() if k != "seconds"}
        db.session.remove()
        db.engine.dispose()
    return result


def test_same_seed_same_data(sqlite_template, tmp_path):
    first = seed_fresh_database(sqlite_template, tmp_path / "a.db", seed=7)
    second = seed_fresh_database(sqlite_template, tmp_path / "b.db", seed=7)
    other = seed_fresh_database(sqlite_template, tmp_path / "c.db", seed=8)
    assert first == second
    assert first["counts"]["Job"] == 25 and first["counts"]["Application"] == 300
    assert first["report"]["applications"] == 300
    assert [t for t, *_ in first["jobs"]] != [t for t, *_ in other["jobs"]]


@pytest.fixture
def seeded(app, factory):
    owners = [factory.user("recruiter"), factory.user("admin")]
    factory.user("viewer")
    report = demo.seed_history(
        db.session, jobs=60, applications=900, days=120, seed=11, today=TODAY
    )
    db.session.rollback()
    return owners, report


def test_status_histories_obey_the_transition_table(seeded):
    owners, _ = seeded
    jobs = {job.id: job for job in db.session.scalars(select(Job))}
    assert {job.owner_id for job in jobs.values()} <= {o.id for o in owners}
    assert len({job.status for job in jobs.values()}) == 5  # every status
    assert len({job.department for job in jobs.values()}) >= 4
    history = defaultdict(list)
    for row in db.session.scalars(
        select(JobStatusHistory).order_by(JobStatusHistory.job_id, JobStatusHistory.changed_at)
    ):
        history[row.job_id].append(row)
    for job_id, job in jobs.items():
        rows = history.get(job_id, [])
        status = "draft"
        for row in rows:
            assert row.from_status == status
            assert row.to_status in TRANSITIONS[status], (status, row.to_status)
            status = row.to_status
        assert status == job.status
        opened = [row.changed_at for row in rows if row.to_status == "open"]
        assert job.published_at == (opened[0] if opened else None)
        if job.status == "open":
            assert job.closed_at is None and job.archived_at is None
        if job.status == "closed":
            last_close = [row.changed_at for row in rows if row.to_status == "closed"][-1]
            assert job.closed_at is not None and job.closed_at <= last_close
        if job.status == "archived":
            assert job.archived_at == rows[-1].changed_at
        assert job.created_at <= (rows[0].changed_at if rows else job.updated_at)
        assert job.created_at.date() < TODAY


def test_counters_and_applications_agree(seeded):
    jobs = {job.id: job for job in db.session.scalars(select(Job))}
    counted = dict(
        db.session.execute(
            select(Application.job_id, func.count()).group_by(Application.job_id)
        ).all()
    )
    viewed = dict(
        db.session.execute(
            select(JobAnalytics.job_id, func.sum(JobAnalytics.view_count)).group_by(
                JobAnalytics.job_id
            )
        ).all()
    )
    assert sum(counted.values()) == 900
    for job_id, job in jobs.items():
        assert job.application_count == counted.get(job_id, 0)
        assert job.view_count == (viewed.get(job_id) or 0)
        if job.published_at is None:
            assert job_id not in counted and job_id not in viewed
    # one application per candidate per job
    pairs = db.session.execute(select(Application.job_id, Application.candidate_id)).all()
    assert len(pairs) == len(set(pairs))
    for application in db.session.scalars(select(Application)):
        job = jobs[application.job_id]
        assert job.published_at <= application.applied_at
        if job.application_deadline is not None:
            assert application.applied_at < job.application_deadline
        expected = compute_match_score(job.required_skills, application.skills, None)
        assert application.match_score == expected


def test_stage_histories_and_reached_columns(seeded):
    events = defaultdict(list)
    for event in db.session.scalars(
        select(ApplicationStageEvent).order_by(
            ApplicationStageEvent.application_id, ApplicationStageEvent.changed_at
        )
    ):
        events[event.application_id].append(event)
    stages = Counter()
    for application in db.session.scalars(select(Application)):
        chain = events[application.id]
        assert (chain[0].from_stage, chain[0].to_stage) == (None, "applied")
        assert chain[0].changed_at == application.applied_at
        for before, after in zip(chain, chain[1:], strict=False):
            assert after.from_stage == before.to_stage
            assert after.from_stage not in FINAL_STAGES
        assert chain[-1].to_stage == application.stage
        stages[application.stage] += 1
        reached = [getattr(application, f"reached_{s}_at") for s in PIPELINE[1:]]
        furthest = max(
            (PIPELINE.index(e.to_stage) for e in chain if e.to_stage in PIPELINE), default=0
        )
        for index, moment in enumerate(reached, start=1):
            assert (moment is not None) == (index <= furthest)
            if moment is not None:
                arrived = [
                    e.changed_at
                    for e in chain
                    if e.to_stage in PIPELINE and PIPELINE.index(e.to_stage) >= index
                ]
                assert moment == arrived[0]
        set_ones = [m for m in reached if m is not None]
        assert set_ones == sorted(set_ones)
    assert {"applied", "shortlisted", "rejected", "hired"} <= set(stages)


def test_daily_rows_equal_the_live_definitions(seeded):
    applications = db.session.scalars(select(Application)).all()
    expected: dict[tuple, Counter] = defaultdict(Counter)
    for application in applications:
        expected[application.job_id, application.applied_at.date()]["application_count"] += 1
        for stage, counter in STAGE_COLUMNS.items():
            moment = getattr(application, f"reached_{stage}_at")
            if moment is not None:
                expected[application.job_id, moment.date()][counter] += 1
    rows = db.session.scalars(select(JobAnalytics)).all()
    assert len({(row.job_id, row.date) for row in rows}) == len(rows)
    for row in rows:
        wanted = expected.get((row.job_id, row.date), Counter())
        for counter in ("application_count", *STAGE_COLUMNS.values()):
            assert getattr(row, counter) == wanted[counter], (row.job_id, row.date, counter)
        assert row.view_count >= row.application_count
        assert row.date < TODAY
    keys = {(row.job_id, row.date) for row in rows}
    assert set(expected) <= keys


def test_the_daily_recompute_reproduces_the_seeded_rows(seeded):
    def snapshot() -> dict:
        db.session.rollback()
        return {
            (row.job_id, row.date): tuple(
                getattr(row, name)
                for name in (
                    "view_count",
                    "application_count",
                    "shortlist_count",
                    "interview_count",
                    "offer_count",
                    "hire_count",
                )
            )
            for row in db.session.scalars(select(JobAnalytics))
        }

    before = snapshot()
    analytics.recompute_daily_analytics(db.session, TODAY - timedelta(days=130), TODAY)
    assert snapshot() == before


def test_audit_chains_verify(seeded, runner):
    report = audit.verify(db.session)
    assert report.valid, report.problems[:3]
    assert report.jobs_checked == 60
    heads = dict(db.session.execute(select(Job.id, Job.audit_seq)).all())
    counted = dict(
        db.session.execute(
            select(JobAuditLog.job_id, func.count()).group_by(JobAuditLog.job_id)
        ).all()
    )
    assert heads == counted
    entries = db.session.scalar(select(func.count()).select_from(JobAuditLog))
    changes = db.session.scalar(select(func.count()).select_from(JobStatusHistory))
    assert entries == len(heads) + changes  # a "create" per job and one per status change
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output


def test_cli_seed_then_verify(app, runner):
    result = runner.invoke(
        args=[
            "demo",
            "seed",
            "--jobs",
            "12",
            "--applications",
            "150",
            "--days",
            "30",
            "--seed",
            "3",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Seeded 12 jobs, 150 applications" in result.output
    assert "Demo login: admin@demo.local" in result.output  # an empty database gets the team
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Job)) == 12
    again = runner.invoke(
        args=["demo", "seed", "--jobs", "3", "--applications", "20", "--seed", "3"]
    )
    assert again.exit_code == 0, again.output  # a second run adds, without clashing
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    bad = runner.invoke(args=["demo", "seed", "--jobs", "0"])
    assert bad.exit_code == 2


def test_first_run_demo_agency_has_a_history(app):
    login = demo.ensure_demo_agency(db.session)
    assert login is not None and login[0] == demo.DEMO_ADMIN
    assert db.session.scalar(select(func.count()).select_from(Job)) == demo.FIRST_RUN["jobs"]
    assert (
        db.session.scalar(select(func.count()).select_from(Application))
        == demo.FIRST_RUN["applications"]
    )
    assert db.session.scalar(select(func.count()).select_from(User).where(User.role == "viewer"))
    assert demo.ensure_demo_agency(db.session) is None  # not twice
    assert db.session.scalar(select(func.count()).select_from(Job)) == demo.FIRST_RUN["jobs"]


def test_ten_thousand_jobs_look_like_real_postings(sqlite_app):
    """Issue 12: at 10k jobs at least half the titles distinct, 20–40 departments, hundreds
    of locations, descriptions of 600–4,000 characters, counted in SQL."""
    from sqlalchemy import text

    with sqlite_app.app_context():
        users.create_user(db.session, "owner@example.com", "Owner", "recruiter", None)
        demo.seed_history(db.session, jobs=10_000, applications=0, days=30, seed=5, today=TODAY)
        titles, departments, locations, shortest, longest = db.session.execute(
            text(
                "SELECT count(DISTINCT title), count(DISTINCT department), "
                "count(DISTINCT location), min(length(description)), "
                "max(length(description)) FROM jobs"
            )
        ).one()
        db.session.remove()
    assert titles >= 5_000, titles
    assert 20 <= departments <= 40, departments
    assert locations >= 200, locations
    assert shortest >= 600 and longest <= 4_000, (shortest, longest)


def test_seed_leaves_the_counter_tables_compact(pg_app):
    """The seed writes every job in one transaction, which on PostgreSQL leaves a dead version
    of a counter row per job: afterwards the counter tables are rewritten to their few rows."""
    from jobsmgmt.database import COUNTER_TABLES
    from jobsmgmt.demo import ensure_demo_agency, seed_history

    ensure_demo_agency(db.session, seed=False)
    seed_history(db.session, 300, 600, 30, 5)
    db.session.rollback()
    for table in COUNTER_TABLES:
        pages = db.session.scalar(select(func.pg_relation_size(table))) // 8192
        rows = db.session.scalar(select(func.count()).select_from(db.metadata.tables[table]))
        assert pages <= 1 + rows // 50, (table, pages, rows)  # 50+ counter rows a page
