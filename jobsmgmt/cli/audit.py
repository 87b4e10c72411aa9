"""``jobsmgmt audit``: the tamper-evident audit log, its security-event chain and checkpoints."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app

from ..extensions import db
from ..services import audit, checkpoints, integrity

audit_cli = click.Group("audit", help="The tamper-evident audit log.")


def _problem_line(problem) -> str:
    where = "checkpoint" if problem.job_id is None else f"job {problem.job_id}"
    if problem.job_id == "security":
        where = "security events"
    return f"{where} seq {problem.seq}: {problem.kind} — {problem.message}"


@audit_cli.command("verify")
@click.option("--job", "job_id", default=None, help="Check one job only.")
@click.option(
    "--checkpoints",
    "checkpoint_file",
    type=click.File("r", encoding="utf-8"),
    default=None,
    help="The checkpoint file (JSON lines) or a log export with 'audit-checkpoint' lines; "
    "desktop default: the data directory's file.",
)
def audit_verify(job_id, checkpoint_file):
    """Verify the audit chains and checkpoints; exit 1 naming kind, job and seq on any problem."""
    records = None
    source = None
    unreadable = 0
    if checkpoint_file is not None:
        records, unreadable = checkpoints.parse_lines(checkpoint_file)
        source = checkpoint_file.name
    elif job_id is None and current_app.config.get("AUDIT_CHECKPOINT_FILE"):
        path = Path(current_app.config["AUDIT_CHECKPOINT_FILE"])
        if path.exists():
            with open(path, encoding="utf-8") as handle:
                records, unreadable = checkpoints.parse_lines(handle)
            source = str(path)
    if source is not None:
        click.echo(
            f"Checkpoints from {source}: {len(records)} read, {unreadable} unreadable line(s)"
        )
    key = audit.signing_key(db.session)
    report = integrity.verify(db.session, key, job_id, checkpoint_records=records)
    for problem in report.problems:
        click.echo(_problem_line(problem))
    summary = f"{report.jobs_checked} jobs, {report.entries_checked} entries checked"
    if job_id is None:
        summary += (
            f", {report.security_events_checked} security events, "
            f"{report.checkpoints_checked} checkpoints"
        )
    click.echo(f"{summary}: {'valid' if report.valid else f'{len(report.problems)} problem(s)'}")
    sys.exit(0 if report.valid else 1)


@audit_cli.command("checkpoint")
def audit_checkpoint():
    """Write an audit checkpoint now (table + checkpoint file, or a log line when hosted)."""
    out = current_app.config.get("AUDIT_CHECKPOINT_FILE")
    record = checkpoints.take_checkpoint(
        db.session, audit.signing_key(db.session), Path(out) if out else None
    )
    click.echo(
        f"Checkpoint {record['seq']}: {record['jobs_count']} jobs, "
        f"{record['entries_count']} entries, {len(record['changed'])} head(s) changed"
        + (f", appended to {out}" if out else "")
    )
