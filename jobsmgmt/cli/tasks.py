"""``jobsmgmt tasks``: run a background task by hand, here or through the queue."""

from __future__ import annotations

from datetime import timedelta

import click
from flask import current_app

from .. import queue, schedule  # noqa: F401  (schedule imports every periodic task's module)
from ..models import utcnow
from ..tasks import REGISTRY
from .common import needs_database

tasks_cli = click.Group("tasks", help="Background tasks.")


@tasks_cli.command("run")
@click.argument("name")
@click.argument("args", nargs=-1)
@click.option("--enqueue", is_flag=True, help="Send it to the queue instead of running it here.")
@click.option(
    "--date",
    "on_date",
    type=click.DateTime(["%Y-%m-%d"]),
    default=None,
    help="calculate_daily_analytics: recompute this UTC date only.",
)
@click.option(
    "--days",
    type=click.IntRange(1, 3660),
    default=None,
    help="calculate_daily_analytics: recompute the last N days, ending today.",
)
@needs_database
def tasks_run(name, args, enqueue, on_date, days):
    """Run a task by NAME now (or --enqueue it)."""
    function = REGISTRY.get(name)
    if function is None:
        raise click.BadParameter(f"choose from {', '.join(sorted(REGISTRY))}", param_hint="NAME")
    if on_date is not None or days is not None:
        args = _analytics_range(name, on_date, days) + tuple(args)
    if enqueue:
        queue.enqueue(function, *args)
        click.echo(f"Enqueued {name}{' ' + ' '.join(args) if args else ''}")
    else:
        result = function(*args)
        click.echo(f"{name}: done" + (f" ({result})" if result is not None else ""))
    # Desktop: what the task queued (e.g. resumed bulk operations) runs on this process's
    # in-process runner, so wait for it before exiting.
    queue.finish_in_process_work(current_app._get_current_object())


def _analytics_range(name, on_date, days) -> tuple[str, str]:
    """``--date D`` / ``--days N`` as calculate_daily_analytics's (date_from, date_to)."""
    if name != "calculate_daily_analytics" or (on_date is not None and days is not None):
        raise click.UsageError("--date or --days (not both) apply to calculate_daily_analytics.")
    if on_date is not None:
        return on_date.date().isoformat(), on_date.date().isoformat()
    today = utcnow().date()
    return (today - timedelta(days=days - 1)).isoformat(), today.isoformat()
