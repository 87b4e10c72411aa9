"""``jobsmgmt serve`` and ``jobsmgmt backup``: the desktop edition's commands."""

from __future__ import annotations

from pathlib import Path

import click

from ..backup import backup_sqlite
from ..desktop import serve_desktop
from ..extensions import db
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
    with domain_errors():
        size = backup_sqlite(db.engine, Path(path))
    click.echo(f"Backed up to {path} ({size:,} bytes)")
