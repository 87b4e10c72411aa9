"""Every Procfile process, together, as a Heroku-style host runs them (heavy: ``make test-heavy``).

A fresh virtualenv is built from the lock alone, as the buildpack does (no Makefile). Then
``honcho`` (the Python Foreman) runs the Procfile on a fresh PostgreSQL database, given as
Heroku's ``postgres://`` URL, and a Redis: ``release`` first, then ``web`` on ``$PORT``,
``worker`` and ``scheduler``. The one-off commands are the README's (``heroku run …``).

- SIGTERM to every process in the middle of a slowed 50-job bulk operation: each exits by
  itself (rc 0, nothing SIGKILLed) well within a host's 30 s grace, the operation is left half
  done, and after a restart it finishes with one result and one change per job, the audit chain
  verifying.
- Scale-out: two of each process on the same PostgreSQL and Redis: a session made on one web
  process works on the other, a bulk operation run by both workers at once applies each job
  once, and two schedulers (plus a restarted third) run each periodic task once per period.
"""

from __future__ import annotations

import secrets
import time
from collections import Counter

import pytest
from redis import Redis
from rq.job import Job as RQJob
from rq.results import Result
from rq_scheduler import Scheduler

from jobsmgmt.config import normalise_database_url
from jobsmgmt.schedule import SCHEDULE
from tests.bulk_support import assert_nothing_lost_or_doubled, operation
from tests.conftest import app_context, build_app
from tests.deploy.procfile_support import (
    Browser,
    Honcho,
    alive,
    build_slug,
    free_port_pair,
    fresh_database,
    honcho_run,
    wait_until,
)
from workers.scheduler import registration_id

pytestmark = [pytest.mark.heavy, pytest.mark.slow, pytest.mark.postgres, pytest.mark.redis]

ADMIN = "admin@example.com"
PASSWORD = "a-long-deploy-password"
QUEUE = "jobsmgmt"  # RQ_QUEUE's default: the platform sets nothing but the add-ons' URLs
GRACE_SECONDS = 30  # Heroku's: SIGTERM, then SIGKILL 30 s later
DELAY_MS = 750  # per bulk job: 50 jobs take ~37 s, more than the grace period
GRACEFUL = {  # what each process says when it shuts down by itself on SIGTERM
    "web": "Shutting down: Master",
    "worker": "warm shut down requested",
    "scheduler": "Shutting down RQ scheduler",
}


@pytest.fixture(scope="module")
def slug(tmp_path_factory):
    started = time.monotonic()
    built = build_slug(tmp_path_factory.mktemp("slug"))
    print(f"slug built from the lock in {time.monotonic() - started:.1f} s")
    return built


@pytest.fixture
def platform(slug, redis_url, tmp_path):
    """The app's config vars on a fresh database: what the add-ons and app.json set."""
    with fresh_database() as database_url:
        port = free_port_pair()
        keys = {"SECRET_KEY": secrets.token_hex(32), "AUDIT_KEY": secrets.token_hex(32)}
        env = slug.env(
            DATABASE_URL=database_url,
            REDIS_URL=redis_url,
            PORT=port,
            WEB_CONCURRENCY=1,
            TRUSTED_PROXY_HOPS=1,  # Heroku's router is one hop (read once the hardening lands)
            **keys,
        )
        running: list[Honcho] = []
        try:
            yield {"env": env, "port": port, "keys": keys, "running": running, "log": tmp_path}
        finally:
            for honcho in running:
                honcho.kill()


