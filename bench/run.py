"""``make bench``: the QUALITY.md performance table for SQLite and (when reachable) PostgreSQL.

Data: ``jobsmgmt demo seed --jobs 10000 --applications 500000 --days 365``, seeded once and
cached (SQLite under bench/.data/, PostgreSQL in the database ``jobsmgmt_bench_10k``).

For each database a separate *web process* (this script with ``--web``) builds the app and
serves the requests through its WSGI interface (Flask's test client, no network): the
dashboard JSON over 10 filter/sort/search/page combinations, the dashboard page, the job
analytics JSON (90-day range). The SQL each request executes is captured and replayed on a
raw DB-API connection (no ORM, no Flask) to give "raw SQL" and the ratio. The daily analytics
task runs in a third process (``--task``) like the CLI would. A 100k-jobs data set (seeded and
cached the same way) gives the dashboard p95 at 10× the jobs; ``--no-scale`` leaves it out.
Two reference rows show what a request costs before any SQL (the framework floor).

    python bench/run.py [--databases sqlite,postgresql] [--rounds 30] [--no-scale] [--reseed]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / ".data"
BIN = Path(sys.executable).parent
PG_SERVER = os.environ.get(
    "BENCH_DATABASE_URL",
    os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"),
)
BASE_SEED = {"jobs": 10_000, "applications": 500_000, "days": 365}
DASHBOARD = "/api/jobs-management/dashboard"
COMBOS = [
    ("default (created_at desc)", {}),
    ("status=open, sort posted_date", {"status": "open", "sort": "posted_date"}),
    ("open+on_hold by applications", {"status": "open,on_hold", "sort": "applications"}),
    ("search 'engineer'", {"search": "engineer"}),
    ("search '100%' (literal)", {"search": "100%"}),
    ("department, title asc", {"department": "Data", "sort": "title", "order": "asc"}),
    ("owner=me, by views", {"owner": "me", "sort": "views"}),
    ("deadline asc, page 5", {"sort": "deadline", "order": "asc", "page": "5"}),
    ("deep page 200 x 50", {"page": "200", "limit": "50"}),
    ("closed + search + title", {"status": "closed", "search": "data", "sort": "title"}),
]
BARS = {
    "seed": 120_000,
    "dashboard": 40.0,
    "ratio": 2.0,
    "page": 60.0,
    "analytics": 25.0,
    "daily_one": 3_000,
    "daily_365": 60_000,
    "scale": 1.5,
    "rss": 200.0,
}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if len(ordered) == 1:
        return ordered[0]
    return statistics.quantiles(ordered, n=100, method="inclusive")[int(q) - 1]


# --- data sets ----------------------------------------------------------------------------


def env_for(database_url: str, data_dir: Path) -> dict:
    data_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        JOBSMGMT_DATA_DIR=str(data_dir),
        SECRET_KEY="bench-secret",
        AUDIT_KEY="bench-audit-key",
        SESSION_COOKIE_SECURE="0",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    env.pop("REDIS_URL", None)
    return env


def pg_reachable() -> bool:
    import psycopg

    try:
        with psycopg.connect(PG_SERVER.replace("+psycopg", ""), connect_timeout=3) as conn:
            conn.execute("SELECT 1")
        return True
    except Exception:  # noqa: BLE001
        return False


def pg_url(name: str) -> str:
    return re.sub(r"/[^/]*$", f"/{name}", PG_SERVER)


def ensure_data(kind: str, size: dict, reseed: bool) -> tuple[str, Path, float | None]:
    """The cached data set (seeded on first use). Returns (url, data dir, seed seconds)."""
    label = f"{size['jobs'] // 1000}k"
    data_dir = DATA / f"{kind}-{label}"
    marker = data_dir / "seeded.json"
    if kind == "sqlite":
        url = f"sqlite:///{data_dir / 'jobsmgmt.db'}"
    else:
        url = pg_url(f"jobsmgmt_bench_{label}")
    if marker.exists() and not reseed:
        info = json.loads(marker.read_text())
        if info.get("size") == size:
            subprocess.run(  # cached data: bring it to the current migrations
                [str(BIN / "jobsmgmt"), "db", "upgrade"],
                env=env_for(url, data_dir),
                check=True,
                capture_output=True,
            )
            return url, data_dir, info.get("seconds")
    data_dir.mkdir(parents=True, exist_ok=True)
    if kind == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(str(data_dir / "jobsmgmt.db") + suffix).unlink(missing_ok=True)
    else:
        import psycopg

        name = f"jobsmgmt_bench_{label}"
        with psycopg.connect(PG_SERVER.replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    env = env_for(url, data_dir)
    print(f"[{kind}] seeding {size} (cached afterwards in {data_dir}) …", flush=True)
    subprocess.run(
        [str(BIN / "jobsmgmt"), "db", "upgrade"], env=env, check=True, capture_output=True
    )
    began = time.perf_counter()
    subprocess.run(
        [
            str(BIN / "jobsmgmt"),
            "demo",
            "seed",
            "--jobs",
            str(size["jobs"]),
            "--applications",
            str(size["applications"]),
            "--days",
            str(size["days"]),
        ],
        env=env,
        check=True,
    )
    seconds = time.perf_counter() - began
    if kind == "postgresql":  # what autovacuum would soon do after a bulk load
        import psycopg

        with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
            conn.execute("VACUUM ANALYZE")
    marker.write_text(json.dumps({"size": size, "seconds": seconds}))
    return url, data_dir, seconds


def run_child(mode: str, url: str, data_dir: Path, rounds: int) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, mode, url, "--rounds", str(rounds)],
        env=env_for(url, data_dir),
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"{mode} failed:\n{out.stderr[-4000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- the web process ------------------------------------------------------------------------


class Capture:
    """Records every statement (with its DB-API parameters) a request executes: the caller's
    token lookup and the endpoint's own queries."""

    def __init__(self, engine):
        from sqlalchemy import event

        self.statements: list | None = None
        event.listen(engine, "before_cursor_execute", self._record)

    def _record(self, conn, cursor, statement, parameters, context, executemany):
        if self.statements is not None:
            self.statements.append((statement, parameters))

    def run(self, call):
        self.statements = []
        call()
        captured, self.statements = self.statements, None
        return captured


