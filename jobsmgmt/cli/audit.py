"""``jobsmgmt audit``: the tamper-evident audit log."""

from __future__ import annotations

import sys

import click

from ..extensions import db
from ..services import audit
from .common import needs_database

audit_cli = click.Group("audit", help="The tamper-evident audit log.")


@audit_cli.command("verify")
@click.option("--job", "job_id", default=None, help="Check one job only.")
@needs_database
def audit_verify(job_id):
    """Verify the audit chains; exit 1 naming job and seq on any problem."""
    report = audit.verify(db.session, job_id)
    for problem in report.problems:
        click.echo(f"job {problem.job_id} seq {problem.seq}: {problem.kind} — {problem.message}")
    click.echo(
        f"{report.jobs_checked} jobs, {report.entries_checked} entries checked: "
        f"{'valid' if report.valid else f'{len(report.problems)} problem(s)'}"
    )
    sys.exit(0 if report.valid else 1)
