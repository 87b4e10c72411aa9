"""The task seam: one way to run background work, with ids only in the message.

With ``REDIS_URL`` tasks go to an RQ queue and ``jobsmgmt worker`` runs them; without it the
same task functions run on an in-process worker thread. The database holds the state of long
work, so a lost message is recovered by the resume tasks, never by the queue.
"""

from __future__ import annotations

import logging
import queue as stdlib_queue
import threading

from flask import Flask, current_app

log = logging.getLogger(__name__)
TASK_MODULE = "workers.tasks"


def init_app(app: Flask) -> None:
    app.extensions["jobsmgmt.inline_worker"] = None


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


def enqueue(task_name: str, *ids: str, rq_job_id: str | None = None) -> None:
    """Run ``workers.tasks.<task_name>(*ids)`` in the background."""
    from workers import tasks

    if task_name not in tasks.TASKS:
        raise ValueError(f"Unknown task {task_name}")
    app = current_app._get_current_object()
    if app.config.get("REDIS_URL"):
        from rq import Retry

        rq_queue(app).enqueue(
            f"{TASK_MODULE}.{task_name}",
            *ids,
            job_id=rq_job_id,
            retry=Retry(max=3, interval=[5, 30, 120]),
            result_ttl=3600,
            failure_ttl=7 * 86400,
            job_timeout=1800,
        )
    else:
        inline_worker(app).submit(task_name, ids)


def health() -> str:
    if not current_app.config.get("REDIS_URL"):
        return "inline"
    try:
        redis_connection().ping()
    except Exception:  # noqa: BLE001 - any failure means unreachable
        return "unreachable"
    return "ok"


class InlineWorker:
    """The desktop edition's worker: one daemon thread running task functions in order."""

    def __init__(self, app: Flask):
        self.app = app
        self.tasks: stdlib_queue.Queue = stdlib_queue.Queue()
        self.thread = threading.Thread(target=self._run, name="jobsmgmt-worker", daemon=True)
        self._stopping = threading.Event()
        self.thread.start()

    def submit(self, task_name: str, ids: tuple) -> None:
        self.tasks.put((task_name, ids))

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
        from workers import tasks

        while not self._stopping.is_set():
            item = self.tasks.get()
            try:
                if item is None:
                    return
                task_name, ids = item
                with self.app.app_context():
                    tasks.TASKS[task_name](*ids)
            except Exception:  # noqa: BLE001 - a failed task must not stop the worker
                log.exception("Background task %s failed", item)
            finally:
                self.tasks.task_done()


_inline_lock = threading.Lock()


def inline_worker(app: Flask) -> InlineWorker:
    with _inline_lock:
        worker = app.extensions.get("jobsmgmt.inline_worker")
        if worker is None:
            worker = InlineWorker(app)
            app.extensions["jobsmgmt.inline_worker"] = worker
        return worker
