"""Bulk ``post_external`` of 50 jobs to LinkedIn, Indeed and Naukri, enqueue → all 150 postings
posted, in both editions, against the portal sandbox on a loopback port adding 100 ms to every
call (bar ≤ 10 s). Also counts the requests each portal received: LinkedIn must be one
batch_create (+ token and task polls), not 50 creates.

- desktop: SQLite file + the in-process worker thread;
- hosted: PostgreSQL + Redis + a real ``jobsmgmt worker`` subprocess (skipped when either is
  unreachable).

    python bench/postings.py [--rounds 2] [--latency-ms 100]
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bulk  # noqa: E402  (bench/bulk.py: the app, PostgreSQL database and reachability helpers)

JOBS = 50
PORTALS = ["linkedin", "indeed", "naukri"]
BAR_MS = 10_000.0
DESCRIPTION = (
    "Build and run the services our recruiters rely on every day. You will design APIs, review "
    "code with care, and keep the platform fast and reliable for customers in many countries."
)


def _variables(sandbox_url: str) -> dict:
    from jobsmgmt.portals import sandbox

    return sandbox.environment(sandbox_url, "1000", "Bench")


def _app(database_url: str, redis_url: str | None, queue_name: str, sandbox_url: str):
    app = bulk._app(database_url, redis_url, queue_name)
    app.config.update(PORTALS=_variables(sandbox_url), PUBLIC_URL="http://bench.test")
    return app


def _prepare(app) -> tuple[str, str, list[str]]:
    """Migrate; a recruiter with a token and 50 open jobs LinkedIn accepts."""
    from flask_migrate import upgrade

    from jobsmgmt.extensions import db
    from jobsmgmt.services import Actor, jobs, status, users

    upgrade(directory=app.extensions["migrate"].directory)
    user = users.create_user(
        db.session, f"bench-{uuid.uuid4().hex[:6]}@x.io", "B", "recruiter", None
    )
    token = users.create_token(db.session, user.id, "bench")[1]
    actor = Actor(user.id)
    ids = []
    for i in range(JOBS):
        values = {"title": f"Bench job {i}", "description": DESCRIPTION, "location": "Pune, India"}
        job = jobs.create_job(db.session, values, actor)
        status.change_status(db.session, job.id, "open", actor)
        ids.append(job.id)
    return token, user.id, ids


def _round(app, token: str, ids: list[str], sandbox) -> tuple[float, dict]:
    """One bulk post_external of the 50 jobs; returns (ms to all posted, requests per portal).
    Afterwards the postings are withdrawn (closed at the sandbox, not timed) for the next round."""
    from jobsmgmt.database import set_write_intent, write_intent
    from jobsmgmt.extensions import db
    from jobsmgmt.models import JobExternalPosting

    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    before = {p: dict(c) for p, c in sandbox.state.snapshot()["requests"].items()}
    body = {"job_ids": ids, "operation": "post_external", "parameters": {"portals": PORTALS}}
    started = time.perf_counter()
    response = client.post("/api/jobs-management/bulk-update", json=body, headers=headers)
    assert response.status_code == 202, response.get_data(as_text=True)
    set_write_intent(False)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        db.session.rollback()
        rows = (
            db.session.query(JobExternalPosting.status, JobExternalPosting.pending_action)
            .filter(JobExternalPosting.job_id.in_(ids))
            .all()
        )
        if len(rows) == JOBS * len(PORTALS) and all(s == "posted" and a is None for s, a in rows):
            break
        failed = [s for s, a in rows if s == "failed"]
        assert not failed, failed
        time.sleep(0.01)
    else:
        raise AssertionError("not all posted within 120 s")
    elapsed = (time.perf_counter() - started) * 1000
    after = sandbox.state.snapshot()["requests"]
    counts = {
        portal: {k: v - before.get(portal, {}).get(k, 0) for k, v in after[portal].items()}
        for portal in PORTALS
    }
    # Reset for the next round: withdraw every posting (closed at the sandbox), then re-open.
    from jobsmgmt.services import postings
    from jobsmgmt.services.jobs import lock_job

    with write_intent():
        for job_id in ids:
            job = lock_job(db.session, job_id)
            postings.withdraw_live_postings(db.session, job, _actor(job), queue_close=False)
            db.session.commit()
    db.session.rollback()
    closing = db.session.query(JobExternalPosting.id).filter(JobExternalPosting.job_id.in_(ids))
    with write_intent():
        postings.deliver(db.session, [i for (i,) in closing], postings.portal_config(app.config))
    set_write_intent(False)
    return elapsed, counts


def _actor(job):
    from jobsmgmt.services import Actor

    return Actor(job.owner_id)


def _row(edition: str, results: list[tuple[float, dict]], latency_ms: int) -> dict:
    timings = [ms for ms, _ in results]
    counts = results[-1][1]
    return {
        "edition": edition,
        "rounds": len(timings),
        "median_ms": statistics.median(timings),
        "max_ms": max(timings),
        "latency_ms": latency_ms,
        "requests": counts,
        "met": max(timings) <= BAR_MS
        and counts["linkedin"].get("POST /v2/simpleJobPostings", 0) == 1,
    }


def desktop(rounds: int, latency_ms: int) -> dict:
    from jobsmgmt import queue
    from jobsmgmt.database import set_write_intent
    from jobsmgmt.extensions import db
    from jobsmgmt.portals.sandbox import SandboxServer

    with SandboxServer() as sandbox, tempfile.TemporaryDirectory() as tmp:
        sandbox.state.latency_ms = latency_ms
        app = _app(f"sqlite:///{tmp}/bench.db", None, "bench", sandbox.url)
        with app.app_context():
            token, _, ids = _prepare(app)
            db.session.rollback()
            set_write_intent(False)
            try:
                results = [_round(app, token, ids, sandbox) for _ in range(rounds)]
            finally:
                set_write_intent(True)
                queue.in_process_runner(app).stop()
                db.session.remove()
                db.engine.dispose()
    return _row("desktop: SQLite + in-process worker", results, latency_ms)


def hosted(rounds: int, latency_ms: int) -> dict | None:
    from sqlalchemy import text

    from jobsmgmt.extensions import db
    from jobsmgmt.portals.sandbox import SandboxServer

    problem = bulk._reachable()
    if problem:
        print(f"hosted edition skipped: PostgreSQL/Redis not reachable ({problem})", flush=True)
        return None
    admin, name, url = bulk._pg_database()
    queue_name = f"jobsmgmt-bench-{uuid.uuid4().hex[:8]}"
    worker = None
    try:
        with SandboxServer() as sandbox:
            sandbox.state.latency_ms = latency_ms
            app = _app(url, bulk.REDIS, queue_name, sandbox.url)
            with app.app_context():
                token, _, ids = _prepare(app)
                env = dict(os.environ)
                env.update(
                    DATABASE_URL=url,
                    REDIS_URL=bulk.REDIS,
                    RQ_QUEUE=queue_name,
                    SECRET_KEY="bench-secret",
                    AUDIT_KEY="bench-audit-key",
                    LOG_LEVEL="WARNING",
                    PYTHONPATH=str(ROOT),
                    PUBLIC_URL="http://bench.test",
                    PORTAL_SANDBOX="0",
                    **_variables(sandbox.url),
                )
                worker = subprocess.Popen(
                    [str(bulk.BIN / "jobsmgmt"), "worker"],
                    env=env,
                    cwd=ROOT,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    start_new_session=True,
                )
                time.sleep(2)  # a warm worker, as in production
                results = [_round(app, token, ids, sandbox) for _ in range(rounds)]
                db.session.remove()
                db.engine.dispose()
    finally:
        if worker is not None:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=20)
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
    return _row("hosted: PostgreSQL + RQ + worker subprocess", results, latency_ms)


def run(rounds: int = 2, latency_ms: int = 100) -> list[dict]:
    rows = [desktop(rounds, latency_ms)]
    hosted_row = hosted(rounds, latency_ms)
    if hosted_row:
        rows.append(hosted_row)
    return rows


def _requests(counts: dict) -> str:
    return "; ".join(
        f"{portal}: " + ", ".join(f"{k} ×{v}" for k, v in sorted(counts[portal].items()) if v)
        for portal in PORTALS
    )


def table(rows: list[dict]) -> str:
    lines = [
        "| what | edition | rounds | median ms | max ms | bar | met "
        "| requests per portal (last round) |",
        "|---|---|---:|---:|---:|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| bulk post_external, {JOBS} jobs × 3 portals, sandbox +{row['latency_ms']} ms/call, "
            f"enqueue → all posted | {row['edition']} | {row['rounds']} | {row['median_ms']:.0f} | "
            f"{row['max_ms']:.0f} | ≤ {BAR_MS / 1000:.0f} s, LinkedIn 1 batch | "
            f"{'yes' if row['met'] else 'NO'} | {_requests(row['requests'])} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--latency-ms", type=int, default=100)
    args = parser.parse_args()
    print(table(run(args.rounds, args.latency_ms)))


if __name__ == "__main__":
    main()