class RawSQL:
    """The same statements on a plain DB-API connection."""

    def __init__(self, url: str):
        if url.startswith("sqlite"):
            import sqlite3

            self.conn = sqlite3.connect(url.removeprefix("sqlite:///"))
            for pragma in (
                "journal_mode=WAL",
                "foreign_keys=ON",
                "busy_timeout=30000",
                "synchronous=NORMAL",
            ):
                self.conn.execute(f"PRAGMA {pragma}")
        else:
            import psycopg

            self.conn = psycopg.connect(url.replace("postgresql+psycopg", "postgresql"))

    def run(self, statements) -> float:
        began = time.perf_counter()
        cursor = self.conn.cursor()
        for statement, parameters in statements:
            cursor.execute(statement, parameters)
            cursor.fetchall()
        cursor.close()
        self.conn.rollback()
        return (time.perf_counter() - began) * 1000


def timed(call) -> float:
    began = time.perf_counter()
    response = call()
    elapsed = (time.perf_counter() - began) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"HTTP {response.status_code}: {response.get_data(as_text=True)[:300]}")
    return elapsed


def interleaved(call, raw, statements, rounds: int) -> tuple[list[float], list[float]]:
    """Endpoint and raw SQL timed alternately, so both see the same machine load."""
    app_times, raw_times = [], []
    for _ in range(rounds):
        app_times.append(timed(call))
        raw_times.append(raw.run(statements))
    return app_times, raw_times


def framework_floor(app, rounds: int) -> dict:
    """What a request costs before any SQL: an empty Flask app's route (the framework alone)
    and this app's ``/healthz`` (its middleware and one ``SELECT 1``), through the same
    WSGI test client as the endpoints."""
    from flask import Flask

    bare = Flask("floor")
    bare.add_url_rule("/", "ok", lambda: {"ok": True})
    floor = {}
    for name, client, path in (
        ("empty", bare.test_client(), "/"),
        ("healthz", app.test_client(), "/healthz"),
    ):
        call = lambda c=client, p=path: c.get(p)  # noqa: E731
        for _ in range(10):
            timed(call)
        times = [timed(call) for _ in range(rounds * 5)]
        floor[name] = {"p50": pct(times, 50), "p95": pct(times, 95)}
    return floor


