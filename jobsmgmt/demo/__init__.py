"""The demo agency: its people (created on the first run of the desktop edition) and a seeded,
deterministic history of jobs, candidates, applications, views and audit chains.

``seed_history`` writes with bulk inserts straight through the DB-API (executemany in chunks):
10,000 jobs and 500,000 applications in about a minute on SQLite. What it writes is what the live
paths would have written: status histories that obey the transition table, stage events
with their ``reached_*_at`` columns, ``job_analytics`` daily rows that equal the live counters,
and per-job audit chains that verify.
"""

from __future__ import annotations

import random
import secrets
import time
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import database
from ..models import User, utcnow
from ..services import users
from ..services.daily_counts import COUNTERS
from ..services.errors import ValidationFailed
from .history import (
    DAY,
    STATUS_WEIGHTS,
    CandidatePool,
    HistorySeeder,
    SeedReport,
    weighted,
    write_job,
)

DEMO_ADMIN = "admin@demo.local"
DEMO_PEOPLE = (
    ("recruiter@demo.local", "Riya Recruiter", "recruiter"),
    ("sam@demo.local", "Sam Sourcer", "recruiter"),
    ("viewer@demo.local", "Victor Viewer", "viewer"),
)
FIRST_RUN = {"jobs": 40, "applications": 600, "days": 90, "seed": 2026}


def ensure_demo_agency(session: Session, *, seed: bool = True) -> tuple[str, str] | None:
    """On an empty database, create the demo admin and team (all with one generated password,
    stored hashed only) and, with ``seed``, a small history of jobs. Returns the demo login the
    one time it is created (to be shown once), else None."""
    has_people = session.scalar(
        select(func.count()).select_from(User).where(User.is_system.is_(False))
    )
    if not has_people:
        password = secrets.token_urlsafe(9)
        users.create_user(session, DEMO_ADMIN, "Ada Admin", "admin", password)
        for email, name, role in DEMO_PEOPLE:
            users.create_user(session, email, name, role, password)
        if seed:
            seed_history(session, **FIRST_RUN)
        return DEMO_ADMIN, password
    return None


def _owners(session: Session) -> list[str]:
    rows = session.scalars(
        select(User.id)
        .where(User.is_system.is_(False), User.is_active.is_(True), User.role != "viewer")
        .order_by(User.email)
    ).all()
    if not rows:
        raise ValidationFailed("The demo seed needs at least one active admin or recruiter.")
    return list(rows)


def _spread(total: int, weights: list[float]) -> list[int]:
    """``total`` split in proportion to ``weights`` (largest remainders), summing exactly."""
    whole = sum(weights)
    if not whole:
        return [0] * len(weights)
    raw = [total * w / whole for w in weights]
    counts = [int(r) for r in raw]
    by_remainder = sorted(
        (i for i in range(len(raw)) if weights[i] > 0), key=lambda i: (counts[i] - raw[i], i)
    )
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def seed_history(
    session: Session,
    jobs: int = 40,
    applications: int = 600,
    days: int = 90,
    seed: int = 1,
    today: date | None = None,
) -> SeedReport:
    """Add ``jobs`` jobs and ``applications`` applications spread over the ``days`` before
    ``today`` (UTC), the same for the same ``seed``. One transaction."""
    if jobs < 1 or applications < 0 or days < 1:
        raise ValidationFailed("Seed at least one job over at least one day.")
    began = time.perf_counter()
    owners = _owners(session)
    rng = random.Random(seed)
    seeder = HistorySeeder(session, rng, days, today or utcnow().date())
    statuses = [weighted(rng, STATUS_WEIGHTS) for _ in range(jobs)]
    if applications and not any(s in ("open", "on_hold", "closed") for s in statuses):
        statuses[0] = "open"  # someone must have been able to apply
    planned = [seeder.job(rng.choice(owners), status) for status in statuses]
    popularity = [rng.lognormvariate(0, 0.7) for _ in planned]
    weights = [
        p * sum(end - start for start, end in job["open_periods"])
        for p, job in zip(popularity, planned, strict=True)
    ]
    counts = _spread(applications, weights)
    pool = CandidatePool(seeder, max(int(applications * 0.7), max(counts, default=0), 1))
    try:
        for job, count, pop in zip(planned, counts, popularity, strict=True):
            counters: dict[int, list[int]] = {}

            def daily(moment: int, counters=counters) -> list[int]:
                number = moment // DAY
                row = counters.get(number)
                if row is None:
                    row = counters[number] = [0] * len(COUNTERS)
                return row

            seeder.applications(job, count, pool, daily)
            seeder.views(job, daily, pop)
            views = seeder.daily_rows(job, counters)
            seeder.report.views += views
            write_job(seeder, job, views, count)
            if seeder.writer.full():
                seeder.writer.flush()
        seeder.writer.flush()
        session.commit()
    finally:
        seeder.writer.close()
    database.compact_counters(session.get_bind())  # one transaction updated them per job
    seeder.report.jobs = jobs
    seeder.report.seconds = round(time.perf_counter() - began, 2)
    return seeder.report
