"""A worker asked to stop (SIGTERM) ends a bulk operation between two jobs and queues the rest
again; the next run finishes it with each job done once. (The real processes and signals are in
test_procfile.py; this is the same path in-process, on PostgreSQL and a real Redis queue.)"""

from __future__ import annotations

import pytest
from rq import Queue

from jobsmgmt import queue, tasks
from jobsmgmt.database import write_intent
from jobsmgmt.extensions import db
from jobsmgmt.services import Actor, bulk
from tests.bulk_support import assert_nothing_lost_or_doubled, operation
from tests.conftest import app_context, build_app
from tests.factories import Factory


@pytest.fixture
def hosted_app(pg_url, redis_url):
    with app_context(build_app(pg_url, redis_url=redis_url)) as app:
        yield app


def test_stop_between_jobs_then_the_requeued_run_finishes(hosted_app):
    factory = Factory(hosted_app)
    owner = factory.user("recruiter")
    ids = [factory.job(status="open", owner=owner, title=f"Job {i}").id for i in range(6)]
    with write_intent():
        op_id = bulk.start_operation(
            db.session, "status_update", {"status": "closed"}, ids, Actor(owner.id)
        ).id
    rq = Queue(hosted_app.config["RQ_QUEUE"], connection=queue.redis_connection(hosted_app))
    rq.empty()  # the message start_operation queued: this test plays the worker itself

    asked = iter([False, False, True])  # stop is requested while the third job would start
    with write_intent():
        status = bulk.run_operation(db.session, op_id, should_stop=lambda: next(asked))
    assert status == "processing"
    assert [r["job_id"] for r in operation(op_id).results] == ids[:2]

    tasks.request_stop()  # what SIGTERM does in a work horse
    try:
        with write_intent():
            assert bulk.run_bulk_operation(op_id) == "processing"
    finally:
        tasks._stop.clear()
    assert len(operation(op_id).results) == 2  # nothing more done once stopping
    queued = rq.jobs
    assert [(j.func_name, j.args) for j in queued] == [
        ("jobsmgmt.services.bulk.run_bulk_operation", (op_id,))
    ]

    with write_intent():
        assert bulk.run_bulk_operation(op_id) == "completed"
    assert len(rq.jobs) == 1  # a finished run queues nothing more
    assert_nothing_lost_or_doubled(op_id, ids, "closed")
