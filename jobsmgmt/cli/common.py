"""What every command module shares: turning a domain error into a clean exit, and running on
an up-to-date schema (``needs_database``)."""

from __future__ import annotations

import functools
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..extensions import db
from ..services.errors import DomainError


def fail(error: DomainError):
    click.echo(f"Error: {error.message}", err=True)
    sys.exit(2)


@contextmanager
def domain_errors() -> Iterator[None]:
    """Exit 2 with the domain error's message instead of a traceback."""
    try:
        yield
    except DomainError as error:
        fail(error)


def needs_database(command):
    """Run the command in the app context on an up-to-date schema: the desktop edition migrates
    first (with a backup of an existing database), the hosted edition says that ``jobsmgmt db
    upgrade`` is needed (its release phase migrates)."""

    @with_appcontext
    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        ensure_schema_or_exit()
        return command(*args, **kwargs)

    return wrapper


def ensure_schema_or_exit() -> None:
    from ..instance import InstanceLock, running_url
    from ..schema import SchemaOutOfDate, current_revisions, ensure_schema, head_revisions

    app = current_app._get_current_object()
    desktop = app.config.get("EDITION") == "desktop"
    data_dir = Path(app.config["DATA_DIR"]) if app.config.get("DATA_DIR") else None
    lock = None
    if desktop and data_dir and current_revisions(db.engine) != head_revisions(app):
        lock = InstanceLock(data_dir)
        if not lock.acquire():
            click.echo(
                "Error: the database needs migrating, but jobsmgmt is running at "
                f"{running_url(data_dir) or '(starting up)'} (an older version?): stop it first.",
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
