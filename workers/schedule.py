"""Periodic tasks: one table, run by rq-scheduler (hosted) or an in-process thread (desktop).

Hosted: ``jobsmgmt scheduler`` registers each task under a fixed job id, keeping a registration
that is already there, so restarting schedulers, or running several, leaves exactly one
registration per task and one run per period; then it runs rq-scheduler's loop. Desktop:
``jobsmgmt serve`` resumes every unfinished bulk operation at start-up and runs the same tasks on
a daemon thread through the in-process worker.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import Flask, current_app

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicTask:
    name: str  # a key of workers.tasks.TASKS
    every_seconds: int


SCHEDULE = (
    PeriodicTask("auto_close_expired_jobs", 15 * 60),
    PeriodicTask("calculate_daily_analytics", 60 * 60),
    PeriodicTask("expire_external_postings", 15 * 60),
    PeriodicTask("resume_stalled_bulk_operations", 2 * 60),
)
SCHEDULER_POLL_SECONDS = 10


def available_tasks() -> list[PeriodicTask]:
    """The scheduled tasks that exist in this build (a missing one is logged, not scheduled)."""
    from . import tasks

    present = [task for task in SCHEDULE if task.name in tasks.TASKS]
    for task in SCHEDULE:
        if task.name not in tasks.TASKS:
            log.warning("Scheduled task %s is not in workers.tasks.TASKS; skipped", task.name)
    return present


def registration_id(queue_name: str, task_name: str) -> str:
    return f"{queue_name}-periodic-{task_name}"


def registrations(scheduler, queue_name: str) -> list[str]:
    """The ids of this queue's periodic registrations in rq-scheduler's sorted set."""
    prefix = registration_id(queue_name, "")
    ids = scheduler.connection.zrange(scheduler.scheduled_jobs_key, 0, -1)
    ids = [i.decode() if isinstance(i, bytes) else i for i in ids]
    return [i for i in ids if i.startswith(prefix)]


def _current(scheduler, job_id: str, task: PeriodicTask, queue_name: str) -> bool:
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
        job.func_name == f"workers.tasks.{task.name}"
        and job.origin == queue_name
        and job.meta.get("interval") == task.every_seconds
    )


def register(scheduler, queue_name: str) -> list[str]:
    """Make this queue's registrations match ``SCHEDULE``: one per task under its fixed id. A
    registration that is already there unchanged keeps its next run time, so starting a second
    scheduler, or restarting one (hosts restart processes daily), never runs a task again before
    its period is over; a missing or changed one is scheduled with its first run now, then every
    ``every_seconds``; one for a task no longer scheduled is cancelled. Under a Redis lock, so
    schedulers starting together register one after the other. (rq-scheduler's own lock then
    lets one scheduler at a time move due runs to the queue: each run is enqueued once.)"""
    wanted = {registration_id(queue_name, task.name): task for task in available_tasks()}
    lock = scheduler.connection.lock(
        registration_id(queue_name, "registration-lock"), timeout=60, blocking_timeout=60
    )
    with lock:
        for job_id in registrations(scheduler, queue_name):
            if job_id not in wanted:
                scheduler.cancel(job_id)
        for job_id, task in wanted.items():
            if _current(scheduler, job_id, task, queue_name):
                continue
            scheduler.cancel(job_id)
            scheduler.schedule(
                scheduled_time=datetime.now(UTC).replace(tzinfo=None),
                func=f"workers.tasks.{task.name}",
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

    from jobsmgmt import queue

    return Scheduler(
        queue_name=app.config["RQ_QUEUE"],
        connection=queue.redis_connection(app),
        interval=poll_seconds,
    )


def run_scheduler(burst: bool = False) -> list[str]:
    """``jobsmgmt scheduler``: register the periodic tasks, then run rq-scheduler's loop."""
    import click

    app = current_app._get_current_object()
    if not app.config.get("REDIS_URL"):
        raise click.UsageError(
            "REDIS_URL is not set: the desktop edition schedules tasks in-process (jobsmgmt serve)."
        )
    scheduler = make_scheduler(app)
    ids = register(scheduler, app.config["RQ_QUEUE"])
    click.echo(f"Registered {len(ids)} periodic tasks: {', '.join(ids)}")
    scheduler.run(burst=burst)
    return ids


class InProcessScheduler:
    """The desktop edition's scheduler: a daemon thread that enqueues each periodic task on the
    in-process worker when it is due (every task once at start-up, then at its interval)."""

    def __init__(self, app: Flask, poll_seconds: float = 5.0):
        self.app = app
        self.poll_seconds = poll_seconds
        self.tasks = None
        self.next_run: dict[str, float] = {}
        self._stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="jobsmgmt-scheduler", daemon=True)

    def start(self) -> InProcessScheduler:
        with self.app.app_context():
            self.tasks = available_tasks()
        self.next_run = {task.name: 0.0 for task in self.tasks}
        self.thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()

    def run_due(self, now: float | None = None) -> list[str]:
        from jobsmgmt import queue

        now = time.monotonic() if now is None else now
        started = []
        with self.app.app_context():
            for task in self.tasks:
                if now >= self.next_run[task.name]:
                    self.next_run[task.name] = now + task.every_seconds
                    queue.enqueue(task.name)
                    started.append(task.name)
        return started

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                self.run_due()
            except Exception:  # noqa: BLE001 - the scheduler must outlive a failed round
                log.exception("In-process scheduler round failed")
            self._stopping.wait(self.poll_seconds)


def start_in_process(app: Flask) -> InProcessScheduler:
    """Desktop start-up (in the app context of ``jobsmgmt serve``): every unfinished bulk
    operation is orphaned (one process runs them all), so resume them now; then start the
    periodic tasks' thread."""
    from jobsmgmt.extensions import db
    from jobsmgmt.services import scheduled

    # End whatever start-up left open: on SQLite an open transaction holds the write lock.
    db.session.rollback()
    resumed = scheduled.resume_stalled_bulk_operations(db.session, resume_all=True)
    db.session.remove()
    if resumed:
        log.info("Resumed %d unfinished bulk operation(s) at start-up", len(resumed))
    scheduler = InProcessScheduler(app).start()
    app.extensions["jobsmgmt.scheduler"] = scheduler
    return scheduler
