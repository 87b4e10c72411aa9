"""The process commands of the ``jobsmgmt`` CLI (loaded through the ``flask.commands`` entry
points, so the app package never imports this layer)."""

from __future__ import annotations

import click
from flask import current_app

from jobsmgmt.cli.common import needs_database


@click.command("worker")
@click.option("--burst", is_flag=True, help="Run the queued tasks, then exit.")
@needs_database
def worker(burst):
    """Run an RQ worker on REDIS_URL (hosted edition)."""
    from .worker import run_worker

    run_worker(current_app._get_current_object(), burst=burst)


@click.command("scheduler")
@click.option("--burst", is_flag=True, help="Register, enqueue what is due once, then exit.")
@needs_database
def scheduler(burst):
    """Register the periodic tasks with rq-scheduler (fixed ids) and run its loop (hosted)."""
    from .scheduler import run_scheduler

    run_scheduler(current_app._get_current_object(), burst=burst)
