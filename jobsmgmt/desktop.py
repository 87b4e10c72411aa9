"""``jobsmgmt serve``: the desktop/embedded edition.

In this order, so nothing is migrated or seeded unless this process is going to serve: take the
data directory's instance lock (a second start reports the running instance and opens the browser
there), bind the port (the next free one if it is taken by another program), record the address,
then migrate (backing an existing database up first), create the demo agency or open the one-time
setup page, start the in-process runner and scheduler, serve with waitress and open the browser.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import webbrowser
from dataclasses import dataclass
from pathlib import Path

import click
from flask import current_app

from . import demo, instance, queue
from .config import app_version
from .extensions import db
from .schedule import start_in_process
from .schema import UpgradeReport, ensure_schema
from .services import users

log = logging.getLogger(__name__)
LEGACY_LOGIN_FILE = "demo-login.txt"
# Variables PyInstaller's bootloader points at the bundle; it keeps the user's values in *_ORIG.
BUNDLE_VARIABLES = ("LD_LIBRARY_PATH", "DYLD_LIBRARY_PATH", "LIBPATH", "DYLD_FRAMEWORK_PATH")


@dataclass
class Prepared:
    upgrade: UpgradeReport | None
    demo_login: tuple[str, str] | None = None
    legacy_login: tuple[str, str] | None = None
    needs_setup: bool = False


def prepare(app, demo_agency: bool = True) -> Prepared:
    """Bring the database up to date (backing an existing one up first), then make sure someone
    can log in: the demo agency (its login returned the one time it is created) or, without it,
    the one-time setup page for the first administrator."""
    report = ensure_schema(app, migrate=True)
    prepared = Prepared(upgrade=report)
    data_dir = Path(app.config["DATA_DIR"]) if app.config.get("DATA_DIR") else None
    if demo_agency:
        prepared.demo_login = demo.ensure_demo_agency(db.session)
    prepared.needs_setup = users.needs_first_admin(db.session)
    if data_dir is not None and (data_dir / LEGACY_LOGIN_FILE).exists():
        # Earlier versions kept the demo password in plain text: show it a last time, delete it.
        lines = (data_dir / LEGACY_LOGIN_FILE).read_text().split("\n")
        if len(lines) >= 2 and lines[0] and lines[1]:
            prepared.legacy_login = (lines[0], lines[1])
        (data_dir / LEGACY_LOGIN_FILE).unlink()
    db.session.remove()
    return prepared


def browser_environment(environ: dict | None = None, frozen: bool | None = None) -> dict:
    """The environment to start the system browser with: inside a PyInstaller bundle, the
    library search paths as they were before the bootloader pointed them at the bundle
    (``X_ORIG`` restored, or ``X`` removed when the user had none), so the browser never loads
    the bundle's libssl, libsqlite3 or libstdc++. Outside a bundle: unchanged."""
    env = dict(os.environ if environ is None else environ)
    if not (getattr(sys, "frozen", False) if frozen is None else frozen):
        return env
    for name in BUNDLE_VARIABLES:
        original = env.pop(name + "_ORIG", None)
        if original is not None:
            env[name] = original
        else:
            env.pop(name, None)
    return env


def launch_browser(url: str) -> None:
    """Open ``url`` in the system browser with the environment PyInstaller changed restored."""
    env = browser_environment()
    opener = None
    if sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        opener = shutil.which("xdg-open", path=env.get("PATH"))
    elif sys.platform == "darwin":
        opener = "/usr/bin/open"
    if opener:
        try:
            subprocess.Popen(  # noqa: S603 - a fixed opener and our own URL
                [opener, url],
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
            )
            return
        except OSError:
            log.warning("Could not start %s; trying Python's webbrowser", opener, exc_info=True)
    # Windows (os.startfile: no library path variables involved) or no opener found: Python's
    # webbrowser, which starts browsers with os.environ, so hand it the restored one meanwhile.
    if env == dict(os.environ):
        webbrowser.open(url)
        return
    saved = dict(os.environ)
    try:
        os.environ.clear()
        os.environ.update(env)
        webbrowser.open(url)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _url(host: str, port: int, path: str = "/") -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host  # noqa: S104
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}{path}"


