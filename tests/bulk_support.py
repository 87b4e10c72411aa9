"""Helpers for the bulk-operation and scheduled-task tests: real worker and server subprocesses,
and the checks that nothing was lost or doubled."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from sqlalchemy import func, select

from jobsmgmt.extensions import db
from jobsmgmt.models import BulkOperation, Job, JobAuditLog, JobStatusHistory
from jobsmgmt.services import audit

ROOT = Path(__file__).resolve().parent.parent
JOBSMGMT = Path(sys.executable).with_name("jobsmgmt")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def subprocess_env(app, **extra) -> dict:
    """The environment of a real ``jobsmgmt`` process on the test's database and Redis."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DATABASE_URL", "REDIS_URL", "BULK_JOB_DELAY_MS", "JOBSMGMT_DATA_DIR")
    }
    env.update(
        DATABASE_URL=app.config["SQLALCHEMY_DATABASE_URI"],
        RQ_QUEUE=app.config["RQ_QUEUE"],
        SECRET_KEY=app.config["SECRET_KEY"],
        AUDIT_KEY=app.config["AUDIT_KEY"],
        PYTHONPATH=str(ROOT),
    )
    if app.config.get("REDIS_URL"):
        env["REDIS_URL"] = app.config["REDIS_URL"]
    env.update({k: str(v) for k, v in extra.items()})
    return env


def start(args: list[str], env: dict, log_path: Path) -> subprocess.Popen:
    """A ``jobsmgmt`` subprocess in its own process group (so kill -9 takes its children too)."""
    log = open(log_path, "ab")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        [str(JOBSMGMT), *args],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def kill9(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=10)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            kill9(process)


def operation(op_id: str) -> BulkOperation:
    db.session.rollback()  # a fresh snapshot of what the other process wrote
    return db.session.get(BulkOperation, op_id)


def wait_for(predicate, timeout: float, what: str, log_path: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    logs = log_path.read_text(errors="replace")[-4000:] if log_path and log_path.exists() else ""
    raise AssertionError(f"timed out waiting for {what}\n{logs}")


def assert_nothing_lost_or_doubled(op_id: str, job_ids: list[str], new_status: str) -> None:
    """Every job has exactly one result and one change; history and audit agree; the chain
    verifies."""
    op = operation(op_id)
    assert op.status == "completed", (op.status, op.results[-3:])
    per_job = Counter(r["job_id"] for r in op.results)
    assert sorted(per_job) == sorted(job_ids) and set(per_job.values()) == {1}
    assert (op.success_count, op.failure_count, op.total_count) == (len(job_ids), 0, len(job_ids))
    assert {r["outcome"] for r in op.results} == {"changed"}
    history = Counter(
        db.session.scalars(
            select(JobStatusHistory.job_id).where(
                JobStatusHistory.job_id.in_(job_ids), JobStatusHistory.to_status == new_status
            )
        )
    )
    assert history == dict.fromkeys(job_ids, 1)
    named = Counter(
        entry.job_id
        for entry in db.session.scalars(select(JobAuditLog).where(JobAuditLog.job_id.in_(job_ids)))
        if (entry.new_values or {}).get("bulk_operation_id") == op_id
    )
    assert named == dict.fromkeys(job_ids, 1)
    for job_id in job_ids:
        job = db.session.get(Job, job_id)
        assert job.status == new_status
        entries = db.session.scalar(
            select(func.count()).select_from(JobAuditLog).where(JobAuditLog.job_id == job_id)
        )
        assert entries == job.audit_seq  # no gap, no extra entry
    report = audit.verify(db.session)
    assert report.valid, report.problems[:3]
