"""The ``jobsmgmt`` command group (a Flask CLI group for the app)."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import FlaskGroup

from .extensions import db
from .services import users as user_service
from .services.errors import DomainError


def _create_app():
    from . import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=True)
def main():
    """jobsmgmt: jobs management for an applicant tracking system."""


def _fail(error: DomainError):
    click.echo(f"Error: {error.message}", err=True)
    sys.exit(2)


def _cli_events():
    """Security events from the command line: no acting user, the CLI as the client."""
    from flask import current_app

    from .services.security import EventContext

    return EventContext(key=current_app.config["AUDIT_KEY"].encode(), user_agent="jobsmgmt-cli")


users_cli = click.Group("users", help="Manage users and API tokens.")


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True)
@click.option(
    "--role",
    type=click.Choice(["admin", "recruiter", "viewer"]),
    default="recruiter",
    show_default=True,
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_create(email, name, role, password_stdin):
    """Create a user (password from --password-stdin or a prompt)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = user_service.create_user(
            db.session, email, name, role, password, events=_cli_events()
        )
    except DomainError as error:
        _fail(error)
    click.echo(f"Created {user.role} {user.email} ({user.id})")


@users_cli.command("token")
@click.argument("email")
@click.option("--name", default="CLI token", show_default=True)
def users_token(email, name):
    """Print a new API token for EMAIL (shown once, stored hashed)."""
    try:
        user = user_service.get_user_by_email(db.session, email)
        _, token = user_service.create_token(db.session, user.id, name, events=_cli_events())
    except DomainError as error:
        _fail(error)
    click.echo(token)


@users_cli.command("list")
def users_list():
    """List users with their roles."""
    for user in user_service.list_users(db.session):
        state = "" if user.is_active else " (inactive)"
        click.echo(f"{user.email}\t{user.name}\t{user.role}{state}")


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
    """Verify the audit chains and checkpoints; exit 1 naming job and seq on any problem."""
    from flask import current_app

    from .services import checkpoints, integrity

    records = None
    source = None
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
    key = current_app.config["AUDIT_KEY"].encode()
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
    from flask import current_app

    from .services import checkpoints

    out = current_app.config.get("AUDIT_CHECKPOINT_FILE")
    record = checkpoints.take_checkpoint(
        db.session, current_app.config["AUDIT_KEY"].encode(), Path(out) if out else None
    )
    click.echo(
        f"Checkpoint {record['seq']}: {record['jobs_count']} jobs, "
        f"{record['entries_count']} entries, {len(record['changed'])} head(s) changed"
        + (f", appended to {out}" if out else "")
    )


demo_cli = click.Group("demo", help="The demo agency and its seeded data.")


@demo_cli.command("seed")
@click.option("--jobs", default=40, show_default=True, type=click.IntRange(1, 1_000_000))
@click.option("--applications", default=600, show_default=True, type=click.IntRange(0, 50_000_000))
@click.option("--days", default=90, show_default=True, type=click.IntRange(1, 3650))
@click.option("--seed", "seed_value", default=1, show_default=True, type=int)
def demo_seed(jobs, applications, days, seed_value):
    """Add a deterministic demo history (jobs, applications, views, audit) over the past DAYS."""
    from flask import current_app

    from .services import demo

    data_dir = current_app.config.get("DATA_DIR")
    login = demo.ensure_demo_agency(db.session, Path(data_dir) if data_dir else None, seed=False)
    if login:
        click.echo(f"Demo login: {login[0]} / {login[1]}")
    try:
        report = demo.seed_history(db.session, jobs, applications, days, seed_value)
    except DomainError as error:
        _fail(error)
    click.echo(
        f"Seeded {report.jobs} jobs, {report.applications} applications, "
        f"{report.candidates} candidates, {report.stage_events} stage events, "
        f"{report.status_changes} status changes, {report.audit_entries} audit entries, "
        f"{report.analytics_rows} daily rows in {report.seconds:.1f} s"
    )


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
def tasks_run(name, args, enqueue, on_date, days):
    """Run a task by NAME now (or --enqueue it)."""
    from workers import tasks

    from . import queue

    if name not in tasks.TASKS:
        raise click.BadParameter(f"choose from {', '.join(sorted(tasks.TASKS))}", param_hint="NAME")
    if on_date is not None or days is not None:
        args = _analytics_range(name, on_date, days) + tuple(args)
    if enqueue:
        queue.enqueue(name, *args)
        click.echo(f"Enqueued {name}{' ' + ' '.join(args) if args else ''}")
    else:
        result = tasks.TASKS[name](*args)
        click.echo(f"{name}: done" + (f" ({result})" if result is not None else ""))
    _finish_inline_work()


def _finish_inline_work() -> None:
    """Desktop edition: what this command queued runs on this process's in-process worker, so
    wait for it before exiting (e.g. the bulk operations resume_stalled_bulk_operations queued)."""
    from flask import current_app

    worker = current_app.extensions.get("jobsmgmt.inline_worker")
    if worker is not None:
        worker.join(timeout=3600)


def _analytics_range(name, on_date, days) -> tuple[str, str]:
    """``--date D`` / ``--days N`` as calculate_daily_analytics's (date_from, date_to)."""
    from datetime import timedelta

    from .models import utcnow

    if name != "calculate_daily_analytics" or (on_date is not None and days is not None):
        raise click.UsageError("--date or --days (not both) apply to calculate_daily_analytics.")
    if on_date is not None:
        return on_date.date().isoformat(), on_date.date().isoformat()
    today = utcnow().date()
    return (today - timedelta(days=days - 1)).isoformat(), today.isoformat()


@click.command("worker")
@click.option("--burst", is_flag=True, help="Run the queued tasks, then exit.")
def worker(burst):
    """Run an RQ worker on REDIS_URL (hosted edition)."""
    from .worker import run_worker

    run_worker(burst=burst)


@click.command("scheduler")
@click.option("--burst", is_flag=True, help="Register, enqueue what is due once, then exit.")
def scheduler(burst):
    """Register the periodic tasks with rq-scheduler (fixed ids) and run its loop (hosted)."""
    from workers.schedule import run_scheduler

    run_scheduler(burst=burst)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-browser", is_flag=True, help="Do not open the browser.")
def serve(host, port, no_browser):
    """Serve the desktop/embedded edition: waitress, in-process worker, browser."""
    from .desktop import serve_desktop

    serve_desktop(host=host, port=port, open_browser=not no_browser)


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def backup(path):
    """Copy the SQLite database to PATH (online: the app may keep running)."""
    from pathlib import Path

    from flask import current_app

    from .backup import backup_sqlite
    from .services import checkpoints

    out = current_app.config.get("AUDIT_CHECKPOINT_FILE")
    if out and db.engine.dialect.name == "sqlite":
        # The copy's state is checkpointed, and the checkpoint file travels with the copy.
        checkpoints.take_checkpoint(db.session, current_app.config["AUDIT_KEY"].encode(), Path(out))
    try:
        size = backup_sqlite(db.engine, Path(path))
    except DomainError as error:
        _fail(error)
    click.echo(f"Backed up to {path} ({size:,} bytes)")
    if out and Path(out).exists():
        import shutil

        copy = Path(path).with_name(Path(path).name + ".audit-checkpoints.jsonl")
        shutil.copyfile(out, copy)
        click.echo(f"Audit checkpoints copied to {copy}")


def register_cli(app: Flask) -> None:
    for command in (users_cli, audit_cli, tasks_cli, worker, serve, backup):
        app.cli.add_command(command)
    for command in (demo_cli,):
        app.cli.add_command(command)
    app.cli.add_command(scheduler)
