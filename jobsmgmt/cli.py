"""The ``jobsmgmt`` command group (a Flask CLI group for the app)."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate.cli import db as migrate_cli

from .extensions import db
from .services import users as user_service
from .services.errors import DomainError


def _create_app():
    from . import create_app

    return create_app()


def _print_version(ctx, _param, value):
    """``jobsmgmt --version``: this installation's version and edition (nothing is written)."""
    if not value or ctx.resilient_parsing:
        return
    from . import version
    from .config import edition_from_environment

    click.echo(f"jobsmgmt {version()} ({edition_from_environment()} edition)")
    ctx.exit()


class JobsmgmtGroup(FlaskGroup):
    """Flask's command group, except that help and ``--version`` never build the app: building
    it reads the settings, which creates the desktop data directory and its keys. The app is
    built (by ``with_appcontext``) only when a command runs."""

    def list_commands(self, ctx):
        self._load_plugin_commands()
        return sorted(click.Group.list_commands(self, ctx))


@click.group(
    cls=JobsmgmtGroup,
    create_app=_create_app,
    add_default_commands=True,
    add_version_option=False,
)
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version and edition, then exit.",
)
def main():
    """jobsmgmt: jobs management for an applicant tracking system."""


def _fail(error: DomainError):
    click.echo(f"Error: {error.message}", err=True)
    sys.exit(2)


def needs_database(command):
    """Run the command on an up-to-date schema: the desktop edition migrates first (with a
    backup of an existing database), the hosted edition says that ``jobsmgmt db upgrade`` is
    needed (its release phase migrates)."""

    @with_appcontext
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        _ensure_schema()
        return command(*args, **kwargs)

    return wrapper


