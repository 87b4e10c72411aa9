"""``jobsmgmt worker``: an RQ worker for the hosted edition, bound to one app at start-up.

Hosts stop a process with SIGTERM and kill it 30 s later (Heroku sends it to every process of
the dyno, Docker and Foreman-style runners to the main process only). RQ's own answer is a warm
shutdown that waits for the running job, however long: a 50-job bulk operation would be killed
half way. So a SIGTERM, whichever process gets it, reaches the work horse as a *stop request*
(``jobsmgmt.tasks.request_stop``): long tasks check it between their units of work (one job of
a bulk operation per transaction) and hand the rest back to the queue, so the worker exits
within seconds and the next worker goes on where this one stopped.
"""

from __future__ import annotations

import logging
import os
import signal

import click
from flask import Flask

from jobsmgmt import queue, tasks
from jobsmgmt.extensions import db

log = logging.getLogger(__name__)


def _request_stop_in_horse(signum, frame) -> None:
    if not tasks.stop_requested():
        log.info("Stop requested: finishing the current unit of work, then stopping")
    tasks.request_stop()


def _worker_class():
    from rq import Worker

    class JobsmgmtWorker(Worker):
        """RQ's worker, stopping *between units of work* on SIGTERM instead of after the job."""

        def setup_work_horse_signals(self):
            super().setup_work_horse_signals()
            # RQ leaves SIGTERM deadly in the horse; here it only asks the task to stop.
            signal.signal(signal.SIGTERM, _request_stop_in_horse)

        def _tell_horse(self) -> None:
            if self.horse_pid:
                try:
                    os.kill(self.horse_pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass

        def request_stop(self, signum, frame):
            self._tell_horse()
            try:
                super().request_stop(signum, frame)
            finally:
                # A second SIGTERM (Foreman-style runners repeat it) is not RQ's cold shutdown,
                # which would kill the horse mid-transaction; SIGINT twice still is.
                signal.signal(signal.SIGTERM, self._repeated_stop)

        def _repeated_stop(self, signum, frame):
            self._tell_horse()

    return JobsmgmtWorker


def run_worker(app: Flask, burst: bool = False) -> None:
    if not app.config.get("REDIS_URL"):
        raise click.UsageError("REDIS_URL is not set: the desktop edition runs tasks in-process.")
    tasks.bind_app(app)
    engine = db.engine
    engine.dispose()
    # Each task runs in a forked work horse: it must not share the parent's connections.
    os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))
    worker = _worker_class()([queue.rq_queue(app)], connection=queue.redis_connection(app))
    # with_scheduler: RQ's own scheduler (one per queue, under its lock) moves due jobs of the
    # queue's ScheduledJobRegistry back to the queue; a failed task's retries (queue.enqueue's
    # Retry intervals) wait there, and without it they never ran. (rq-scheduler's periodic
    # registrations are ``jobsmgmt scheduler``'s, apart from these.)
    worker.work(burst=burst, with_scheduler=True)