def _release_and_admin(slug, platform) -> str:
    """The release phase, then the README's first-admin and API-token steps. Returns a token."""
    env = platform["env"]
    release = Honcho(slug, env, platform["log"] / "release.log", "release")
    platform["running"].append(release)
    assert release.wait(180) == 0, release.output()[-4000:]
    assert "release.1 stopped (rc=0)" in release.output()
    created = honcho_run(
        slug,
        env,
        *("jobsmgmt", "users", "create", ADMIN, "--name", "Deploy Admin", "--role", "admin"),
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert created.returncode == 0, created.stdout + created.stderr
    token = honcho_run(slug, env, "jobsmgmt", "users", "token", ADMIN)
    assert token.returncode == 0, token.stdout + token.stderr
    return token.stdout.strip().splitlines()[-1]


def _start(slug, platform, name: str, *args: str) -> Honcho:
    honcho = Honcho(slug, platform["env"], platform["log"] / f"{name}.log", *args)
    platform["running"].append(honcho)
    return honcho


def _healthy(port: int):
    return Browser().request("GET", port, "/healthz").status_code == 200


def _create_jobs(port: int, token: str, count: int) -> list[str]:
    api = Browser()
    ids = []
    for i in range(count):
        response = api.request(
            "POST",
            port,
            "/api/jobs",
            json={"title": f"Deploy check {i}", "department": "Platform"},
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 201, response.text[:500]
        ids.append(response.json()["job"]["id"])
    return ids


def _bulk_open(browser: Browser, port: int, csrf: str, job_ids: list[str]) -> str:
    """The bulk status change through the JSON API with the browser's session (and CSRF)."""
    response = browser.request(
        "POST",
        port,
        "/api/jobs-management/bulk-update",
        json={
            "job_ids": job_ids,
            "operation": "status_update",
            "parameters": {"status": "open"},
            "dry_run": False,
        },
        headers={"X-CSRFToken": csrf},
    )
    assert response.status_code == 202, response.text[:500]
    return response.json()["operation_id"]


def _progress(browser: Browser, port: int, op_id: str) -> dict:
    response = browser.request("GET", port, f"/api/jobs-management/bulk-operations/{op_id}")
    assert response.status_code == 200, response.text[:300]
    return response.json()


def _registrations(connection: Redis) -> list[str]:
    return sorted(i.decode() for i in connection.zrange(Scheduler.scheduled_jobs_key, 0, -1))


def _expected_registrations() -> list[str]:
    return sorted(registration_id(QUEUE, task.name) for task in SCHEDULE)


def _runs(connection: Redis) -> dict[str, int]:
    """How many times each periodic task has run (RQ keeps one result per execution)."""
    counts = {}
    for job_id in _expected_registrations():
        job = RQJob.fetch(job_id, connection=connection)
        counts[job_id] = Result.count(job)
    return counts


def _run_details(connection: Redis) -> dict[str, list[str]]:
    """Each periodic task's stored results (type, worker, time, error): what a count means."""
    details = {}
    for job_id in _expected_registrations():
        job = RQJob.fetch(job_id, connection=connection)
        details[job_id] = [
            f"{r.type.name} by {r.worker_name or '?'} at {r.created_at:%H:%M:%S.%f}"
            + (f": {r.exc_string.strip().splitlines()[-1]}" if r.exc_string else "")
            for r in Result.all(job)
        ]
    return details


def _test_side_app(platform, database_url: str):
    """The test's own view of the platform's database (same keys, so the chain verifies)."""
    keys = platform["keys"]
    return build_app(
        normalise_database_url(database_url),
        SECRET_KEY=keys["SECRET_KEY"],
        AUDIT_KEY=keys["AUDIT_KEY"],
    )


def _verify(slug, platform, database_url: str, op_id: str, job_ids: list[str]) -> None:
    """One result and one change per job, history and audit agreeing, the chain verifying
    (read directly), and ``jobsmgmt audit verify`` from the slug saying so too."""
    with app_context(_test_side_app(platform, database_url)):
        assert_nothing_lost_or_doubled(op_id, job_ids, "open")
    verified = honcho_run(slug, platform["env"], "jobsmgmt", "audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr


def _stop_all(honcho: Honcho) -> float:
    """SIGTERM every process; each must exit by itself within the grace period (nothing
    SIGKILLed, each kind saying it shut down). Returns how long the slowest took."""
    names = set(honcho.started())
    sent = time.monotonic()
    pids = honcho.sigterm_everything()
    deadline = sent + GRACE_SECONDS
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    took = time.monotonic() - sent
    left = [pid for pid in pids if alive(pid)]
    honcho.wait(10)
    output = honcho.output()
    assert not left, f"{left} still running {GRACE_SECONDS} s after SIGTERM\n{output[-6000:]}"
    assert "SIGKILL" not in output, output[-6000:]
    # honcho runs each command through `sh -c`: the shell dies of the SIGTERM (rc -15), the
    # process it started shuts down by itself, as its own lines say.
    stopped = honcho.stopped()
    assert set(stopped) == names and set(stopped.values()) <= {0, -15}, stopped
    for name in names:
        kind = name.split(".")[0]
        lines = "\n".join(line for line in output.splitlines() if f" {name} " in line)
        assert GRACEFUL[kind] in lines, (name, lines[-3000:])
    return took


def test_procfile_from_the_lock_sigterm_mid_operation_then_restart(slug, platform):
    env, port = platform["env"], platform["port"]
    database_url = env["DATABASE_URL"]
    assert database_url.startswith("postgres://")
    token = _release_and_admin(slug, {**platform})
    env["BULK_JOB_DELAY_MS"] = str(DELAY_MS)
    honcho = _start(slug, platform, "first", "web", "worker", "scheduler")
    wait_until(lambda: _healthy(port), 90, "web to answer /healthz", honcho)
    assert set(honcho.started()) == {"web.1", "worker.1", "scheduler.1"}

    browser = Browser()
    browser.login(port, ADMIN, PASSWORD)
    dashboard = browser.request("GET", port, "/")
    assert dashboard.status_code == 200 and "Deploy Admin" in dashboard.text

    connection = Redis.from_url(env["REDIS_URL"])
    wait_until(
        lambda: _registrations(connection) == _expected_registrations(),
        60,
        "the scheduler's registrations",
        honcho,
    )

    job_ids = _create_jobs(port, token, 53)
    csrf = browser.csrf(port, "/")
    small = _bulk_open(browser, port, csrf, job_ids[:3])
    wait_until(
        lambda: _progress(browser, port, small)["status"] == "completed", 60, "a bulk run", honcho
    )
    assert [r["outcome"] for r in _progress(browser, port, small)["results"]] == ["changed"] * 3

    big_ids = job_ids[3:]
    big = _bulk_open(browser, port, csrf, big_ids)
    wait_until(lambda: len(_progress(browser, port, big)["results"]) >= 5, 60, "progress", honcho)
    took = _stop_all(honcho)
    print(f"all processes exited {took:.1f} s after SIGTERM")
    assert took < GRACE_SECONDS

    with app_context(_test_side_app(platform, database_url)):
        half = operation(big)
        done_at_stop = len(half.results)
        assert half.status == "processing" and 5 <= done_at_stop < len(big_ids), done_at_stop
    # The worker handed the rest back to the queue before exiting.
    assert connection.llen(f"rq:queue:{QUEUE}") >= 1
    print(f"stopped with {done_at_stop} of {len(big_ids)} jobs done")

    env.pop("BULK_JOB_DELAY_MS")
    again = _start(slug, platform, "second", "web", "worker", "scheduler")
    wait_until(lambda: _healthy(port), 90, "web after the restart", again)
    wait_until(
        lambda: _progress(browser, port, big)["status"] == "completed",
        120,
        "the operation to finish after the restart",
        again,
    )
    _verify(slug, platform, database_url, big, big_ids)
    _stop_all(again)


def test_scale_out_two_of_each_process(slug, platform):
    env, port = platform["env"], platform["port"]
    database_url = env["DATABASE_URL"]
    token = _release_and_admin(slug, platform)
    env["BULK_JOB_DELAY_MS"] = "300"  # 40 jobs: ~12 s, so the duplicate meets a busy worker
    honcho = _start(
        slug, platform, "scaled", "-c", "web=2,worker=2,scheduler=2", "web", "worker", "scheduler"
    )
    web1, web2 = port, port + 1
    for web in (web1, web2):
        wait_until(lambda web=web: _healthy(web), 90, f"web on {web}", honcho)
    assert set(honcho.started()) == {
        f"{name}.{i}" for name in ("web", "worker", "scheduler") for i in (1, 2)
    }

    # Two schedulers: one registration per task, each task run once. (First, while every
    # task's own period, 2 minutes or more, is still far.)
    connection = Redis.from_url(env["REDIS_URL"])
    expected = _expected_registrations()
    wait_until(lambda: _registrations(connection) == expected, 60, "registrations", honcho)
    wait_until(
        lambda: min(_runs(connection).values()) >= 1, 90, "each periodic task's first run", honcho
    )
    assert set(_runs(connection).values()) == {1}, _run_details(connection)
    # A scheduler restarting (hosts cycle processes daily) re-registers: nothing runs again.
    restarted = honcho_run(slug, env, "jobsmgmt", "scheduler", "--burst")
    assert restarted.returncode == 0, restarted.stdout + restarted.stderr
    time.sleep(22)  # two polls of each scheduler (10 s) and the workers' pick-up
    assert set(_runs(connection).values()) == {1}, _run_details(connection)
    assert _registrations(connection) == expected

    # A period passes (the next runs made due now): each task runs once more, not twice.
    now = time.time()
    connection.zadd(Scheduler.scheduled_jobs_key, dict.fromkeys(expected, now - 1))
    wait_until(lambda: min(_runs(connection).values()) >= 2, 60, "the second runs", honcho)
    time.sleep(22)
    assert set(_runs(connection).values()) == {2}, _run_details(connection)
    next_runs = Counter(
        round(score - now) // 60
        for _, score in connection.zrange(Scheduler.scheduled_jobs_key, 0, -1, withscores=True)
    )
    assert sum(next_runs.values()) == len(expected) and min(next_runs) >= 1  # a period ahead

    # A session made on one web process is valid on the other (and its CSRF token too).
    browser = Browser()
    browser.login(web1, ADMIN, PASSWORD)
    other = browser.request("GET", web2, "/")
    assert other.status_code == 200 and "Deploy Admin" in other.text
    csrf = browser.csrf(web1, "/")

    job_ids = _create_jobs(web1, token, 40)
    op_id = _bulk_open(browser, web2, csrf, job_ids)
    # A second delivery of the same run, as a resume racing the first would: both workers now
    # work on the one operation at once.
    duplicate = honcho_run(
        slug, env, "jobsmgmt", "tasks", "run", "run_bulk_operation", op_id, "--enqueue"
    )
    assert duplicate.returncode == 0, duplicate.stdout + duplicate.stderr
    wait_until(
        lambda: _progress(browser, web1, op_id)["status"] == "completed",
        120,
        "the operation on two workers",
        honcho,
    )
    output = honcho.output()
    runners = {
        line.split("|")[0].split()[-1]
        for line in output.splitlines()
        if "bulk.run_bulk_operation(" in line and "worker." in line
    }
    assert runners == {"worker.1", "worker.2"}, output[-4000:]
    _verify(slug, platform, database_url, op_id, job_ids)

    _stop_all(honcho)