def _ensure_schema() -> None:
    from .schema import SchemaOutOfDate, ensure_schema

    app = current_app._get_current_object()
    desktop = app.config.get("EDITION") == "desktop"
    lock = None
    if desktop and app.config.get("DATA_DIR"):
        from .schema import current_revisions, head_revisions

        if current_revisions(db.engine) != head_revisions(app):
            from .instance import InstanceLock, running_url

            lock = InstanceLock(Path(app.config["DATA_DIR"]))
            if not lock.acquire():
                url = running_url(Path(app.config["DATA_DIR"])) or "(starting up)"
                click.echo(
                    f"Error: the database needs migrating, but jobsmgmt is running at {url} "
                    "(an older version?): stop it first.",
                    err=True,
                )
                sys.exit(2)
    try:
        report = ensure_schema(app, migrate=desktop)
    except SchemaOutOfDate as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(2)
    finally:
        if lock is not None:
            lock.release()
    if report is not None:
        done = f"Database migrated to {', '.join(report.to_revisions)}"
        if report.backup:
            done += f" (backup of the previous database: {report.backup})"
        click.echo(done, err=True)


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
@needs_database
def users_create(email, name, role, password_stdin):
    """Create a user (password from --password-stdin or a prompt)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = user_service.create_user(db.session, email, name, role, password)
    except DomainError as error:
        _fail(error)
    click.echo(f"Created {user.role} {user.email} ({user.id})")


@users_cli.command("token")
@click.argument("email")
@click.option("--name", default="CLI token", show_default=True)
@needs_database
def users_token(email, name):
    """Print a new API token for EMAIL (shown once, stored hashed)."""
    try:
        user = user_service.get_user_by_email(db.session, email)
        _, token = user_service.create_token(db.session, user.id, name)
    except DomainError as error:
        _fail(error)
    click.echo(token)


@users_cli.command("list")
@needs_database
def users_list():
    """List users with their roles."""
    for user in user_service.list_users(db.session):
        state = "" if user.is_active else " (inactive)"
        click.echo(f"{user.email}\t{user.name}\t{user.role}{state}")


audit_cli = click.Group("audit", help="The tamper-evident audit log.")


@audit_cli.command("verify")
@click.option("--job", "job_id", default=None, help="Check one job only.")
@needs_database
def audit_verify(job_id):
    """Verify the audit chains; exit 1 naming job and seq on any problem."""
    from .services import audit

    report = audit.verify(db.session, job_id)
    for problem in report.problems:
        click.echo(f"job {problem.job_id} seq {problem.seq}: {problem.kind} — {problem.message}")
    click.echo(
        f"{report.jobs_checked} jobs, {report.entries_checked} entries checked: "
        f"{'valid' if report.valid else f'{len(report.problems)} problem(s)'}"
    )
    sys.exit(0 if report.valid else 1)


demo_cli = click.Group("demo", help="The demo agency and its seeded data.")


@demo_cli.command("seed")
@click.option("--jobs", default=40, show_default=True, type=click.IntRange(1, 1_000_000))
@click.option("--applications", default=600, show_default=True, type=click.IntRange(0, 50_000_000))
@click.option("--days", default=90, show_default=True, type=click.IntRange(1, 3650))
@click.option("--seed", "seed_value", default=1, show_default=True, type=int)
@needs_database
def demo_seed(jobs, applications, days, seed_value):
    """Add a deterministic demo history (jobs, applications, views, audit) over the past DAYS."""
    from .services import demo

    login = demo.ensure_demo_agency(db.session, seed=False)
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
@needs_database
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
@needs_database
def worker(burst):
    """Run an RQ worker on REDIS_URL (hosted edition)."""
    from .worker import run_worker

    run_worker(burst=burst)


@click.command("scheduler")
@click.option("--burst", is_flag=True, help="Register, enqueue what is due once, then exit.")
@needs_database
def scheduler(burst):
    """Register the periodic tasks with rq-scheduler (fixed ids) and run its loop (hosted)."""
    from workers.schedule import run_scheduler

    run_scheduler(burst=burst)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option(
    "--port",
    default=5000,
    show_default=True,
    type=int,
    help="If it is taken by another program, the next free port is used.",
)
@click.option("--no-browser", is_flag=True, help="Do not open the browser.")
@click.option(
    "--no-demo",
    is_flag=True,
    help="Start without the demo agency: an empty database and a one-time page on this "
    "computer to create the first administrator.",
)
@with_appcontext
def serve(host, port, no_browser, no_demo):
    """Serve the desktop/embedded edition: waitress, in-process worker, browser (one instance
    per data directory: a second start reports the running one)."""
    from .desktop import serve_desktop

    sys.exit(serve_desktop(host=host, port=port, open_browser=not no_browser, demo=not no_demo))


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def backup(path):
    """Copy the SQLite database to PATH (online: the app may keep running)."""
    from .backup import backup_sqlite

    try:
        size = backup_sqlite(db.engine, Path(path))
    except DomainError as error:
        _fail(error)
    click.echo(f"Backed up to {path} ({size:,} bytes)")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def restore(path):
    """Replace the desktop database with the backup at PATH, after migrating a copy of it and
    verifying its audit chains. Refuses while jobsmgmt is running; the current database is
    backed up into backups/ first."""
    from . import version
    from .backup import restore_sqlite
    from .instance import InstanceLock, running_url

    data_dir = current_app.config.get("DATA_DIR")
    lock = InstanceLock(Path(data_dir)) if data_dir else None
    if lock is not None and not lock.acquire():
        url = running_url(Path(data_dir)) or "(starting up)"
        click.echo(
            f"Error: jobsmgmt is running at {url}; stop it (Ctrl+C in its window) before "
            "restoring.",
            err=True,
        )
        sys.exit(2)
    try:
        result = restore_sqlite(current_app._get_current_object(), Path(path), version())
    except DomainError as error:
        _fail(error)
    finally:
        if lock is not None:
            lock.release()
    click.echo(
        f"Restored {path} (made at migration {', '.join(result['from_revisions'])}; audit chain "
        f"verified: {result['jobs_checked']} jobs, {result['entries_checked']} entries)."
    )
    if result["safety_backup"]:
        click.echo(f"The database it replaced is in {result['safety_backup']}")


APP_COMMANDS = (
    users_cli,
    audit_cli,
    tasks_cli,
    demo_cli,
    worker,
    scheduler,
    serve,
    backup,
    restore,
)


def register_cli(app: Flask) -> None:
    for command in APP_COMMANDS:
        app.cli.add_command(command)


for _command in APP_COMMANDS:  # reachable (and their help shown) without building the app
    main.add_command(_command)
main.add_command(migrate_cli)  # Flask-Migrate's `db` group, also where entry points are missing
