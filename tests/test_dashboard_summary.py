"""The summary counts kept by the ``jobs`` triggers (migration 0005) always equal a count of the
live jobs by status: after inserts, status changes, soft deletes, undeletes and deletes, through
the ORM and raw SQL, on both databases, and under concurrent opposite moves on PostgreSQL."""

from __future__ import annotations

import threading

from sqlalchemy import create_engine, func, select, text

from jobsmgmt.extensions import db
from jobsmgmt.models import STATUSES, Job, utcnow
from jobsmgmt.services import dashboard


def counted() -> dict:
    rows = dict(
        db.session.execute(
            select(Job.status, func.count()).where(Job.deleted_at.is_(None)).group_by(Job.status)
        ).all()
    )
    result = {"total_jobs": sum(rows.values())}
    result.update({status: rows.get(status, 0) for status in STATUSES})
    return result


def check() -> dict:
    db.session.commit()
    kept = dashboard.summary(db.session)
    assert kept == counted()
    return kept


def test_counts_follow_every_change(app, factory):
    owner = factory.user("recruiter")
    assert check()["total_jobs"] == 0
    made = [factory.job(owner=owner, title=f"Job {i}") for i in range(3)]
    assert check()["draft"] == 3
    for status in STATUSES:
        db.session.add(Job(title=status, owner_id=owner.id, status=status))
    assert check() == {
        "total_jobs": 8,
        "draft": 4,
        "open": 1,
        "on_hold": 1,
        "closed": 1,
        "archived": 1,
    }
    first = db.session.get(Job, made[0].id)
    first.status = "open"
    check()
    first.status = "on_hold"
    first.title = "renamed"  # other columns do not move counts
    check()
    first.deleted_at = utcnow()
    assert check()["on_hold"] == 1
    first.status = "closed"  # a deleted job's status change counts nowhere
    assert check()["closed"] == 1
    first.deleted_at = None  # undelete
    assert check()["closed"] == 2
    plain = db.session.scalar(select(Job).where(Job.title == "draft"))  # no audit rows
    db.session.delete(plain)
    assert check()["draft"] == 2
    db.session.execute(text("UPDATE jobs SET status = 'archived' WHERE status = 'draft'"))
    assert check()["archived"] == 3
    db.session.execute(text("UPDATE jobs SET deleted_at = created_at WHERE status = 'archived'"))
    kept = check()
    assert kept["archived"] == 0 and kept["total_jobs"] == 4


def test_concurrent_opposite_moves_on_postgresql(pg_app, factory):
    owner = factory.user("recruiter")
    ids = []
    for i, status in enumerate(["open", "closed"] * 3):
        job = Job(title=f"J{i}", owner_id=owner.id, status=status)
        db.session.add(job)
        db.session.flush()
        ids.append(job.id)
    db.session.commit()
    engine = create_engine(db.engine.url)
    errors = []

    def flip(job_id: str, first: str, second: str) -> None:
        try:
            for n in range(25):
                with engine.begin() as connection:
                    connection.execute(
                        text("UPDATE jobs SET status = :s WHERE id = :id"),
                        {"s": second if n % 2 == 0 else first, "id": job_id},
                    )
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    threads = [
        threading.Thread(
            target=flip, args=(job_id, *(("open", "closed") if i % 2 == 0 else ("closed", "open")))
        )
        for i, job_id in enumerate(ids)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    engine.dispose()
    assert errors == []
    db.session.rollback()
    assert check() == counted()
