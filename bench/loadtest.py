"""``make loadtest``: the hosted edition under 16 concurrent users (QUALITY.md).

From a clean clone it starts and stops what it needs: a copy of the 10k-jobs PostgreSQL data
set (``make bench``'s, seeded on first use, copied with ``CREATE DATABASE … TEMPLATE`` and
dropped afterwards), gunicorn exactly as the Procfile's ``web:`` line starts it, one
``jobsmgmt worker`` on Redis, and Locust headless (bench/locustfile.py): 16 users for 60 s,
80 % reads / 10 % status changes / 5 % careers applications / 5 % bulk operations.

It prints requests/s, p50/p95/p99 per endpoint and the errors; then checks that the counter
tables equal ``COUNT(*)`` over the jobs, that every acknowledged status change is in the
database (the job's status and one history row each), that every bulk operation finished,
that ``jobsmgmt audit verify`` passes and that PostgreSQL counted no deadlock
(``pg_stat_database.deadlocks``). Last, the same gunicorn command serving an empty
authenticated route (bench/floor.py) under the same users gives the floor. Exit status 1 when
a bar is missed.

    python bench/loadtest.py [--users 16] [--seconds 60] [--wait 0.2-1.0]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))
import counters  # noqa: E402
import run  # noqa: E402  (bench/run.py: the cached data sets)
from servers import Server  # noqa: E402

BIN = Path(sys.executable).parent
READ_P95_BAR = 150.0
TERMS = [
    "engineer", "senior", "data", "sales", "berlin", "remote", "analyst", "manager", "#R1",
    "payments", "lisbon", "qa", "designer", "team", "recruiter", "zzq", "100%",
]  # fmt: skip


def pct(values: list[float], q: int) -> float:
    return run.pct(values, q) if values else 0.0


def connect(url: str):
    import psycopg

    return psycopg.connect(url.replace("postgresql+psycopg", "postgresql"))


def copy_database(template_url: str) -> tuple[str, str]:
    name = f"jobsmgmt_loadtest_{uuid.uuid4().hex[:8]}"
    template = template_url.rsplit("/", 1)[1]
    with connect(run.PG_SERVER) as admin:
        admin.autocommit = True
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return name, run.pg_url(name)


def drop_database(name: str) -> None:
    with connect(run.PG_SERVER) as admin:
        admin.autocommit = True
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_plan(url: str, env: dict, users: int) -> dict:
    """Users with passwords and tokens; each user's own jobs to move (status changes) and
    others for its bulk operations; jobs to read and to apply to."""
    from jobsmgmt import create_app
    from jobsmgmt.extensions import db
    from jobsmgmt.services import users as user_service

    os.environ.update(env)
    app = create_app()
    with app.app_context():
        conn = db.session.connection().connection.driver_connection
        cursor = conn.cursor()
        cursor.execute(
            "SELECT id, status FROM jobs WHERE deleted_at IS NULL AND status IN ('open', "
            "'on_hold') ORDER BY md5(id) LIMIT %s",
            (users * 14,),
        )
        movable = cursor.fetchall()
        cursor.execute(
            "SELECT id FROM jobs WHERE deleted_at IS NULL AND status <> 'draft' "
            "ORDER BY md5(id || 'r') LIMIT 400"
        )
        read_jobs = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT id FROM jobs WHERE deleted_at IS NULL AND status = 'open' AND "
            "(application_deadline IS NULL OR application_deadline > now() + interval '1 day') "
            "ORDER BY md5(id || 'c') LIMIT 200"
        )
        careers_jobs = [row[0] for row in cursor.fetchall()]
        movable_ids = {job_id for job_id, _ in movable}
        careers_jobs = [j for j in careers_jobs if j not in movable_ids][:100]
        cursor.execute("SELECT DISTINCT department FROM jobs ORDER BY 1")
        departments = [row[0] for row in cursor.fetchall()]
        conn.rollback()
        plan_users = []
        for n in range(users):
            email = f"load{n}-{uuid.uuid4().hex[:6]}@load.local"
            password = f"load-password-{n}-{uuid.uuid4().hex[:6]}"
            user = user_service.create_user(db.session, email, f"Load {n}", "recruiter", password)
            token = user_service.create_token(db.session, user.id, "loadtest")[1]
            mine = movable[n * 14 : (n + 1) * 14]
            plan_users.append(
                {
                    "email": email,
                    "password": password,
                    "token": token,
                    "status_jobs": [list(job) for job in mine[:4]],
                    "bulk_jobs": [job_id for job_id, _ in mine[4:]],
                }
            )
        db.session.remove()
        db.engine.dispose()
    return {
        "users": plan_users,
        "read_jobs": read_jobs,
        "careers_jobs": careers_jobs,
        "departments": departments,
        "terms": TERMS,
    }


def locust(base: str, plan_path: Path, results: Path, args, mode: str, seconds: int) -> dict:
    env = dict(os.environ)
    env.update(
        LOADTEST_PLAN=str(plan_path),
        LOADTEST_RESULTS=str(results),
        LOADTEST_WAIT=args.wait,
        LOADTEST_MODE=mode,
    )
    began = time.monotonic()
    subprocess.run(
        [
            str(BIN / "locust"),
            "-f",
            str(ROOT / "bench" / "locustfile.py"),
            "--headless",
            "--users",
            str(args.users),
            "--spawn-rate",
            str(args.users),
            "--run-time",
            f"{seconds}s",
            "--host",
            base,
            "--only-summary",
            "--loglevel",
            "WARNING",
        ],
        env=env,
        cwd=ROOT,
        check=False,  # locust exits 1 on any failed request; the table says which
        stdout=subprocess.DEVNULL,
        stderr=(results.parent / f"locust-{mode}.log").open("w"),
    )
    found = json.loads(results.read_text())
    found["seconds"] = seconds
    found["wall_seconds"] = time.monotonic() - began
    return found


def table(found: dict) -> tuple[list[str], dict]:
    """Per endpoint, over the window after every user had logged in (the start-up logins,
    a password hash each, are left out: they are not the steady load)."""
    window = [r for r in found["requests"] if r[4] - r[1] / 1000 >= found["logged_in"]]
    if window:
        began = max(found["logged_in"], min(r[4] - r[1] / 1000 for r in window))
        found["seconds"] = max(r[4] for r in window) - began
    by_name: dict[str, list] = {}
    for name, ms, status, error, _ in window:
        by_name.setdefault(name, []).append((ms, status, error))
    lines = [
        "| endpoint | requests | req/s | p50 ms | p95 ms | p99 ms | errors (5xx) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    reads, errors, server_errors = [], 0, 0
    for name in sorted(by_name):
        rows = by_name[name]
        times = [ms for ms, _, _ in rows]
        failed = [r for r in rows if r[2] or r[1] >= 400 or r[1] == 0]
        fivexx = [r for r in rows if r[1] >= 500]
        errors += len(failed)
        server_errors += len(fivexx)
        if name.startswith("GET") and "(start)" not in name and "/careers/" not in name:
            reads += times
        lines.append(
            f"| {name} | {len(rows)} | {len(rows) / found['seconds']:.1f} | "
            f"{pct(times, 50):.1f} | {pct(times, 95):.1f} | {pct(times, 99):.1f} | "
            f"{len(failed)} ({len(fivexx)}) |"
        )
    everything = [r[1] for r in window]
    lines.append(
        f"| **all** | {len(everything)} | **{len(everything) / found['seconds']:.1f}** | "
        f"{pct(everything, 50):.1f} | {pct(everything, 95):.1f} | {pct(everything, 99):.1f} | "
        f"**{errors} ({server_errors})** |"
    )
    lines.append(
        f"| **reads** (dashboard JSON and page, job page, analytics) | {len(reads)} | "
        f"{len(reads) / found['seconds']:.1f} | {pct(reads, 50):.1f} | **{pct(reads, 95):.1f}** | "
        f"{pct(reads, 99):.1f} | |"
    )
    return lines, {"errors": errors, "server_errors": server_errors, "read_p95": pct(reads, 95)}


def deadlocks(url: str) -> int:
    with connect(url) as conn:
        return conn.execute(
            "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()"
        ).fetchone()[0]


def wait_for_bulk(url: str, ids: list[str], timeout: float = 180) -> dict:
    """Every bulk operation the users started, once final (the worker runs them)."""
    began = time.monotonic()
    with connect(url) as conn:
        while True:
            rows = conn.execute(
                "SELECT status, total_count, success_count, failure_count FROM bulk_operations "
                "WHERE id = ANY(%s)",
                (ids,),
            ).fetchall()
            conn.rollback()
            unfinished = [r for r in rows if r[0] not in ("completed", "completed_with_errors")]
            if not unfinished or time.monotonic() - began > timeout:
                return {
                    "operations": len(ids),
                    "found": len(rows),
                    "unfinished_or_failed": len(unfinished),
                    "jobs_done": sum(r[2] + r[3] for r in rows),
                    "jobs_total": sum(r[1] for r in rows),
                    "seconds": time.monotonic() - began,
                }
            time.sleep(0.5)


def lost_writes(url: str, acked: dict, since) -> list[str]:
    """Acknowledged status changes missing from the database (status or history rows)."""
    problems = []
    with connect(url) as conn:
        for job_id, seen in acked.items():
            status = conn.execute("SELECT status FROM jobs WHERE id = %s", (job_id,)).fetchone()
            rows = conn.execute(
                "SELECT count(*) FROM job_status_history WHERE job_id = %s AND changed_at >= %s",
                (job_id, since),
            ).fetchone()[0]
            if status[0] != seen["status"] or rows != seen["changes"]:
                problems.append(
                    f"{job_id}: status {status[0]} (acknowledged {seen['status']}), "
                    f"{rows} history rows for {seen['changes']} changes"
                )
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--floor-seconds", type=int, default=20)
    parser.add_argument("--wait", default="0.2-1.0", help="each user's think time, seconds")
    args = parser.parse_args()
    if not run.pg_reachable():
        print(f"PostgreSQL not reachable at {run.PG_SERVER}")
        return 1
    template_url, _, _ = run.ensure_data("postgresql", run.BASE_SEED, False)
    name, url = copy_database(template_url)
    work = Path(tempfile.mkdtemp(prefix="jobsmgmt-loadtest-"))
    queue = f"jobsmgmt-load-{uuid.uuid4().hex[:6]}"
    env = run.env_for(url, work)
    env.update(REDIS_URL=run.REDIS, RQ_QUEUE=queue)
    processes = []
    failed = False
    try:
        print(f"[loadtest] data: {run.describe(run.cardinality(url))}", flush=True)
        plan = make_plan(url, env, args.users)
        plan_path = work / "plan.json"
        plan_path.write_text(json.dumps(plan))
        worker = subprocess.Popen(
            [str(BIN / "jobsmgmt"), "worker"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        processes.append(worker)
        deadlocks_before = deadlocks(url)
        with connect(url) as conn:
            since = conn.execute("SELECT now() AT TIME ZONE 'utc'").fetchone()[0]
        with Server("postgresql", env) as server:
            print(
                f"[loadtest] gunicorn per the Procfile on {server.base}, one worker, "
                f"{args.users} users for {args.seconds} s (think time {args.wait} s) …",
                flush=True,
            )
            found = locust(server.base, plan_path, work / "load.json", args, "load", args.seconds)
            rss = server.rss_peak_mb()
        lines, summary = table(found)
        bulk = wait_for_bulk(url, found["bulk_operations"])
        time.sleep(1.5)  # the statistics collector reports deadlocks with a short delay
        deadlock_delta = deadlocks(url) - deadlocks_before
        worker.terminate()
        worker.wait(timeout=30)
        with connect(url) as conn:
            mismatched = counters.mismatches(conn)
        lost = lost_writes(url, found["acked"], since)
        verify = subprocess.run(
            [str(BIN / "jobsmgmt"), "audit", "verify"],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        with Server("postgresql", env, "bench.floor:app") as floor_server:
            floor = locust(
                floor_server.base,
                plan_path,
                work / "floor.json",
                args,
                "floor",
                args.floor_seconds,
            )
        floor_lines, _ = table(floor)
        changes = sum(seen["changes"] for seen in found["acked"].values())
        checks = [
            ("errors (any failed request; 5xx in brackets)", summary["errors"] == 0,
             f"{summary['errors']} ({summary['server_errors']})"),
            (f"read p95 ≤ {READ_P95_BAR:.0f} ms", summary["read_p95"] <= READ_P95_BAR,
             f"{summary['read_p95']:.1f} ms"),
            ("counter tables == COUNT(*) over the jobs", not mismatched,
             "exact" if not mismatched else "; ".join(mismatched[:5])),
            ("acknowledged status changes all in the database (no lost writes)", not lost,
             "; ".join(lost[:5]) or f"{changes} changes on {len(found['acked'])} jobs"),
            ("bulk operations all completed by the worker", bulk["unfinished_or_failed"] == 0,
             f"{bulk['operations']} operations, {bulk['jobs_done']}/{bulk['jobs_total']} jobs, "
             f"drained {bulk['seconds']:.1f} s after the run"),
            ("jobsmgmt audit verify", verify.returncode == 0,
             (verify.stdout.strip().splitlines() or ["(no output)"])[-1][:200]),
            ("PostgreSQL deadlocks (pg_stat_database delta)", deadlock_delta == 0,
             str(deadlock_delta)),
        ]  # fmt: skip
        failed = not all(passed for _, passed, _ in checks)
        print(
            f"\n### load test: {args.users} users, {args.seconds} s, think time {args.wait} s, "
            "gunicorn per the Procfile + one worker, PostgreSQL + Redis, 10k jobs\n"
        )
        print("\n".join(lines))
        print("\n| check | result | met |\n|---|---|---|")
        for label, passed, detail in checks:
            print(f"| {label} | {detail} | {'yes' if passed else 'NO'} |")
        print(
            f"\nReported: the largest gunicorn process peaked at {rss:.0f} MB RSS (VmHWM; the "
            "16 logins at the start hash passwords with scrypt, ~32 MB each, up to 4 at once "
            "per process); bench/run.py measures RSS against its bar."
        )
        print(
            f"\nFloor: the same gunicorn command serving an empty authenticated route "
            f"(bench/floor.py), {args.users} users, {args.floor_seconds} s:\n"
        )
        print("\n".join(floor_lines[:2] + [line for line in floor_lines if "/bench/empty" in line]))
    finally:
        for process in processes:
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=30)
        drop_database(name)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
