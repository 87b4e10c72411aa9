"""``jobsmgmt serve`` (what ``make run`` starts): migrates an empty data directory, seeds the demo
agency, prints the login, serves on 127.0.0.1, and the printed login works."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _start(data_dir: Path, port: int) -> subprocess.Popen:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "AUDIT_KEY")
    }
    env["JOBSMGMT_DATA_DIR"] = str(data_dir)
    jobsmgmt = Path(sys.executable).with_name("jobsmgmt")
    return subprocess.Popen(
        [str(jobsmgmt), "serve", "--no-browser", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wait_for_login(process: subprocess.Popen, timeout: float = 90) -> tuple[str, str, str]:
    deadline = time.monotonic() + timeout
    output = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            if process.poll() is not None:
                break
            continue
        output.append(line)
        match = re.search(r"Demo login: (\S+) / (\S+)", line)
        if match:
            return match.group(1), match.group(2), "".join(output)
    raise AssertionError("no demo login printed:\n" + "".join(output))


def _wait_until_up(url: str, timeout: float = 30) -> requests.Response:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return requests.get(url, timeout=5)
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_serve_first_run_and_restart(tmp_path):
    data_dir = tmp_path / "data"
    port = _free_port()
    process = _start(data_dir, port)
    try:
        email, password, output = _wait_for_login(process)
        assert f"http://127.0.0.1:{port}/" in output
        base = f"http://127.0.0.1:{port}"
        assert _wait_until_up(f"{base}/healthz").json()["queue"] == "inline"
        session = requests.Session()
        login_page = session.get(f"{base}/login", timeout=10)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page.text)
        response = session.post(
            f"{base}/login",
            timeout=30,
            data={"email": email, "password": password, "csrf_token": token.group(1)},
        )
        assert response.status_code == 200 and "Log out" in response.text
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert (data_dir / "jobsmgmt.db").exists() and (data_dir / "secrets.json").exists()

    again = _start(data_dir, port)  # a second start keeps the data and prints the same login
    try:
        email2, password2, _ = _wait_for_login(again)
        assert (email2, password2) == (email, password)
    finally:
        again.terminate()
        again.wait(timeout=30)
