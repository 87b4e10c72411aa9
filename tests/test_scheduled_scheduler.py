"""``jobsmgmt scheduler`` on a real Redis: restarting it twice leaves exactly one registration per
periodic task (fixed ids), and a real ``jobsmgmt worker`` runs what it enqueues."""

from __future__ import annotations

import subprocess
import threading
import time
from datetime import UTC, datetime, timedelta

import click
import pytest
from redis import Redis
from rq.job import Job as RQJob
from rq_scheduler import Scheduler

from jobsmgmt.extensions import db
from jobsmgmt.models import Job
from jobsmgmt.schedule import SCHEDULE
from tests.bulk_support import JOBSMGMT, ROOT, start, stop, subprocess_env, wait_for
from tests.conftest import app_context, build_app
from tests.factories import Factory
from workers.scheduler import moving_runs_excluded, register, registration_id


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


def test_registering_waits_while_another_scheduler_moves_a_due_run(redis_url):
    """A second scheduler starting while the first moves a due run to the queue: the run's
    registration is out of the sorted set for a moment (rq-scheduler removes it, then adds it
    back a period ahead). Registering then must wait and keep it, not schedule the task again
    "now" (which ran it twice)."""
    connection = Redis.from_url(redis_url)
    queue_name = "jobsmgmt"
    register(Scheduler(queue_name=queue_name, connection=connection), queue_name)
    task = SCHEDULE[0]
    job_id = registration_id(queue_name, task.name)

    # The first scheduler, half way through rq-scheduler's enqueue_job: lock held, run queued,
    # registration taken out and not yet put back.
    moving = Scheduler(queue_name=queue_name, connection=connection)
    assert moving.acquire_lock()
    queued = RQJob.fetch(job_id, connection=connection)
    moving.get_queue_for_job(queued).enqueue_job(queued)
    connection.zrem(Scheduler.scheduled_jobs_key, job_id)

    second = threading.Thread(
        target=register, args=(Scheduler(queue_name=queue_name, connection=connection), queue_name)
    )
    second.start()
    second.join(0.5)
    assert second.is_alive()  # waiting for the lock, not registering the task again
    next_run = time.time() + task.every_seconds
    connection.zadd(Scheduler.scheduled_jobs_key, {job_id: next_run})
    moving.remove_lock()
    second.join(10)
    assert not second.is_alive()
    assert not connection.exists(Scheduler.scheduler_lock_key)  # released

    # The registration is the queued run's, untouched, and a period ahead.
    assert connection.zscore(Scheduler.scheduled_jobs_key, job_id) == pytest.approx(next_run)
    stored = RQJob.fetch(job_id, connection=connection)
    assert stored.get_status() == "queued" and stored.created_at == queued.created_at
    assert sorted(_registered(connection)) == sorted(
        registration_id(queue_name, t.name) for t in SCHEDULE
    )
    # A scheduler's next round moves nothing of this task: the one run, not a second.
    runs = f"rq:queue:{queue_name}"
    Scheduler(queue_name=queue_name, connection=connection).enqueue_jobs()
    assert connection.lrange(runs, 0, -1).count(job_id.encode()) == 1


def test_registering_gives_up_on_a_lock_held_too_long(redis_url):
    connection = Redis.from_url(redis_url)
    holder = Scheduler(queue_name="jobsmgmt", connection=connection)
    assert holder.acquire_lock()
    with pytest.raises(click.ClickException, match="held for over"):
        with moving_runs_excluded(Scheduler(queue_name="jobsmgmt", connection=connection), 0.3):
            pass
    assert connection.exists(Scheduler.scheduler_lock_key)  # the holder's, untouched


def test_registering_never_releases_a_lock_another_scheduler_took(redis_url, monkeypatch):
    """rq-scheduler deletes its lock key without looking whose it is; the registration lock,
    on the same key, deletes it only while it is still its own."""
    monkeypatch.setattr("workers.scheduler.LOCK_HOLD_SECONDS", 1)
    connection = Redis.from_url(redis_url)
    with moving_runs_excluded(Scheduler(queue_name="jobsmgmt", connection=connection)):
        time.sleep(1.3)  # registering stalled past the lock's expiry
        later = Scheduler(queue_name="jobsmgmt", connection=connection)
        assert later.acquire_lock()  # another scheduler starts moving runs
    assert connection.exists(Scheduler.scheduler_lock_key)  # still the other one's
    later.remove_lock()
