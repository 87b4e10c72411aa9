"""One desktop instance per data directory, and the port it serves on.

``jobsmgmt serve`` holds ``jobsmgmt.lock`` in the data directory for its whole life (filelock:
``flock`` on Unix, ``msvcrt.locking`` on Windows; the OS drops it when the process dies, even by
kill -9) and records its address in ``instance.json``. A second start finds the lock taken, reads
the address and reports it instead of starting; ``restore`` refuses while the lock is taken.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import socket
import sys
from pathlib import Path

from filelock import FileLock, Timeout

LOCK_FILE = "jobsmgmt.lock"
INSTANCE_FILE = "instance.json"
PORT_TRIES = 20


class InstanceLock:
    """The data directory's instance lock; ``acquire`` never waits."""

    def __init__(self, data_dir: Path):
        self.data_dir = Path(data_dir)
        self._lock = FileLock(str(self.data_dir / LOCK_FILE), thread_local=False)

    def acquire(self) -> bool:
        try:
            self._lock.acquire(timeout=0)
        except Timeout:
            return False
        return True

    def release(self) -> None:
        if self._lock.is_locked:
            self._lock.release(force=True)

    def __enter__(self) -> InstanceLock:
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def record(data_dir: Path, url: str) -> None:
    path = Path(data_dir) / INSTANCE_FILE
    path.write_text(json.dumps({"url": url, "pid": os.getpid()}))


def running_url(data_dir: Path) -> str | None:
    """The address the running instance recorded (None while it is still starting)."""
    try:
        return json.loads((Path(data_dir) / INSTANCE_FILE).read_text())["url"]
    except (OSError, ValueError, KeyError):
        return None


def clear(data_dir: Path) -> None:
    with contextlib.suppress(OSError):
        (Path(data_dir) / INSTANCE_FILE).unlink()


def bind(host: str, port: int, tries: int = PORT_TRIES) -> tuple[socket.socket, int]:
    """A socket bound to ``host:port`` or, if that port is taken, to the next free one of the
    following ``tries - 1`` ports. It stays bound (waitress listens on it), so nobody can take the
    port between the check and the start."""
    last_error: OSError | None = None
    for candidate in range(port, port + tries):
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        if sys.platform == "win32":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)
        else:  # restart right after a crash despite connections in TIME_WAIT
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, candidate))
        except OSError as error:
            sock.close()
            if error.errno not in (errno.EADDRINUSE, errno.EACCES, 10048, 10013):
                raise
            last_error = error
            continue
        return sock, sock.getsockname()[1]
    raise OSError(
        errno.EADDRINUSE, f"ports {port}-{port + tries - 1} on {host} are all in use"
    ) from last_error
