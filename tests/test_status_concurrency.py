"""20 concurrent status changes on one job, on SQLite and PostgreSQL, each request in its own
thread with its own app context and session: the changes are serialised, so the history is one
unbroken chain, no request fails and SQLite never reports "database is locked"."""

from __future__ import annotations

import threading
import traceback

from sqlalchemy import select

from jobsmgmt.extensions import db
from jobsmgmt.models import Job, JobAuditLog, JobStatusHistory
from jobsmgmt.services import audit

WORKERS = 20


def test_concurrent_changes_are_serialised(app, factory):
    job_id = factory.job().id
    headers = factory.headers("recruiter")
    opened = app.test_client().put(
        f"/api/jobs-management/{job_id}/status", json={"status": "open"}, headers=headers
    )
    assert opened.status_code == 200
    db.session.rollback()  # hold no transaction while the threads write

    barrier = threading.Barrier(WORKERS)
    results: list[tuple[int, dict | None, str]] = []
    lock = threading.Lock()

    def change(index: int) -> None:
        target = "on_hold" if index % 2 == 0 else "open"
        client = app.test_client()
        barrier.wait()
        try:
            with app.app_context():  # this thread's own app context, so its own session
                response = client.put(
                    f"/api/jobs-management/{job_id}/status",
                    json={"status": target, "reason": f"worker {index}"},
                    headers=headers,
                )
            outcome = (response.status_code, response.json, response.get_data(as_text=True))
        except Exception:  # noqa: BLE001 - recorded and asserted below
            outcome = (-1, None, traceback.format_exc())
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=change, args=(i,)) for i in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)

    assert len(results) == WORKERS
    for status_code, _body, text in results:
        assert "database is locked" not in text
        assert status_code == 200, text
    changed = sum(1 for _, body, _ in results if body["changed"])
    assert changed >= 1

    db.session.rollback()
    history = db.session.scalars(
        select(JobStatusHistory)
        .where(JobStatusHistory.job_id == job_id)
        .order_by(JobStatusHistory.changed_at, JobStatusHistory.id)
    ).all()
    assert len(history) == changed + 1  # plus the first draft -> open
    assert history[0].from_status == "draft"
    for previous, current in zip(history, history[1:], strict=False):
        assert current.from_status == previous.to_status, [
            (h.from_status, h.to_status) for h in history
        ]
        assert current.changed_at >= previous.changed_at
    final = db.session.get(Job, job_id)
    assert final.status == history[-1].to_status

    entries = db.session.scalars(
        select(JobAuditLog).where(JobAuditLog.job_id == job_id).order_by(JobAuditLog.seq)
    ).all()
    assert [e.seq for e in entries] == list(range(1, len(history) + 2))  # create + each change
    assert final.audit_seq == len(entries)
    assert audit.verify(db.session, job_id).valid
