"""``jobsmgmt scheduler`` on a real Redis: restarting it twice leaves exactly one registration per
periodic task (fixed ids), and a real ``jobsmgmt worker`` runs what it enqueues."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta

import pytest
from redis import Redis
from rq_scheduler import Scheduler

from jobsmgmt.extensions import db
from jobsmgmt.models import Job
from jobsmgmt.schedule import SCHEDULE
from tests.bulk_support import JOBSMGMT, ROOT, start, stop, subprocess_env, wait_for
from tests.conftest import app_context, build_app
from tests.factories import Factory
from workers.scheduler import registration_id


@pytest.fixture
def hosted_app(pg_url, redis_url):
    with app_context(build_app(pg_url, redis_url=redis_url)) as app:
        yield app


def _registered(connection: Redis) -> list[str]:
    return [i.decode() for i in connection.zrange(Scheduler.scheduled_jobs_key, 0, -1)]


def test_restarting_the_scheduler_keeps_one_registration_per_task(hosted_app, tmp_path):
    app = hosted_app
    connection = Redis.from_url(app.config["REDIS_URL"])
    queue_name = app.config["RQ_QUEUE"]
    expected = sorted(registration_id(queue_name, t.name) for t in SCHEDULE)
    assert len(expected) >= 3  # auto-close, postings expiry, resume (+ analytics when present)
    deadline = datetime.now(UTC) - timedelta(days=3)
    job_id = Factory(app).job(status="open", application_deadline=deadline).id
    log = tmp_path / "scheduler.log"
    env = subprocess_env(app)
    for _ in range(2):  # start, stop; start again, stop again
        process = start(["scheduler"], env, log)
        try:
            wait_for(
                lambda: "Registered" in log.read_text(errors="replace"), 60, "registration", log
            )
            wait_for(lambda: connection.llen(f"rq:queue:{queue_name}") > 0, 30, "enqueue", log)
        finally:
            stop(process)
        assert sorted(_registered(connection)) == expected
    burst = subprocess.run(
        [str(JOBSMGMT), "scheduler", "--burst"], env=env, cwd=ROOT, capture_output=True, timeout=90
    )
    assert burst.returncode == 0, burst.stdout + burst.stderr
    registered = _registered(connection)
    assert sorted(registered) == expected and len(registered) == len(set(registered))
    for job in registered:  # each registration is one stored RQ job
        assert connection.exists(f"rq:job:{job}")
    intervals = {t.name: t.every_seconds for t in SCHEDULE}
    scheduler = Scheduler(queue_name=queue_name, connection=connection)
    for job in scheduler.get_jobs():
        name = job.func_name.rsplit(".", 1)[1]
        assert job.meta["interval"] == intervals[name]

    # The tasks the scheduler enqueued run on a real worker: the overdue job is closed.
    worker = subprocess.run(
        [str(JOBSMGMT), "worker", "--burst"], env=env, cwd=ROOT, capture_output=True, timeout=120
    )
    assert worker.returncode == 0, worker.stdout + worker.stderr
    db.session.rollback()
    assert db.session.get(Job, job_id).status == "closed"
    # Having run, every registration is still there and does not expire (rq-scheduler drops a
    # registration whose stored job is gone).
    assert sorted(_registered(connection)) == expected
    for job in expected:
        assert connection.ttl(f"rq:job:{job}") == -1
