"""``jobsmgmt demo``: the demo agency and its seeded history."""

from __future__ import annotations

import click

from .. import demo
from ..extensions import db
from .common import domain_errors, needs_database

demo_cli = click.Group("demo", help="The demo agency and its seeded data.")


@demo_cli.command("seed")
@click.option("--jobs", default=40, show_default=True, type=click.IntRange(1, 1_000_000))
@click.option("--applications", default=600, show_default=True, type=click.IntRange(0, 50_000_000))
@click.option("--days", default=90, show_default=True, type=click.IntRange(1, 3650))
@click.option("--seed", "seed_value", default=1, show_default=True, type=int)
@needs_database
def demo_seed(jobs, applications, days, seed_value):
    """Add a deterministic demo history (jobs, applications, views, audit) over the past DAYS."""
    login = demo.ensure_demo_agency(db.session, seed=False)
    if login:
        click.echo(f"Demo login: {login[0]} / {login[1]}")
    with domain_errors():
        report = demo.seed_history(db.session, jobs, applications, days, seed_value)
    click.echo(
        f"Seeded {report.jobs} jobs, {report.applications} applications, "
        f"{report.candidates} candidates, {report.stage_events} stage events, "
        f"{report.status_changes} status changes, {report.audit_entries} audit entries, "
        f"{report.analytics_rows} daily rows in {report.seconds:.1f} s"
    )
