"""The summary counts kept by the ``jobs`` triggers (migration 0005) always equal a count of the
live jobs by status: after inserts, status changes, soft deletes, undeletes and deletes, through
the ORM and raw SQL, on both databases, and under concurrent opposite moves on PostgreSQL; and
the same for the dashboard's facet and owner counts (migrations 0006, 0012) and its search index
(SQLite: FTS5 trigram, 0007; PostgreSQL: lower-cased rows under pg_trgm, 0012)."""

from __future__ import annotations

import threading

from sqlalchemy import create_engine, func, select, text

from jobsmgmt.extensions import db
from jobsmgmt.models import STATUSES, Job, utcnow
from jobsmgmt.models.jobs import JobFacetCount, JobOwnerCount
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


def add_jobs(jobs) -> list[str]:
    """Commit these job rows; their ids, in order."""
    jobs = list(jobs)
    db.session.add_all(jobs)
    db.session.commit()
    return [job.id for job in jobs]


def flip_concurrently(job_ids: list[str], statement: str, values) -> list:
    """Each job in its own thread, 25 single-statement transactions apiece, with
    ``values(i, n)`` the parameters of job ``i``'s ``n``-th run. Returns the errors seen."""
    engine = create_engine(db.engine.url)
    errors = []

    def flip(i: int, job_id: str) -> None:
        try:
            for n in range(25):
                with engine.begin() as connection:
                    connection.execute(text(statement), {**values(i, n), "id": job_id})
        except Exception as error:  # noqa: BLE001
            errors.append(error)

    threads = [threading.Thread(target=flip, args=pair) for pair in enumerate(job_ids)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    engine.dispose()
    db.session.rollback()
    return errors


def test_concurrent_opposite_moves_on_postgresql(pg_app, factory):
    owner = factory.user("recruiter")
    ids = add_jobs(
        Job(title=f"J{i}", owner_id=owner.id, status=status)
        for i, status in enumerate(["open", "closed"] * 3)
    )
    moves = ("closed", "open")
    errors = flip_concurrently(
        ids,
        "UPDATE jobs SET status = :s WHERE id = :id",
        lambda i, n: {"s": moves[(i + n) % 2]},
    )
    assert errors == []
    assert check() == counted()


# --- the dashboard's facet counts, owner counts and search values (migration 0006) -------


def grouped(*columns) -> dict:
    query = select(*columns, func.count()).where(Job.deleted_at.is_(None)).group_by(*columns)
    return {tuple(row[:-1]): row[-1] for row in db.session.execute(query)}


def kept(model, *key) -> dict:
    rows = db.session.execute(select(*key, model.job_count).where(model.job_count != 0))
    return {tuple(row[:-1]): row[-1] for row in rows}


def check_search_counts() -> None:
    db.session.commit()
    assert kept(
        JobFacetCount, JobFacetCount.department, JobFacetCount.location, JobFacetCount.status
    ) == grouped(Job.department, Job.location, Job.status)
    assert kept(
        JobOwnerCount, JobOwnerCount.owner_id, JobOwnerCount.department, JobOwnerCount.status
    ) == grouped(Job.owner_id, Job.department, Job.status)
    check_search_index()
    negative = db.session.scalar(
        select(func.count()).select_from(JobFacetCount).where(JobFacetCount.job_count < 0)
    )
    assert negative == 0


def check_search_index() -> None:
    """Every trigram search finds exactly the live jobs whose title, department or location
    contains the term (SQLite: the FTS index holds the live jobs and nothing else)."""
    live = db.session.execute(
        select(Job.id, Job.title, Job.department, Job.location).where(Job.deleted_at.is_(None))
    ).all()
    terms = {"zzz", "JOB", "b 0", "erl"}
    terms |= {value[i : i + 4] for row in live for value in row[1:] for i in (0, 2)}
    sqlite = db.engine.dialect.name == "sqlite"
    for term in sorted(t for t in terms if len(t) >= dashboard.TRIGRAM_MIN):
        want = {r.id for r in live if any(term.lower() in v.lower() for v in r[1:])}
        query = select(Job.id).where(dashboard.search_clause(db.session, term))
        assert set(db.session.scalars(query)) == want, term
    if sqlite:
        indexed = db.session.scalar(text("SELECT count(*) FROM job_search_docsize"))
        assert indexed == len(live)
    else:  # one row per live job: its three fields, lower-cased, joined by the separator
        indexed = dict(db.session.execute(text("SELECT job_id, body FROM job_search")).all())
        sep = dashboard.SEPARATOR
        assert indexed == {r.id: sep.join(v.lower() for v in r[1:]) for r in live}


def test_search_counts_follow_every_change(app, factory):
    owner = factory.user("recruiter")
    other = factory.user("recruiter")
    check_search_counts()
    made = [factory.job(owner=owner, title=f"Job {i % 2}", location="Berlin") for i in range(4)]
    db.session.add(Job(title="Job 0", department="Data", location="Lisbon", owner_id=other.id))
    check_search_counts()
    job = db.session.get(Job, made[0].id)
    job.title = "Renamed"
    check_search_counts()
    job.department, job.location = "Sales", "Madrid"
    check_search_counts()
    job.status = "open"
    check_search_counts()
    job.owner_id = other.id
    check_search_counts()
    job.deleted_at = utcnow()
    check_search_counts()
    job.title = "Renamed while deleted"  # counts nowhere
    check_search_counts()
    job.deleted_at = None
    check_search_counts()
    db.session.execute(text("UPDATE jobs SET title = 'Job 1', status = 'closed'"))
    check_search_counts()
    db.session.execute(text("UPDATE jobs SET deleted_at = created_at WHERE location = 'Berlin'"))
    check_search_counts()
    plain = db.session.scalar(select(Job).where(Job.location == "Lisbon"))  # no audit rows
    db.session.delete(plain)
    check_search_counts()
    # a deleted job's values no longer match a search
    assert dashboard.dashboard(db.session, dashboard.DashboardFilters(search="lisbon")).total == 0


def test_concurrent_opposite_renames_on_postgresql(pg_app):
    """Jobs renamed X→Y while others go Y→X (and move between statuses) lock the shared
    counter rows in one order: no deadlock, and the counts stay exact."""
    from jobsmgmt.services import users

    assert db.engine.dialect.name == "postgresql"
    owner = users.create_user(
        db.session, "renames@example.com", "Renames", "recruiter", "pw-123456789"
    )
    ids = add_jobs(
        Job(title="Alpha" if i % 2 else "Beta", owner_id=owner.id, status="open") for i in range(6)
    )
    names = ("Alpha", "Beta")
    errors = flip_concurrently(
        ids,
        "UPDATE jobs SET title = :t, status = :s WHERE id = :id",
        lambda i, n: {"t": names[(i + n) % 2], "s": ("open", "closed")[n % 2]},
    )
    assert errors == []
    check_search_counts()