def _stop_on_sigterm() -> None:
    """SIGTERM ends the server like Ctrl+C: the lock is released and instance.json removed."""

    def stop(_signum, _frame):
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stop)


def serve_desktop(host: str, port: int, open_browser: bool, demo_agency: bool = True) -> int:
    """Returns the exit status (0 also when another instance is already running)."""
    from waitress import serve

    app = current_app._get_current_object()
    data_dir = Path(app.config["DATA_DIR"]) if app.config.get("DATA_DIR") else None
    lock = instance.InstanceLock(data_dir) if data_dir else None
    if lock is not None and not lock.acquire():
        url = instance.running_url(data_dir)
        if url is None:
            click.echo(f"jobsmgmt is already running on {data_dir} (still starting up).")
            return 0
        click.echo(f"jobsmgmt is already running at {url}")
        if open_browser:
            launch_browser(url)
        return 0
    try:
        if data_dir is not None:
            instance.clear(data_dir)  # a crashed predecessor's address is no longer true
        try:
            sock, bound = instance.bind(host, port)
        except OSError as error:
            click.echo(f"Error: cannot serve on {host}: {error}", err=True)
            return 1
        if bound != port:
            click.echo(f"Port {port} is in use by another program; using {bound} instead.")
        url = _url(host, bound)
        if not app.config.get("PUBLIC_URL"):  # absolute apply links, the feed, the sandbox
            app.config["PUBLIC_URL"] = url.rstrip("/")
        if data_dir is not None:
            instance.record(data_dir, url)
        prepared = prepare(app, demo_agency=demo_agency)
        _announce(app, url, prepared, app_version(), data_dir)
        queue.in_process_runner(app)
        start_in_process(app)  # resumes unfinished bulk operations, then runs the periodic tasks
        target = _url(host, bound, "/setup") if prepared.needs_setup else url
        if open_browser:
            threading.Timer(0.5, launch_browser, args=(target,)).start()
        _stop_on_sigterm()
        log.info("Serving %s on %s", app.config["EDITION"], url)
        try:
            serve(app, sockets=[sock], threads=8, ident="jobsmgmt")
        except KeyboardInterrupt:
            pass
        _shut_down(app)
        click.echo("jobsmgmt stopped.")
        return 0
    finally:
        if data_dir is not None:
            instance.clear(data_dir)
        if lock is not None:
            lock.release()


def _shut_down(app) -> None:
    """Stop the periodic tasks, let the runner finish its current task (a bulk operation resumes
    at the next start anyway), and close the database so SQLite folds its WAL file back in."""
    scheduler = app.extensions.get("jobsmgmt.scheduler")
    if scheduler is not None:
        scheduler.stop()
    runner = app.extensions.get("jobsmgmt.runner")
    if runner is not None:
        runner.stop()
        runner.thread.join(timeout=10)
    db.session.remove()
    db.engine.dispose()


def _announce(app, url: str, prepared: Prepared, version: str, data_dir: Path | None) -> None:
    click.echo(f"jobsmgmt {version} ({app.config['EDITION']} edition) on {url}")
    if data_dir is not None:
        click.echo(f"Data, logs and backups: {data_dir}")
    if prepared.upgrade and prepared.upgrade.backup:
        click.echo(
            f"Upgraded the database to {', '.join(prepared.upgrade.to_revisions)}; the previous "
            f"one is backed up in {prepared.upgrade.backup}"
        )
    if prepared.demo_login:
        click.echo(
            f"Demo login: {prepared.demo_login[0]} / {prepared.demo_login[1]}  "
            "(shown this once: note it down; only its hash is stored)"
        )
    elif prepared.legacy_login:
        click.echo(
            f"Demo login: {prepared.legacy_login[0]} / {prepared.legacy_login[1]}  (shown a last "
            f"time: the plain-text {LEGACY_LOGIN_FILE} has been deleted)"
        )
    if prepared.needs_setup:
        click.echo(f"No administrator yet: create one at {_url_path(url, 'setup')}")
    else:
        click.echo("Stop with Ctrl+C.")


def _url_path(url: str, path: str) -> str:
    return url.rstrip("/") + "/" + path