def web_process(url: str, rounds: int) -> dict:
    from sqlalchemy import func, select

    from jobsmgmt import create_app
    from jobsmgmt.extensions import db
    from jobsmgmt.models import Application, Job, utcnow
    from jobsmgmt.services import users

    app = create_app(RATELIMIT_ENABLED=False, WTF_CSRF_ENABLED=False)
    email, password = "bench@bench.local", "bench-password-123"
    with app.app_context():
        try:
            user = users.get_user_by_email(db.session, email)
        except Exception:  # noqa: BLE001
            db.session.rollback()
            user = users.create_user(db.session, email, "Bench Recruiter", "recruiter", password)
        token = users.create_token(db.session, user.id, "bench")[1]
        # analytics sample: the busiest jobs and some ordinary ones
        busy = db.session.scalars(
            select(Application.job_id)
            .group_by(Application.job_id)
            .order_by(func.count().desc())
            .limit(10)
        ).all()
        ordinary = db.session.scalars(
            select(Job.id).where(Job.deleted_at.is_(None)).order_by(Job.id).limit(20)
        ).all()
        today = utcnow().date()
        owner_id = db.session.scalar(select(Job.owner_id).limit(1))
        capture = Capture(db.engine)
    raw = RawSQL(url)
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    result: dict = {"dashboard": [], "analytics": {}, "page": {}}

    combos = [(name, dict(params)) for name, params in COMBOS]
    for _, params in combos:
        if params.get("owner") == "me":
            params["owner"] = owner_id  # "me" would be the bench user, who owns nothing
    for name, params in combos:
        call = lambda p=params: client.get(DASHBOARD, query_string=p, headers=headers)  # noqa: E731
        for _ in range(3):
            timed(call)
        with app.app_context():
            statements = capture.run(lambda c=call: timed(c))
        app_times, raw_times = interleaved(call, raw, statements, rounds)
        total = call().get_json()["pagination"]["total"]
        result["dashboard"].append(
            {
                "name": name,
                "total": total,
                "p50": pct(app_times, 50),
                "p95": pct(app_times, 95),
                "raw_p50": pct(raw_times, 50),
                "raw_p95": pct(raw_times, 95),
                "all": app_times,
                "raw_all": raw_times,
            }
        )

    result["floor"] = framework_floor(app, rounds)

    login = client.post("/login", data={"email": email, "password": password})
    if login.status_code not in (302, 303):
        raise RuntimeError(f"login failed: {login.status_code}")
    page_times = []
    for params in ({}, {"status": "open", "sort": "applications"}, {"search": "engineer"}):
        call = lambda p=params: client.get("/", query_string=p)  # noqa: E731
        for _ in range(3):
            timed(call)
        page_times += [timed(call) for _ in range(rounds)]
    result["page"] = {"p50": pct(page_times, 50), "p95": pct(page_times, 95)}

    span = {"date_from": (today - timedelta(days=89)).isoformat(), "date_to": today.isoformat()}
    app_times, raw_times = [], []
    for job_id in busy + ordinary:
        call = lambda j=job_id: client.get(  # noqa: E731
            f"/api/jobs-management/{j}/analytics", query_string=span, headers=headers
        )
        timed(call)
        with app.app_context():
            statements = capture.run(lambda c=call: timed(c))
        app_part, raw_part = interleaved(call, raw, statements, max(3, rounds // 5))
        app_times += app_part
        raw_times += raw_part
    result["analytics"] = {
        "jobs": len(busy) + len(ordinary),
        "p50": pct(app_times, 50),
        "p95": pct(app_times, 95),
        "raw_p50": pct(raw_times, 50),
        "raw_p95": pct(raw_times, 95),
    }
    status = Path("/proc/self/status").read_text()
    result["rss_peak_mb"] = int(re.search(r"VmHWM:\s+(\d+)", status).group(1)) / 1024
    result["rss_now_mb"] = int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024
    return result


def task_process(url: str, rounds: int) -> dict:
    """The daily task as a full rewrite: every counter row of the range is first put out of
    step (untimed), so the recompute has to write each one back, not just confirm it."""
    from sqlalchemy import update

    from jobsmgmt import create_app
    from jobsmgmt.extensions import db
    from jobsmgmt.models import JobAnalytics, utcnow
    from jobsmgmt.services import analytics

    app = create_app()
    today = utcnow().date()
    result = {}
    with app.app_context():
        for name, first in (("one", today - timedelta(days=1)), ("year", today - timedelta(364))):
            last = today - timedelta(days=1) if name == "one" else today
            db.session.execute(
                update(JobAnalytics)
                .where(JobAnalytics.date >= first, JobAnalytics.date <= last)
                .values(application_count=JobAnalytics.application_count + 1)
            )
            db.session.commit()
            began = time.perf_counter()
            result[f"{name}_rows"] = analytics.recompute_daily_analytics(db.session, first, last)
            result[f"{name}_ms"] = (time.perf_counter() - began) * 1000
    return result


# --- the table ------------------------------------------------------------------------------


def ok(value: float, bar: float) -> str:
    return "yes" if value <= bar else "NO"


def report(kind: str, seed_s, web: dict, task: dict, scale: dict | None) -> list[str]:
    lines = []
    add = lines.append
    all_app = [t for row in web["dashboard"] for t in row["all"]]
    all_raw = [t for row in web["dashboard"] for t in row["raw_all"]]
    worst_ratio = max(row["p95"] / row["raw_p95"] for row in web["dashboard"])
    add(f"\n### {kind}: 10k jobs / 500k applications / 365 days\n")
    add("| what | p50 ms | p95 ms | raw SQL p95 ms | ratio | bar | met |")
    add("|---|---:|---:|---:|---:|---|---|")
    if seed_s is not None:
        add(
            f"| seeding (cached run: first seed time) | | {seed_s * 1000:.0f} | | | ≤ 120 s"
            f"{' (SQLite)' if kind == 'sqlite' else ''} | "
            f"{ok(seed_s * 1000, BARS['seed']) if kind == 'sqlite' else '(n/a)'} |"
        )
    for row in web["dashboard"]:
        ratio = row["p95"] / row["raw_p95"]
        add(
            f"| dashboard JSON: {row['name']} ({row['total']} rows) | {row['p50']:.2f} | "
            f"{row['p95']:.2f} | {row['raw_p95']:.2f} | {ratio:.2f} | ≤ 40 ms; ≤ 2× | "
            f"{ok(row['p95'], BARS['dashboard'])}; {ok(ratio, BARS['ratio'])} |"
        )
    overall = pct(all_app, 95) / pct(all_raw, 95)
    add(
        f"| **dashboard JSON, all {len(web['dashboard'])} combinations** | {pct(all_app, 50):.2f} "
        f"| **{pct(all_app, 95):.2f}** | {pct(all_raw, 95):.2f} | {overall:.2f} "
        f"(worst {worst_ratio:.2f}) | p95 ≤ 40 ms; ≤ 2× raw | "
        f"{ok(pct(all_app, 95), BARS['dashboard'])}; {ok(worst_ratio, BARS['ratio'])} |"
    )
    cheapest = min(row["raw_p95"] for row in web["dashboard"])
    for name, label in (
        ("empty", "floor: an empty Flask app's route (no SQL, no auth)"),
        ("healthz", "floor: this app's /healthz (middleware + SELECT 1)"),
    ):
        floor = web["floor"][name]
        add(
            f"| {label} | {floor['p50']:.2f} | {floor['p95']:.2f} | {cheapest:.2f} "
            f"(cheapest combination) | {floor['p95'] / cheapest:.2f} | (reference) | |"
        )
    add(
        f"| dashboard HTML page | {web['page']['p50']:.2f} | {web['page']['p95']:.2f} | | | "
        f"≤ 60 ms | {ok(web['page']['p95'], BARS['page'])} |"
    )
    a = web["analytics"]
    add(
        f"| job analytics JSON, 90 days ({a['jobs']} jobs) | {a['p50']:.2f} | {a['p95']:.2f} | "
        f"{a['raw_p95']:.2f} | {a['p95'] / a['raw_p95']:.2f} | ≤ 25 ms | "
        f"{ok(a['p95'], BARS['analytics'])} |"
    )
    add(
        f"| daily analytics task, one day, all jobs ({task['one_rows']} rows rewritten) | | "
        f"{task['one_ms']:.0f} | | | ≤ 3 s | {ok(task['one_ms'], BARS['daily_one'])} |"
    )
    add(
        f"| daily analytics task, 365 days ({task['year_rows']} rows rewritten) | | "
        f"{task['year_ms']:.0f} "
        f"| | | ≤ 60 s | {ok(task['year_ms'], BARS['daily_365'])} |"
    )
    if scale:
        big = {row["name"]: row for row in scale["dashboard"]}
        groups = {
            "all combinations": lambda name: True,
            "without search": lambda name: "search" not in name,
            "search only": lambda name: "search" in name,
        }
        for label, keep in groups.items():
            small_p95 = pct([t for r in web["dashboard"] if keep(r["name"]) for t in r["all"]], 95)
            big_p95 = pct([t for n, r in big.items() if keep(n) for t in r["all"]], 95)
            add(
                f"| dashboard p95 at 100k jobs vs 10k, {label} | | {big_p95:.2f} vs "
                f"{small_p95:.2f} | | {big_p95 / small_p95:.2f}× | ≤ 1.5× | "
                f"{ok(big_p95 / small_p95, BARS['scale'])} |"
            )
    else:
        add("| dashboard p95 at 100k jobs vs 10k | | | | | ≤ 1.5× | (left out: --no-scale) |")
    add(
        f"| web process peak RSS (VmHWM) | | {web['rss_peak_mb']:.0f} MB | | | ≤ 200 MB | "
        f"{ok(web['rss_peak_mb'], BARS['rss'])} |"
    )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument(
        "--no-scale",
        dest="scale",
        action="store_false",
        help="leave out the 100k-jobs comparison (its first run seeds 100k jobs, ~2 min)",
    )
    parser.add_argument("--scale-applications", type=int, default=500_000)
    parser.add_argument("--reseed", action="store_true")
    parser.add_argument("--skip-bulk", action="store_true", help="leave out bench/bulk.py")
    parser.add_argument("--web", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--task", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.web:
        print(json.dumps(web_process(args.web, args.rounds)))
        return
    if args.task:
        print(json.dumps(task_process(args.task, args.rounds)))
        return
    lines = [
        "## jobsmgmt benchmark (QUALITY.md)",
        f"rounds per measurement: {args.rounds}; in-process WSGI requests; "
        "raw SQL = every statement each request ran (token lookup included), replayed on a plain "
        "DB-API connection",
    ]
    for kind in args.databases.split(","):
        if kind == "postgresql" and not pg_reachable():
            lines.append(f"\n### postgresql: not reachable at {PG_SERVER}, skipped")
            continue
        url, data_dir, seed_s = ensure_data(kind, BASE_SEED, args.reseed)
        print(f"[{kind}] measuring the web process …", flush=True)
        web = run_child("--web", url, data_dir, args.rounds)
        print(f"[{kind}] running the daily task …", flush=True)
        task = run_child("--task", url, data_dir, args.rounds)
        scale = None
        if args.scale:
            big = {**BASE_SEED, "jobs": 100_000, "applications": args.scale_applications}
            big_url, big_dir, _ = ensure_data(kind, big, args.reseed)
            print(f"[{kind}] measuring the 100k-jobs dashboard …", flush=True)
            big_web = run_child("--web", big_url, big_dir, args.rounds)
            scale = big_web
        lines += report(kind, seed_s, web, task, scale)
    if not args.skip_bulk:
        import bulk  # bench/bulk.py: the 50-job bulk status update, enqueue to completed

        print("[bulk] running bench/bulk.py …", flush=True)
        lines += ["\n### bulk status update of 50 jobs (bench/bulk.py)\n", bulk.table(bulk.run())]
        import postings  # bench/postings.py: bulk post_external to the three portals

        print("[postings] running bench/postings.py …", flush=True)
        lines += [
            "\n### bulk post_external of 50 jobs to three portals (bench/postings.py)\n",
            postings.table(postings.run()),
        ]
    print("\n".join(lines))


if __name__ == "__main__":
    main()
