"""``jobsmgmt serve``, ``backup`` and ``restore``: the desktop edition's commands."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..backup import backup_sqlite, checkpoints_beside
from ..config import app_version
from ..desktop import serve_desktop
from ..extensions import db
from ..instance import InstanceLock, running_url
from ..schema import restore_sqlite
from ..services import audit, checkpoints
from .common import domain_errors


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
    """Serve the desktop/embedded edition: waitress, in-process runner, browser (one instance
    per data directory: a second start reports the running one)."""
    sys.exit(
        serve_desktop(host=host, port=port, open_browser=not no_browser, demo_agency=not no_demo)
    )


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@with_appcontext
def backup(path):
    """Copy the SQLite database to PATH (online: the app may keep running)."""
    out = current_app.config.get("AUDIT_CHECKPOINT_FILE")
    if out and db.engine.dialect.name == "sqlite":
        # The copy's state is checkpointed, and the checkpoint file travels with the copy.
        checkpoints.take_checkpoint(db.session, audit.signing_key(db.session), Path(out))
    with domain_errors():
        size = backup_sqlite(db.engine, Path(path), out)
    click.echo(f"Backed up to {path} ({size:,} bytes)")
    if out and Path(out).exists():
        click.echo(f"Audit checkpoints copied to {checkpoints_beside(Path(path))}")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def restore(path):
    """Replace the desktop database with the backup at PATH, after migrating a copy of it and
    verifying its audit chains and checkpoints (PATH.audit-checkpoints.jsonl, which jobsmgmt
    backup writes, comes back as the checkpoint file). Refuses while jobsmgmt is running; the
    current database and its checkpoint file are backed up into backups/ first."""
    data_dir = current_app.config.get("DATA_DIR")
    lock = InstanceLock(Path(data_dir)) if data_dir else None
    if lock is not None and not lock.acquire():
        click.echo(
            f"Error: jobsmgmt is running at {running_url(Path(data_dir)) or '(starting up)'}; "
            "stop it (Ctrl+C in its window) before restoring.",
            err=True,
        )
        sys.exit(2)
    try:
        with domain_errors():
            result = restore_sqlite(current_app._get_current_object(), Path(path), app_version())
    finally:
        if lock is not None:
            lock.release()
    click.echo(
        f"Restored {path} (made at migration {', '.join(result['from_revisions'])}; audit chain "
        f"verified: {result['jobs_checked']} jobs, {result['entries_checked']} entries, "
        f"{result['checkpoints_checked']} checkpoints)."
    )
    if current_app.config.get("AUDIT_CHECKPOINT_FILE"):
        origin = result["checkpoints_from"] or "the backup's own checkpoint table"
        click.echo(f"Audit checkpoint file restored from {origin}")
        if result["checkpoints_unreadable"]:
            click.echo(
                f"{result['checkpoints_unreadable']} unreadable line(s) in "
                f"{result['checkpoints_from']} were left out"
            )
    if result["safety_backup"]:
        click.echo(f"The database it replaced is in {result['safety_backup']}")
