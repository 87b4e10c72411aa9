"""Test sessions sharing a Redis database: the second one must not flush the first one's keys.

The ``redis_url`` fixture flushes its database before and after each test. A deploy test once
lost its periodic registrations to another session flushing the same database
(``NoSuchJobError: No such job: rq:job:jobsmgmt-periodic-audit_checkpoint``): now a session
claims its database, and another session's Redis tests skip (fail under CI) without flushing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from redis import Redis

ROOT = Path(__file__).resolve().parent.parent

OTHER_SESSION = """
import sys
from tests.conftest import redis_database
try:
    with redis_database(sys.argv[1]):
        print("used the database")
except BaseException as outcome:  # pytest's skip and fail outcomes are BaseExceptions
    print(type(outcome).__name__, outcome)
"""


def _other_session(url: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    done = subprocess.run(
        [sys.executable, "-c", OTHER_SESSION, url],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_another_session_on_the_same_database_leaves_it_alone(redis_url):
    connection = Redis.from_url(redis_url)
    connection.set("rq:job:jobsmgmt-periodic-audit_checkpoint", "registration")

    output = _other_session(redis_url)

    assert "used the database" not in output
    assert "Skipped" in output and f"in use by another test session (pid {os.getpid()})" in output
    assert connection.get("rq:job:jobsmgmt-periodic-audit_checkpoint") == b"registration"
