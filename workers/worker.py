"""``jobsmgmt worker``: an RQ worker for the hosted edition, bound to one app at start-up."""

from __future__ import annotations

import os

import click
from flask import Flask

from jobsmgmt import queue, tasks
from jobsmgmt.extensions import db


def run_worker(app: Flask, burst: bool = False) -> None:
    if not app.config.get("REDIS_URL"):
        raise click.UsageError("REDIS_URL is not set: the desktop edition runs tasks in-process.")
    from rq import Worker

    tasks.bind_app(app)
    engine = db.engine
    engine.dispose()
    # Each task runs in a forked work horse: it must not share the parent's connections.
    os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))
    Worker([queue.rq_queue(app)], connection=queue.redis_connection(app)).work(
        burst=burst, with_scheduler=False
    )
