"""The task seam: one way to run background work, with ids only in the message.

With ``REDIS_URL`` tasks go to an RQ queue and ``jobsmgmt worker`` runs them; without it the
same task functions run on the in-process runner (a thread of the desktop process). The
database holds the state of long work, so a lost message is recovered by the resume tasks,
never by the queue.
"""

from __future__ import annotations

import logging
import queue as stdlib_queue
import threading
from collections.abc import Callable

from flask import Flask, current_app

from .tasks import is_task

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    app.extensions["jobsmgmt.runner"] = None


def redis_connection(app: Flask | None = None):
    from redis import Redis

    app = app or current_app
    url = app.config.get("REDIS_URL")
    if not url:
        return None
    connection = app.extensions.get("jobsmgmt.redis")
    if connection is None:
        connection = Redis.from_url(url, socket_connect_timeout=3, socket_timeout=10)
        app.extensions["jobsmgmt.redis"] = connection
    return connection


def rq_queue(app: Flask | None = None):
    from rq import Queue

    app = app or current_app
    return Queue(app.config["RQ_QUEUE"], connection=redis_connection(app))


def enqueue(function: Callable, *ids: str, rq_job_id: str | None = None) -> None:
    """Run the ``@task`` ``function(*ids)`` in the background."""
    if not is_task(function):
        raise ValueError(f"{function!r} is not a registered task")
    app = current_app._get_current_object()
    if app.config.get("REDIS_URL"):
        from rq import Retry

        rq_queue(app).enqueue(
            function,
            *ids,
            job_id=rq_job_id,
            retry=Retry(max=3, interval=[5, 30, 120]),
            result_ttl=3600,
            failure_ttl=7 * 86400,
            job_timeout=1800,
        )
    else:
        in_process_runner(app).submit(function, ids)


def health() -> str:
    if not current_app.config.get("REDIS_URL"):
        return "inline"
    try:
        redis_connection().ping()
    except Exception:  # noqa: BLE001 - any failure means unreachable
        return "unreachable"
    return "ok"


class InProcessRunner:
    """The desktop edition's task runner: one daemon thread running task functions in order."""

    def __init__(self, app: Flask):
        self.app = app
        self.tasks: stdlib_queue.Queue = stdlib_queue.Queue()
        self.thread = threading.Thread(target=self._run, name="jobsmgmt-runner", daemon=True)
        self._stopping = threading.Event()
        self.thread.start()

    def submit(self, function: Callable, ids: tuple) -> None:
        self.tasks.put((function, ids))

    def join(self, timeout: float = 30.0) -> bool:
        """Wait until every submitted task has run (used by tests and at shutdown)."""
        finished = threading.Event()

        def waiter():
            self.tasks.join()
            finished.set()

        threading.Thread(target=waiter, daemon=True).start()
        return finished.wait(timeout)

    def stop(self) -> None:
        self._stopping.set()
        self.tasks.put(None)

    def _run(self) -> None:
        while not self._stopping.is_set():
            item = self.tasks.get()
            try:
                if item is None:
                    return
                function, ids = item
                with self.app.app_context():
                    function(*ids)
            except Exception:  # noqa: BLE001 - a failed task must not stop the runner
                log.exception("Background task %s%s failed", item[0].__name__, item[1])
            finally:
                self.tasks.task_done()


_runner_lock = threading.Lock()


def in_process_runner(app: Flask) -> InProcessRunner:
    with _runner_lock:
        runner = app.extensions.get("jobsmgmt.runner")
        if runner is None:
            runner = InProcessRunner(app)
            app.extensions["jobsmgmt.runner"] = runner
        return runner


def finish_in_process_work(app: Flask, timeout: float = 3600) -> None:
    """Wait until what this process queued on its in-process runner has run (CLI commands,
    tests); nothing to do when tasks go to RQ."""
    runner = app.extensions.get("jobsmgmt.runner")
    if runner is not None:
        runner.join(timeout=timeout)


# --- work queued by a transaction ---------------------------------------------------------

AFTER_COMMIT = "jobsmgmt.after_commit_tasks"


def enqueue_after_commit(session, function: Callable, *ids: str) -> None:
    """Queue ``function(*ids)`` when ``session``'s transaction commits (dropped on rollback).

    The rows that describe the work are written in that transaction, so the database says what
    is to be done even when the queue is down or the process dies right after the commit; the
    periodic tasks find such rows and queue them again."""
    if not is_task(function):
        raise ValueError(f"{function!r} is not a registered task")
    pending = session.info.setdefault(AFTER_COMMIT, [])
    if (function, ids) not in pending:
        pending.append((function, ids))


def _after_commit(session) -> None:
    pending = session.info.pop(AFTER_COMMIT, None)
    for function, ids in pending or ():
        try:
            enqueue(function, *ids)
        except Exception:  # noqa: BLE001 - the rows are the truth; the periodic task re-drives
            log.exception("Could not enqueue %s%s; the periodic task will", function.__name__, ids)


def _after_rollback(session) -> None:
    session.info.pop(AFTER_COMMIT, None)


def _listen() -> None:
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_rollback", _after_rollback)


_listen()
