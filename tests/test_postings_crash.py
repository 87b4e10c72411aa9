"""Never posted twice: kill -9 the process delivering a posting after the portal stored it and
before our commit (the sandbox holds its answer), then let the repair run. Exactly one posting
per job and portal at the sandbox, and our row records it.

Hosted: PostgreSQL + Redis + real ``jobsmgmt worker`` subprocesses, repaired by the periodic
``refresh_external_postings`` task. Desktop: SQLite + a real ``jobsmgmt serve`` subprocess
(in-process runner), repaired at its next start-up."""

from __future__ import annotations

import pytest

from jobsmgmt import queue
from jobsmgmt.database import write_intent
from jobsmgmt.extensions import db
from jobsmgmt.services import Actor, postings
from tests.bulk_support import free_port, kill9, start, stop, subprocess_env, wait_for
from tests.conftest import Factory, app_context, build_app
from tests.postings_support import (  # noqa: F401
    all_at_sandbox,
    fault,
    open_job,
    portal_variables,
    postings_of,
    sandbox,
)

PUBLIC_URL = "http://jobs.test"


def _env(app, sandbox, **extra):  # noqa: F811
    return subprocess_env(
        app, PUBLIC_URL=PUBLIC_URL, PORTAL_SANDBOX="0", **portal_variables(sandbox.url), **extra
    )


def _post(app, portal: str, *, deliver: bool = True) -> str:
    """Post a job to ``portal``; without ``deliver`` nothing is queued (as if the process that
    would run the delivery died first: only the row says what is to be done)."""
    from jobsmgmt.services.jobs import lock_job

    factory = Factory(app)
    job = open_job(factory)
    user = factory.user()
    with write_intent():
        postings.request_postings(
            db.session, lock_job(db.session, job.id), [portal], Actor(user.id), deliver=deliver
        )
        db.session.commit()
    db.session.rollback()
    return job.id


def _check_exactly_one(sandbox, job_id: str, portal: str) -> None:  # noqa: F811
    row = postings_of(job_id)[portal]
    assert row.status == "posted", (row.status, row.error_message)
    at_portal = all_at_sandbox(sandbox, portal, job_id)
    assert len(at_portal) == 1, at_portal
    assert at_portal[0]["creates"] == 1 and at_portal[0]["status"] == "live"
    assert at_portal[0]["id"] in row.external_job_id


@pytest.mark.parametrize("portal", ["linkedin", "indeed", "naukri"])
def test_kill_9_rq_worker_mid_delivery_then_repair(pg_url, redis_url, sandbox, tmp_path, portal):  # noqa: F811
    app = build_app(
        pg_url, redis_url=redis_url, PORTALS=portal_variables(sandbox.url), PUBLIC_URL=PUBLIC_URL
    )
    with app_context(app):
        fault(sandbox, portal, "hold", seconds=60)
        job_id = _post(app, portal)  # the delivery task is on the real Redis queue
        log = tmp_path / "workers.log"
        first = start(["worker"], _env(app, sandbox), log)
        try:
            wait_for(
                lambda: all_at_sandbox(sandbox, portal, job_id), 60, "the portal to store it", log
            )
        finally:
            kill9(first)
        assert postings_of(job_id)[portal].status == "pending"  # our commit never happened

        second = start(["worker"], _env(app, sandbox), log)
        try:
            queue.enqueue(postings.refresh_external_postings, "0")  # the periodic repair
            wait_for(lambda: postings_of(job_id)[portal].status == "posted", 60, "the repair", log)
        finally:
            stop(second)
        _check_exactly_one(sandbox, job_id, portal)


def test_kill_9_desktop_server_mid_delivery_repairs_at_start_up(sqlite_url, sandbox, tmp_path):  # noqa: F811
    app = build_app(sqlite_url, PORTALS=portal_variables(sandbox.url), PUBLIC_URL=PUBLIC_URL)
    with app_context(app):
        # Requested, never run: the first server delivers it at start-up.
        fault(sandbox, "linkedin", "hold", seconds=60)
        job_id = _post(app, "linkedin", deliver=False)
        log = tmp_path / "serve.log"
        env = _env(app, sandbox, JOBSMGMT_DATA_DIR=tmp_path / "data")
        first = start(["serve", "--no-browser", "--port", str(free_port())], env, log)
        try:
            wait_for(lambda: all_at_sandbox(sandbox, "linkedin", job_id), 90, "the portal", log)
        finally:
            kill9(first)
        assert postings_of(job_id)["linkedin"].status == "pending"
        second = start(["serve", "--no-browser", "--port", str(free_port())], env, log)
        try:
            wait_for(
                lambda: postings_of(job_id)["linkedin"].status == "posted", 90, "the repair", log
            )
        finally:
            stop(second)
        _check_exactly_one(sandbox, job_id, "linkedin")
