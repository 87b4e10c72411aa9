"""``jobsmgmt serve``: the desktop/embedded edition — migrate, seed a demo agency on first run,
start the in-process worker, serve with waitress on 127.0.0.1 and open the browser."""

from __future__ import annotations

import threading
import webbrowser
from pathlib import Path

import click
from flask import current_app

from . import demo, queue
from .extensions import db
from .schedule import start_in_process


def prepare(app) -> tuple[str, str] | None:
    """Bring the database up to date and make sure a demo login exists. Returns the demo login
    (e-mail, password) when this installation has one."""
    from flask_migrate import upgrade

    upgrade(directory=app.extensions["migrate"].directory)
    data_dir = Path(app.config["DATA_DIR"]) if app.config.get("DATA_DIR") else None
    return demo.ensure_demo_agency(db.session, data_dir)


def serve_desktop(host: str, port: int, open_browser: bool) -> None:
    from waitress import serve

    app = current_app._get_current_object()
    if not app.config.get("PUBLIC_URL"):  # absolute apply links, the feed, the sandbox
        shown = "127.0.0.1" if host in ("0.0.0.0", "") else host  # noqa: S104
        app.config["PUBLIC_URL"] = f"http://{shown}:{port}"
    login = prepare(app)
    queue.in_process_runner(app)
    start_in_process(app)  # resumes unfinished bulk operations, then runs the periodic tasks
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{port}/"  # noqa: S104
    click.echo(f"jobsmgmt ({app.config['EDITION']} edition) on {url}")
    if login:
        click.echo(f"Demo login: {login[0]} / {login[1]}")
    if open_browser:
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    serve(app, host=host, port=port, threads=8, ident="jobsmgmt")
