"""``jobsmgmt scheduler``: the periodic tasks of ``jobsmgmt.schedule.SCHEDULE`` registered with
rq-scheduler (hosted edition).

Each task is registered under a fixed job id (cancel, then schedule again), so restarting the
scheduler any number of times leaves exactly one registration per task; then rq-scheduler's loop
runs (its lock lets one scheduler process of several enqueue at a time).
"""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask import Flask

from jobsmgmt import queue
from jobsmgmt.schedule import SCHEDULE

SCHEDULER_POLL_SECONDS = 10


def registration_id(queue_name: str, task_name: str) -> str:
    return f"{queue_name}-periodic-{task_name}"


def registrations(scheduler, queue_name: str) -> list[str]:
    """The ids of this queue's periodic registrations in rq-scheduler's sorted set."""
    prefix = registration_id(queue_name, "")
    ids = scheduler.connection.zrange(scheduler.scheduled_jobs_key, 0, -1)
    ids = [i.decode() if isinstance(i, bytes) else i for i in ids]
    return [i for i in ids if i.startswith(prefix)]


def register(scheduler, queue_name: str) -> list[str]:
    """Cancel this queue's registrations, then schedule each task once under its fixed id; the
    first run is now (a restart catches up at once), then every ``every_seconds``."""
    for job_id in registrations(scheduler, queue_name):
        scheduler.cancel(job_id)
    ids = []
    for task in SCHEDULE:
        job_id = registration_id(queue_name, task.name)
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
        ids.append(job_id)
    return ids


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
