"""The task seam: the same task through a real RQ worker on real Redis (hosted) and through the
in-process worker (desktop)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import insert

from jobsmgmt import queue
from jobsmgmt.database import write_intent
from jobsmgmt.extensions import db
from jobsmgmt.models import JobAnalytics, new_id
from jobsmgmt.services import jobs
from tests.conftest import app_context, build_app
from tests.factories import Factory

ROOT = Path(__file__).resolve().parent.parent


def _job_with_wrong_counters(app):
    """A job whose counters disagree with its rows: 0 applications, 3 + 4 views."""
    from jobsmgmt.models import Job

    job_id = Factory(app).job().id
    db.session.rollback()
    with write_intent():  # a write transaction from its first statement (SQLite)
        db.session.execute(
            insert(JobAnalytics),
            [
                {"id": new_id(), "job_id": job_id, "date": dt.date(2026, 11, 1), "view_count": 3},
                {"id": new_id(), "job_id": job_id, "date": dt.date(2026, 11, 2), "view_count": 4},
            ],
        )
        db.session.get(Job, job_id).application_count = 99
        db.session.commit()
    return job_id


def _counters(job_id):
    from jobsmgmt.models import Job

    db.session.rollback()
    job = db.session.get(Job, job_id)
    return job.application_count, job.view_count


def worker_env(app) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        REDIS_URL=app.config["REDIS_URL"],
        RQ_QUEUE=app.config["RQ_QUEUE"],
        SECRET_KEY=app.config["SECRET_KEY"],
        AUDIT_KEY=app.config["AUDIT_KEY"],
        PYTHONPATH=str(ROOT),
    )
    return env


def run_worker_burst(app) -> subprocess.CompletedProcess:
    jobsmgmt = Path(sys.executable).with_name("jobsmgmt")
    return subprocess.run(
        [str(jobsmgmt), "worker", "--burst"],
        env=worker_env(app),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_rq_worker_on_real_redis_changes_the_database(pg_url, redis_url):
    with app_context(build_app(pg_url, REDIS_URL=redis_url)) as app:
        job_id = _job_with_wrong_counters(app)
        queue.enqueue(jobs.refresh_job_counters, job_id)
        assert queue.rq_queue(app).count == 1  # the message is in Redis, with the id only
        assert queue.rq_queue(app).jobs[0].args == (job_id,)
        assert _counters(job_id) == (99, 0)  # nothing ran in this process

        result = run_worker_burst(app)
        assert result.returncode == 0, result.stderr[-2000:]
        assert _counters(job_id) == (0, 7)
        assert queue.rq_queue(app).count == 0


def test_rq_worker_retries_a_failed_task(pg_url, redis_url):
    """A task that fails is retried (queue.enqueue's Retry): the retry waits in RQ's scheduled
    registry until its interval is over, and a worker then runs it again."""
    import time

    from rq.registry import ScheduledJobRegistry

    from jobsmgmt.models import Job

    with app_context(build_app(pg_url, REDIS_URL=redis_url)) as app:
        job_id = _job_with_wrong_counters(app)
        db.session.get(Job, job_id).deleted_at = dt.datetime(2026, 11, 3)  # NotFound for now
        db.session.commit()
        queue.enqueue(jobs.refresh_job_counters, job_id)
        assert run_worker_burst(app).returncode == 0
        scheduled = ScheduledJobRegistry(queue=queue.rq_queue(app))
        assert len(scheduled.get_job_ids()) == 1  # failed once, its retry waiting
        db.session.rollback()
        db.session.get(Job, job_id).deleted_at = None  # the cause of the failure is gone
        db.session.commit()
        assert _counters(job_id) == (99, 0)

        retry_id = scheduled.get_job_ids()[0]
        queue.redis_connection(app).zadd(scheduled.key, {retry_id: time.time() - 1})  # now due
        result = run_worker_burst(app)
        assert result.returncode == 0, result.stderr[-2000:]
        assert _counters(job_id) == (0, 7)
        assert scheduled.get_job_ids() == [] and queue.rq_queue(app).count == 0


def test_inline_worker_runs_the_same_task(sqlite_url):
    with app_context(build_app(sqlite_url)) as app:
        assert app.config["REDIS_URL"] is None
        job_id = _job_with_wrong_counters(app)
        queue.enqueue(jobs.refresh_job_counters, job_id)
        assert queue.in_process_runner(app).join(timeout=30)
        assert _counters(job_id) == (0, 7)


def test_inline_worker_survives_a_failing_task(sqlite_url):
    with app_context(build_app(sqlite_url)) as app:
        job_id = _job_with_wrong_counters(app)
        queue.enqueue(jobs.refresh_job_counters, "no-such-job")  # raises NotFound in the thread
        queue.enqueue(jobs.refresh_job_counters, job_id)
        assert queue.in_process_runner(app).join(timeout=30)
        assert _counters(job_id) == (0, 7)


def test_unknown_task_is_refused(sqlite_app):
    import pytest

    with pytest.raises(ValueError):
        queue.enqueue(print, "x")
