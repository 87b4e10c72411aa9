"""One instance per data directory, the next free port, and a browser started with the
environment PyInstaller changed put back."""

from __future__ import annotations

import json
import os
import socket
import stat
import sys
import time

import pytest

from jobsmgmt import desktop, instance


def test_the_instance_lock_admits_one_holder(tmp_path):
    first = instance.InstanceLock(tmp_path)
    second = instance.InstanceLock(tmp_path)
    assert first.acquire()
    assert not second.acquire()  # the same process, another holder: refused without waiting
    first.release()
    assert second.acquire()
    second.release()


def test_the_recorded_address_is_read_back(tmp_path):
    assert instance.running_url(tmp_path) is None
    instance.record(tmp_path, "http://127.0.0.1:5003/")
    assert instance.running_url(tmp_path) == "http://127.0.0.1:5003/"
    assert json.loads((tmp_path / "instance.json").read_text())["pid"] == os.getpid()
    instance.clear(tmp_path)
    assert instance.running_url(tmp_path) is None


def test_a_taken_port_moves_to_the_next_free_one():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        sock, bound = instance.bind("127.0.0.1", port)
        try:
            assert bound != port and port < bound < port + instance.PORT_TRIES
        finally:
            sock.close()
        free_sock, same = instance.bind("127.0.0.1", bound)
        assert same == bound
        free_sock.close()


FROZEN = {
    "PATH": "/usr/bin:/bin",
    "LD_LIBRARY_PATH": "/opt/jobsmgmt/_internal",
    "LD_LIBRARY_PATH_ORIG": "/home/agency/lib",
    "DYLD_LIBRARY_PATH": "/Applications/jobsmgmt.app/Contents/Frameworks",
    "HOME": "/home/agency",
}


def test_browser_environment_restores_what_pyinstaller_changed():
    env = desktop.browser_environment(FROZEN, frozen=True)
    assert env["LD_LIBRARY_PATH"] == "/home/agency/lib"  # the user's own value is back
    assert "LD_LIBRARY_PATH_ORIG" not in env
    assert "DYLD_LIBRARY_PATH" not in env  # the user had none: removed
    assert env["PATH"] == "/usr/bin:/bin" and env["HOME"] == "/home/agency"
    assert FROZEN["LD_LIBRARY_PATH"] == "/opt/jobsmgmt/_internal"  # the input is not changed
    # Outside a bundle nothing was changed, so nothing is put back.
    assert desktop.browser_environment(FROZEN, frozen=False) == FROZEN


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="xdg-open is the Linux opener")
def test_the_browser_is_started_with_the_restored_environment(tmp_path, monkeypatch):
    record = tmp_path / "opened.txt"
    opener = tmp_path / "bin" / "xdg-open"
    opener.parent.mkdir()
    opener.write_text(
        "#!/bin/sh\n"
        f'printf "%s\\n%s\\n%s\\n" "$1" "${{LD_LIBRARY_PATH-unset}}" '
        f'"${{DYLD_LIBRARY_PATH-unset}}" > "{record}.tmp"\n'
        f'mv "{record}.tmp" "{record}"\n'
    )
    opener.chmod(opener.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setenv("PATH", f"{opener.parent}:{os.environ['PATH']}")
    monkeypatch.setenv("LD_LIBRARY_PATH", "/opt/jobsmgmt/_internal")
    monkeypatch.setenv("LD_LIBRARY_PATH_ORIG", "/home/agency/lib")
    monkeypatch.setenv("DYLD_LIBRARY_PATH", "/opt/jobsmgmt/_internal")
    desktop.launch_browser("http://127.0.0.1:5000/setup")
    deadline = time.monotonic() + 20
    while not record.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert record.read_text().splitlines() == [
        "http://127.0.0.1:5000/setup",
        "/home/agency/lib",
        "unset",
    ]
    assert os.environ["LD_LIBRARY_PATH"] == "/opt/jobsmgmt/_internal"  # ours is untouched


def test_without_an_opener_pythons_webbrowser_gets_the_restored_environment(tmp_path, monkeypatch):
    seen = {}

    def fake_open(url):
        seen.update(url=url, library_path=os.environ.get("LD_LIBRARY_PATH"))
        return True

    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(desktop.webbrowser, "open", fake_open)
    monkeypatch.setattr(desktop.sys, "platform", "linux")
    monkeypatch.setenv("PATH", str(tmp_path))  # no xdg-open anywhere
    monkeypatch.setenv("LD_LIBRARY_PATH", "/opt/jobsmgmt/_internal")
    monkeypatch.delenv("LD_LIBRARY_PATH_ORIG", raising=False)
    desktop.launch_browser("http://127.0.0.1:5000/")
    assert seen == {"url": "http://127.0.0.1:5000/", "library_path": None}
    assert os.environ["LD_LIBRARY_PATH"] == "/opt/jobsmgmt/_internal"  # put back afterwards
