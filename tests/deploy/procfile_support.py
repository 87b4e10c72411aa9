"""The hosted edition as a Heroku-style host runs it, for the Procfile tests.

``build_slug`` does what the Python buildpack does: the pushed files (git's tracked and
not-ignored files) in an app directory, a fresh virtualenv of the ``.python-version``
interpreter, ``pip install -r requirements.txt`` (hash-checking mode: every file must match the
lock), then ``bin/post_compile``. ``Honcho`` runs the Procfile with that virtualenv first on the
PATH, as the platform's process manager does; ``Browser`` is a client behind the platform's
router (HTTPS terminated in front of the app, ``X-Forwarded-Proto: https``).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

from jobsmgmt.config import normalise_database_url
from tests.bulk_support import ROOT
from tests.conftest import TEST_DATABASE_URL, csrf_from, unavailable

HONCHO = Path(sys.executable).with_name("honcho")
# Variables of the machine running the tests that must not leak into the platform's processes.
NOT_PASSED = ("PYTHONPATH", "VIRTUAL_ENV", "DATABASE_URL", "REDIS_URL", "JOBSMGMT_DATA_DIR")


@dataclass
class Slug:
    app: Path
    venv: Path

    def env(self, **variables) -> dict:
        env = {k: v for k, v in os.environ.items() if k not in NOT_PASSED and "PYTEST" not in k}
        env["PATH"] = f"{self.venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
        env.update({k: str(v) for k, v in variables.items()})
        return env


def _pushed_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [name for name in listed.split("\0") if name and (ROOT / name).is_file()]


def _python_for(version: str) -> str:
    found = shutil.which(f"python{version}")
    if found:
        return found
    if f"{sys.version_info.major}.{sys.version_info.minor}" == version:
        return sys.executable
    raise AssertionError(f".python-version asks for Python {version}, which is not installed")


def build_slug(base: Path) -> Slug:
    app, venv = base / "app", base / "venv"
    for name in _pushed_files():
        target = app / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    python = _python_for((app / ".python-version").read_text().strip())
    subprocess.run([python, "-m", "venv", str(venv)], check=True, timeout=120)
    slug = Slug(app, venv)
    env = slug.env()
    steps = (
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", "-r", "requirements.txt"],
        ["bin/post_compile"],
    )
    for step in steps:
        done = subprocess.run(step, cwd=app, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, (step, done.stdout[-3000:], done.stderr[-3000:])
    assert (venv / "bin" / "jobsmgmt").exists(), "the app's console script was not installed"
    return slug


@contextmanager
def fresh_database():
    """An empty PostgreSQL database (the release step migrates it), as Heroku's
    ``postgres://`` URL; dropped afterwards."""
    admin_url = normalise_database_url(TEST_DATABASE_URL)
    try:
        admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001
        unavailable(f"PostgreSQL not reachable at {TEST_DATABASE_URL}: {error.__class__.__name__}")
    name = f"jobsmgmt_procfile_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = re.sub(r"/[^/]*$", f"/{name}", TEST_DATABASE_URL)
    url = re.sub(r"^postgres(ql)?(\+\w+)?://", "postgres://", url)
    try:
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def free_port_pair() -> int:
    """A port P with P and P+1 free (honcho gives web.1 $PORT and web.2 $PORT+1)."""
    import socket

    for _ in range(50):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if port > 60000:
            continue
        try:
            with socket.socket() as sock:
                sock.bind(("127.0.0.1", port + 1))
            return port
        except OSError:
            continue
    raise AssertionError("no two adjacent free ports")


def honcho_run(slug: Slug, env: dict, *command: str, stdin: str | None = None, timeout=120):
    """A one-off process (``heroku run`` / ``dokku run``) in the app's environment."""
    done = subprocess.run(
        [str(HONCHO), "-f", "Procfile", "-d", str(slug.app), "run", *command],
        cwd=slug.app,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    return done


class Honcho:
    """``honcho start`` of some Procfile processes, output in a log file."""

    def __init__(self, slug: Slug, env: dict, log_path: Path, *args: str):
        self.log_path = log_path
        self.offset = log_path.stat().st_size if log_path.exists() else 0
        log = open(log_path, "ab")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(
            [str(HONCHO), "-f", "Procfile", "-d", str(slug.app), "start", *args],
            cwd=slug.app,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self) -> str:
        with open(self.log_path, "rb") as log:
            log.seek(self.offset)
            return log.read().decode(errors="replace")

    def started(self) -> dict[str, int]:
        """{"web.1": pid, …}: the processes honcho started (each its own process group)."""
        return {
            name: int(pid)
            for name, pid in re.findall(r"(\S+) started \(pid=(\d+)\)", self.output())
        }

    def stopped(self) -> dict[str, int]:
        return {
            name: int(rc) for name, rc in re.findall(r"(\S+) stopped \(rc=(-?\d+)\)", self.output())
        }

    def sigterm_everything(self) -> set[int]:
        """What the platform does to stop a dyno: SIGTERM to every process in it (each Procfile
        process's group and all its descendants, e.g. RQ's work horse in its own group).
        Returns the pids it signalled."""
        targets: set[int] = set()
        for pid in self.started().values():
            targets.add(pid)
            targets.update(descendants(pid))
        for pid in self.started().values():
            try:
                os.killpg(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for pid in targets:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        return targets

    def wait(self, timeout: float) -> int | None:
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> None:
        """Clean-up only: SIGKILL whatever is left."""
        for pid in self.started().values():
            for target in [pid, *descendants(pid)]:
                try:
                    os.kill(target, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(timeout=10)


def alive(pid: int) -> bool:
    """Running (an exited process waiting for its parent to reap it does not count)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


class Browser:
    """A browser behind the platform's router: cookies kept by hand (the session cookie is
    ``Secure`` and the router speaks plain HTTP to the app, as Heroku's does)."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def request(self, method: str, port: int, path: str, **kwargs) -> requests.Response:
        headers = {
            "X-Forwarded-Proto": "https",
            "Referer": f"https://127.0.0.1:{port}/",
            **kwargs.pop("headers", {}),
        }
        response = requests.request(
            method,
            f"http://127.0.0.1:{port}{path}",
            headers=headers,
            cookies=self.cookies,
            allow_redirects=False,
            timeout=30,
            **kwargs,
        )
        self.cookies.update(response.cookies.get_dict())
        return response

    def csrf(self, port: int, path: str = "/") -> str:
        page = self.request("GET", port, path)
        assert page.status_code == 200, (path, page.status_code)
        return csrf_from(page.text)

    def login(self, port: int, email: str, password: str) -> None:
        token = self.csrf(port, "/login")
        response = self.request(
            "POST",
            port,
            "/login",
            data={"email": email, "password": password, "csrf_token": token},
        )
        assert response.status_code == 302, (response.status_code, response.text[:500])
        assert "session" in self.cookies


def wait_until(predicate, timeout: float, what: str, honcho: Honcho | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = predicate()
        except (requests.ConnectionError, requests.Timeout):
            value = None
        if value:
            return value
        time.sleep(0.25)
    logs = honcho.output()[-6000:] if honcho else ""
    raise AssertionError(f"timed out waiting for {what}\n{logs}")
