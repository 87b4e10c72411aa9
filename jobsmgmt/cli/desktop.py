"""``jobsmgmt serve`` and ``jobsmgmt backup``: the desktop edition's commands."""

from __future__ import annotations

import shutil
from pathlib import Path

import click
from flask import current_app

from ..backup import backup_sqlite
from ..desktop import serve_desktop
from ..extensions import db
from ..services import audit, checkpoints
from .common import domain_errors


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-browser", is_flag=True, help="Do not open the browser.")
def serve(host, port, no_browser):
    """Serve the desktop/embedded edition: waitress, in-process runner, browser."""
    serve_desktop(host=host, port=port, open_browser=not no_browser)


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
def backup(path):
    """Copy the SQLite database to PATH (online: the app may keep running)."""
    out = current_app.config.get("AUDIT_CHECKPOINT_FILE")
    if out and db.engine.dialect.name == "sqlite":
        # The copy's state is checkpointed, and the checkpoint file travels with the copy.
        checkpoints.take_checkpoint(db.session, audit.signing_key(db.session), Path(out))
    with domain_errors():
        size = backup_sqlite(db.engine, Path(path))
    click.echo(f"Backed up to {path} ({size:,} bytes)")
    if out and Path(out).exists():
        copy = Path(path).with_name(Path(path).name + ".audit-checkpoints.jsonl")
        shutil.copyfile(out, copy)
        click.echo(f"Audit checkpoints copied to {copy}")
