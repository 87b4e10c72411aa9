"""``make loadtest`` from a clean state (heavy: it seeds 10k jobs on PostgreSQL, starts gunicorn
as the Procfile does, a worker on Redis and Locust): shortened to 20 s, the run must end with no
failed request, exact counters, no lost write, every bulk operation completed, a verified audit
chain and no deadlock. Latency is the benchmark's business (noisy CI machines), not this test's."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import TEST_DATABASE_URL, unavailable

pytestmark = [pytest.mark.slow, pytest.mark.heavy]
ROOT = Path(__file__).resolve().parent.parent
CHECKS = (
    "errors (any failed request; 5xx in brackets)",
    "counter tables == COUNT(*) over the jobs",
    "acknowledged status changes all in the database (no lost writes)",
    "bulk operations all completed by the worker",
    "jobsmgmt audit verify",
    "PostgreSQL deadlocks (pg_stat_database delta)",
)


def test_loadtest_runs_from_a_clean_state(redis_url, tmp_path):
    # not imported here: locust monkey-patches the standard library (gevent) on import
    assert importlib.util.find_spec("locust"), "make test-heavy installs the load extra"
    from jobsmgmt.config import normalise_database_url

    admin = create_engine(normalise_database_url(TEST_DATABASE_URL), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001
        unavailable(f"PostgreSQL not reachable: {error.__class__.__name__}")
    prefix = f"jobsmgmt_loadtest_ci_{uuid.uuid4().hex[:6]}"
    env = dict(os.environ)
    env.update(
        BENCH_DB_PREFIX=prefix,
        BENCH_REDIS_URL=redis_url,
        BENCH_DATA_DIR=str(tmp_path / "data"),
        BENCH_DATABASE_URL=TEST_DATABASE_URL,
    )
    try:
        out = subprocess.run(
            [sys.executable, "bench/loadtest.py", "--seconds", "20", "--floor-seconds", "5"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=900,
        )
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{prefix}_10k" WITH (FORCE)'))
        admin.dispose()
    report = out.stdout
    assert "### load test: 16 users, 20 s" in report, out.stderr[-3000:]
    rows = {line.split(" | ")[0].lstrip("| "): line for line in report.splitlines()}
    for check in CHECKS:
        assert rows[check].rstrip().endswith("| yes |"), rows[check]
    assert "| **all** |" in report and "GET /bench/empty" in report
