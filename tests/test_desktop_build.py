"""The desktop build: PyInstaller bundles the app into one executable that starts the app on
SQLite with the in-process worker and serves its login page."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.conftest import unavailable
from tests.test_desktop_serve import _free_port, _wait_for_login, _wait_until_up

ROOT = Path(__file__).resolve().parent.parent
pytestmark = [pytest.mark.slow, pytest.mark.heavy]


@pytest.fixture(scope="module")
def executable(tmp_path_factory) -> Path:
    built = os.environ.get("JOBSMGMT_DESKTOP_EXE")
    if built:
        return Path(built)
    pyinstaller = Path(sys.executable).with_name("pyinstaller")
    if not pyinstaller.exists():
        unavailable("PyInstaller is not installed (pip install -e '.[test]')")
    work = tmp_path_factory.mktemp("desktop-build")
    result = subprocess.run(
        [
            str(pyinstaller),
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(work / "dist"),
            "--workpath",
            str(work / "build"),
            "jobsmgmt.spec",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return work / "dist" / "jobsmgmt"


def test_executable_serves_its_login_page(executable, tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "AUDIT_KEY")
    }
    env["JOBSMGMT_DATA_DIR"] = str(tmp_path / "data")
    port = _free_port()
    process = subprocess.Popen(
        [str(executable), "serve", "--no-browser", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        email, _, _ = _wait_for_login(process, timeout=120)
        assert email == "admin@demo.local"
        page = _wait_until_up(f"http://127.0.0.1:{port}/login")
        assert page.status_code == 200 and 'name="password"' in page.text
        css = requests.get(
            f"http://127.0.0.1:{port}/bootstrap/static/css/bootstrap.min.css", timeout=10
        )
        assert css.status_code == 200 and len(css.content) > 100_000  # assets bundled, offline
        health = requests.get(f"http://127.0.0.1:{port}/healthz", timeout=10).json()
        assert health == {"status": "ok", "database": "ok", "queue": "inline"}
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert (tmp_path / "data" / "jobsmgmt.db").exists()
