"""``jobsmgmt scheduler``: the periodic tasks of ``jobsmgmt.schedule.SCHEDULE`` registered with
rq-scheduler (hosted edition).

Each task is registered under a fixed job id, and a registration that is already there is kept
(with its next run time), so restarting schedulers, or running several, leaves exactly one
registration per task and one run per period; then rq-scheduler's loop runs (its lock lets one
scheduler process of several enqueue at a time).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import click
from flask import Flask

from jobsmgmt import queue
from jobsmgmt.schedule import SCHEDULE

log = logging.getLogger(__name__)

SCHEDULER_POLL_SECONDS = 10
LOCK_WAIT_SECONDS = 60  # rq-scheduler's lock lasts its interval + 10 s at most (20 s here)
LOCK_HOLD_SECONDS = 30  # registering takes milliseconds; a registrar that dies frees it by then


def registration_id(queue_name: str, task_name: str) -> str:
    return f"{queue_name}-periodic-{task_name}"


def registrations(scheduler, queue_name: str) -> list[str]:
    """The ids of this queue's periodic registrations in rq-scheduler's sorted set."""
    prefix = registration_id(queue_name, "")
    ids = scheduler.connection.zrange(scheduler.scheduled_jobs_key, 0, -1)
    ids = [i.decode() if isinstance(i, bytes) else i for i in ids]
    return [i for i in ids if i.startswith(prefix)]


def _current(scheduler, job_id: str, task, queue_name: str) -> bool:
    """Whether ``job_id`` is registered already, for this task, queue and interval."""
    from rq.exceptions import NoSuchJobError
    from rq.job import Job

    if scheduler.connection.zscore(scheduler.scheduled_jobs_key, job_id) is None:
        return False
    try:
        job = Job.fetch(job_id, connection=scheduler.connection)
    except NoSuchJobError:
        return False
    return (
        job.func_name == f"{task.function.__module__}.{task.function.__qualname__}"
        and job.origin == queue_name
        and job.meta.get("interval") == task.every_seconds
    )


@contextmanager
def moving_runs_excluded(scheduler, wait_seconds: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
    """Hold rq-scheduler's own lock key: the one a scheduler holds while it moves due runs to
    the queue. Moving a run takes its registration out of the sorted set and puts it back a
    period ahead, two commands apart; a registration checked in between looks missing, and
    putting it back "first run now" runs the task twice (the likeliest cause of the one CI run
    whose scale-out test, two schedulers starting together, saw a task run twice).

    rq-scheduler only sets that key if absent (with an expiry) and deletes it afterwards, so a
    redis-py lock on the same key excludes it; unlike rq-scheduler's own release, this one
    deletes the key only while it still holds this process's token, never another holder's
    lock taken after ours expired. Moving runs holds the key for milliseconds: waits are short."""
    from redis.exceptions import LockError

    lock = scheduler.connection.lock(
        scheduler.scheduler_lock_key,
        timeout=LOCK_HOLD_SECONDS,
        sleep=0.05,
        blocking_timeout=wait_seconds,
    )
    if not lock.acquire():
        raise click.ClickException(
            f"rq-scheduler's lock ({scheduler.scheduler_lock_key}) was held for over "
            f"{wait_seconds:g} s: is another scheduler stuck?"
        )
    try:
        yield
    finally:
        try:
            lock.release()
        except LockError:  # expired (held > LOCK_HOLD_SECONDS) and maybe taken: not ours
            log.warning("The registration lock expired before registering finished")


def register(scheduler, queue_name: str) -> list[str]:
    """Make this queue's registrations match ``SCHEDULE``: one per task under its fixed id. A
    registration that is already there unchanged keeps its next run time, so starting a second
    scheduler, or restarting one (hosts restart processes daily), never runs a task again before
    its period is over; a missing or changed one is scheduled with its first run now, then every
    ``every_seconds``; one for a task no longer scheduled is cancelled. All of it under
    rq-scheduler's lock (``moving_runs_excluded``), so no scheduler moves a run meanwhile and
    schedulers starting together register one after the other."""
    wanted = {registration_id(queue_name, task.name): task for task in SCHEDULE}
    with moving_runs_excluded(scheduler):
        for job_id in registrations(scheduler, queue_name):
            if job_id not in wanted:
                scheduler.cancel(job_id)
        for job_id, task in wanted.items():
            if _current(scheduler, job_id, task, queue_name):
                continue
            scheduler.cancel(job_id)
            scheduler.schedule(
                scheduled_time=datetime.now(UTC).replace(tzinfo=None),
                func=task.function,
                interval=task.every_seconds,
                repeat=None,
                id=job_id,
                queue_name=queue_name,
                timeout=1800,
                # result_ttl stays rq-scheduler's -1 for periodic jobs: the stored job *is* the
                # registration, and the scheduler drops a registration whose job hash expired.
            )
    return list(wanted)


def make_scheduler(app: Flask, poll_seconds: int = SCHEDULER_POLL_SECONDS):
    from rq_scheduler import Scheduler

    return Scheduler(
        queue_name=app.config["RQ_QUEUE"],
        connection=queue.redis_connection(app),
        interval=poll_seconds,
    )


def run_scheduler(app: Flask, burst: bool = False) -> list[str]:
    """``jobsmgmt scheduler``: register the periodic tasks, then run rq-scheduler's loop."""
    if not app.config.get("REDIS_URL"):
        raise click.UsageError(
            "REDIS_URL is not set: the desktop edition schedules tasks in-process (jobsmgmt serve)."
        )
    scheduler = make_scheduler(app)
    ids = register(scheduler, app.config["RQ_QUEUE"])
    click.echo(f"Registered {len(ids)} periodic tasks: {', '.join(ids)}")
    scheduler.run(burst=burst)
    return ids
