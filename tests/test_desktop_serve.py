"""``jobsmgmt serve`` (what ``make run`` starts): migrates an empty data directory, seeds the demo
agency, shows its login once, serves on 127.0.0.1 and logs to ``logs/jobsmgmt.log``; a second
start on the same data directory reports the running instance; a taken port moves to the next;
``--no-demo`` starts empty with the setup page."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
APP_VARIABLES = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "AUDIT_KEY", "BULK_JOB_DELAY_MS")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def desktop_env(data_dir: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in APP_VARIABLES}
    env["JOBSMGMT_DATA_DIR"] = str(data_dir)
    env.update({k: str(v) for k, v in extra.items()})
    return env


def _start(data_dir: Path, port: int, *extra: str, executable: Path | None = None, **env):
    jobsmgmt = executable or Path(sys.executable).with_name("jobsmgmt")
    return subprocess.Popen(
        [str(jobsmgmt), "serve", "--no-browser", "--port", str(port), *extra],
        env=desktop_env(data_dir, **env),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for_line(process: subprocess.Popen, pattern: str, timeout: float = 90) -> re.Match:
    """Read the process's output until a line matches ``pattern`` (lines read are kept in
    ``process.seen``)."""
    deadline = time.monotonic() + timeout
    if not hasattr(process, "seen"):
        process.seen = []
    output = process.seen
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            if process.poll() is not None:
                break
            continue
        output.append(line)
        match = re.search(pattern, line)
        if match:
            return match
    raise AssertionError(f"no line matching {pattern!r}:\n" + "".join(output))


def _wait_for_login(process: subprocess.Popen, timeout: float = 90) -> tuple[str, str]:
    match = wait_for_line(process, r"Demo login: (\S+) / (\S+)", timeout)
    return match.group(1), match.group(2)


def _wait_until_up(url: str, timeout: float = 30) -> requests.Response:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return requests.get(url, timeout=5)
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def log_in(base: str, email: str, password: str) -> requests.Session:
    """Log in through the form, as a person would."""
    session = requests.Session()
    login_page = session.get(f"{base}/login", timeout=10)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page.text)
    response = session.post(
        f"{base}/login",
        timeout=30,
        data={"email": email, "password": password, "csrf_token": token.group(1)},
    )
    assert response.status_code == 200 and "Log out" in response.text, response.text[-500:]
    return session


def _stop(process: subprocess.Popen) -> str:
    process.terminate()
    rest, _ = process.communicate(timeout=30)
    return rest


def test_serve_first_run_second_start_and_restart(tmp_path):
    data_dir = tmp_path / "data"
    port = _free_port()
    process = _start(data_dir, port)
    try:
        email, password = _wait_for_login(process)
        base = f"http://127.0.0.1:{port}"
        assert _wait_until_up(f"{base}/healthz").json()["queue"] == "inline"
        log_in(base, email, password)

        # A second start on the same data directory reports the running one, opens the browser
        # there (a stand-in xdg-open records what it was asked to open) and changes nothing.
        opened = tmp_path / "opened.txt"
        opener = tmp_path / "bin" / "xdg-open"
        opener.parent.mkdir()
        opener.write_text(f'#!/bin/sh\necho "$1" > "{opened}.tmp"\nmv "{opened}.tmp" "{opened}"\n')
        opener.chmod(0o755)
        second = subprocess.run(
            [str(Path(sys.executable).with_name("jobsmgmt")), "serve"],
            env=desktop_env(data_dir, PATH=f"{opener.parent}:{os.environ['PATH']}"),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert second.returncode == 0, second.stderr
        assert f"jobsmgmt is already running at {base}/" in second.stdout
        assert "Demo login" not in second.stdout and "migrated" not in second.stderr
        deadline = time.monotonic() + 20
        while not opened.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert opened.read_text().strip() == f"{base}/"

        # Another data directory asking for the same port gets the next free one.
        other = _start(tmp_path / "other", port, "--no-demo")
        try:
            moved = wait_for_line(other, rf"Port {port} is in use by another program; using (\d+)")
            other_port = int(moved.group(1))
            wait_for_line(other, r"No administrator yet: create one at .*/setup")
            setup = _wait_until_up(f"http://127.0.0.1:{other_port}/setup")
            assert setup.status_code == 200 and "Create the administrator" in setup.text
        finally:
            _stop(other)
    finally:
        rest = _stop(process)
    assert "jobsmgmt stopped." in rest
    assert (data_dir / "jobsmgmt.db").exists() and (data_dir / "secrets.json").exists()
    assert not (data_dir / "demo-login.txt").exists()  # the password is stored hashed only
    assert not (data_dir / "instance.json").exists()
    log = (data_dir / "logs" / "jobsmgmt.log").read_text()
    assert 'jobsmgmt.access: 127.0.0.1 "POST /login" 302' in log
    assert 'jobsmgmt.access: 127.0.0.1 "GET /healthz" 200' in log

    again = _start(data_dir, port)  # the data is kept; the password is not shown again
    try:
        wait_for_line(again, r"Stop with Ctrl\+C")
        _wait_until_up(f"http://127.0.0.1:{port}/healthz")
        log_in(f"http://127.0.0.1:{port}", email, password)
    finally:
        output = "".join(again.seen) + _stop(again)
    assert "Demo login" not in output and password not in output
    assert f"jobsmgmt {version('jobsmgmt')} (desktop edition) on" in output
