"""Start and stop the editions' own web servers for ``make bench`` and ``make loadtest``, and a
small keep-alive HTTP client to time requests against them.

- desktop (SQLite): waitress with the settings of ``jobsmgmt serve`` (``threads=8``), run as
  ``python bench/servers.py waitress MODULE PORT``;
- hosted (PostgreSQL): the ``web:`` line of the Procfile, run by ``sh`` with ``PORT`` set
  (``MODULE`` replaces ``wsgi:app`` for the floor app).
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def procfile(process: str) -> str:
    for line in (ROOT / "Procfile").read_text().splitlines():
        name, _, command = line.partition(":")
        if name.strip() == process:
            return command.strip()
    raise KeyError(process)


class Server:
    """One web server process (group) on a free loopback port."""

    def __init__(self, kind: str, env: dict, module: str = "wsgi:app"):
        self.port = free_port()
        # the Procfile's commands come from this virtualenv, as a platform's PATH would give them
        path = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', os.defpath)}"
        env = {**env, "PORT": str(self.port), "PATH": path}
        if kind == "sqlite":
            command = [sys.executable, __file__, "waitress", module, str(self.port)]
            shell = False
        else:
            command = procfile("web").replace("wsgi:app", module)
            shell = True
        # the server's log goes to a file: a pipe nobody reads while it serves would fill up
        # (waitress warns of every queued task under load) and block the server
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            command,
            shell=shell,
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
            start_new_session=True,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        self._wait()

    def _wait(self, timeout: float = 90) -> None:
        began = time.monotonic()
        while time.monotonic() - began < timeout:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.stderr()[-3000:]}")
            try:
                status, _, _ = Client(self.base).request("GET", "/login")
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError("server did not start")

    def stderr(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def pids(self) -> list[int]:
        """The server process and its children (gunicorn's workers)."""
        found = [self.process.pid]
        for proc in Path("/proc").iterdir():
            if proc.name.isdigit():
                try:
                    stat = (proc / "stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) in found:
                    found.append(int(proc.name))
        return found

    def rss_peak_mb(self) -> float:
        """The largest peak RSS (VmHWM) among the server's processes."""
        peak = 0
        for pid in self.pids():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            match = re.search(r"VmHWM:\s+(\d+)", status)
            if match:
                peak = max(peak, int(match.group(1)))
        return peak / 1024

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


class Client:
    """Keep-alive HTTP/1.1 requests with cookies; times each request end to end."""

    def __init__(self, base: str, headers: dict | None = None):
        host, port = base.removeprefix("http://").split(":")
        self.host, self.port = host, int(port)
        self.headers = dict(headers or {})
        self.cookies: dict[str, str] = {}
        self.conn = None

    def request(self, method: str, path: str, params=None, body=None, headers=None):
        """Returns (status, body bytes, milliseconds)."""
        if params:
            path = f"{path}?{urlencode(params)}"
        sent = {**self.headers, **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in range(2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(
                    self.host, self.port, timeout=float(os.environ.get("BENCH_HTTP_TIMEOUT", "60"))
                )
            began = time.perf_counter()
            try:
                self.conn.request(method, path, body=body, headers=sent)
                response = self.conn.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, ConnectionError, http.client.BadStatusLine):
                self.conn.close()
                self.conn = None  # the server closed an idle keep-alive connection
                if attempt:
                    raise
                continue
            elapsed = (time.perf_counter() - began) * 1000
            for header, value in response.getheaders():
                if header.lower() == "set-cookie":
                    name, _, rest = value.partition("=")
                    self.cookies[name] = rest.split(";")[0]
            if response.getheader("Connection", "").lower() == "close":
                self.conn.close()
                self.conn = None
            return response.status, data, elapsed
        raise RuntimeError("unreachable")

    def login(self, email: str, password: str) -> None:
        status, page, _ = self.request("GET", "/login")
        token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page)
        token = token or re.search(rb'value="([^"]+)"[^>]*name="csrf_token"', page)
        form = urlencode({"email": email, "password": password, "csrf_token": token.group(1)})
        status, _, _ = self.request(
            "POST",
            "/login",
            body=form,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        if status not in (302, 303):
            raise RuntimeError(f"login failed: HTTP {status}")


def _waitress(module: str, port: int) -> None:
    """Serve ``module`` as ``jobsmgmt serve`` serves the app (jobsmgmt/desktop.py)."""
    import faulthandler
    import importlib

    from waitress import serve

    faulthandler.register(signal.SIGUSR1)  # `kill -USR1 <pid>`: every thread's stack on stderr

    sys.path.insert(0, str(ROOT))
    name, _, attribute = module.partition(":")
    app = getattr(importlib.import_module(name), attribute)
    serve(app, host="127.0.0.1", port=port, threads=8, ident="jobsmgmt")


if __name__ == "__main__":
    if sys.argv[1] == "waitress":
        _waitress(sys.argv[2], int(sys.argv[3]))
