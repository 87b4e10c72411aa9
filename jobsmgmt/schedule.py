"""The periodic tasks: one schedule of task functions, run by rq-scheduler (hosted, registered by
``workers.scheduler``) or by the in-process scheduler thread (desktop, below).

Adding a periodic task is one line here: the ``@task`` function and its interval.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask

from . import queue
from .extensions import db
from .services import analytics, careers, checkpoints, postings, scheduled

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicTask:
    function: Callable
    every_seconds: int

    @property
    def name(self) -> str:
        return self.function.__name__


SCHEDULE = (
    PeriodicTask(scheduled.auto_close_expired_jobs, 15 * 60),
    PeriodicTask(analytics.calculate_daily_analytics, 60 * 60),
    PeriodicTask(scheduled.expire_external_postings, 15 * 60),
    PeriodicTask(scheduled.resume_stalled_bulk_operations, 2 * 60),
    PeriodicTask(checkpoints.audit_checkpoint, checkpoints.CHECKPOINT_EVERY_SECONDS),
    PeriodicTask(careers.roll_up_view_counts, 5 * 60),
    PeriodicTask(postings.refresh_external_postings, 2 * 60),
)


class InProcessScheduler:
    """The desktop edition's scheduler: a daemon thread that enqueues each periodic task on the
    in-process runner when it is due (every task once at start-up, then at its interval)."""

    def __init__(self, app: Flask, poll_seconds: float = 5.0, schedule=SCHEDULE):
        self.app = app
        self.poll_seconds = poll_seconds
        self.tasks = tuple(schedule)
        self.next_run: dict[str, float] = {}
        self._stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, name="jobsmgmt-scheduler", daemon=True)

    def start(self) -> InProcessScheduler:
        self.next_run = {task.name: 0.0 for task in self.tasks}
        self.thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()

    def run_due(self, now: float | None = None) -> list[str]:
        now = time.monotonic() if now is None else now
        started = []
        with self.app.app_context():
            for task in self.tasks:
                if now >= self.next_run[task.name]:
                    self.next_run[task.name] = now + task.every_seconds
                    queue.enqueue(task.function)
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
    # End whatever start-up left open: on SQLite an open transaction holds the write lock.
    db.session.rollback()
    resumed = scheduled.resume_stalled_operations(db.session, resume_all=True)
    db.session.remove()
    if resumed:
        log.info("Resumed %d unfinished bulk operation(s) at start-up", len(resumed))
    # Portal work a killed process left pending (its delivery died half way): repeat it now;
    # the portals recognise what they already have.
    queue.enqueue(postings.refresh_external_postings, "0")
    scheduler = InProcessScheduler(app).start()
    app.extensions["jobsmgmt.scheduler"] = scheduler
    return scheduler
