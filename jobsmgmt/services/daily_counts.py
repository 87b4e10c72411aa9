"""Live daily rows of ``job_analytics``: each event bumps its day's counters in the event's own
transaction, with an UPSERT so concurrent first events of a day never collide.

The definitions are API.md's "analytics" ones (UTC dates): ``view_count`` = anonymous views of the
public job page on the day; ``application_count`` = applications created on the day;
``shortlist_count`` … ``hire_count`` = applications whose ``reached_<stage>_at`` falls on the day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..models import JobAnalytics, new_id, utcnow

# The funnel after views, in order — the one definition analytics, the live counters and the
# daily recompute share: (funnel key, the application's time column, the daily counter).
EVENTS = (
    ("applications", "applied_at", "application_count"),
    ("shortlisted", "reached_shortlisted_at", "shortlist_count"),
    ("interviews", "reached_interview_at", "interview_count"),
    ("offers", "reached_offer_at", "offer_count"),
    ("hires", "reached_hired_at", "hire_count"),
)
COUNTERS = ("view_count",) + tuple(counter for _, _, counter in EVENTS)
# The counter each ``reached_<stage>_at`` column feeds, by stage.
STAGE_COUNTERS = {
    column.removeprefix("reached_").removesuffix("_at"): counter
    for _, column, counter in EVENTS[1:]
}


def utc_day(moment: datetime) -> date:
    """The UTC date of a moment (naive moments are taken as UTC)."""
    return moment.date() if moment.tzinfo is None else moment.astimezone(UTC).date()


def bump(session: Session, job_id: str, day: date, **increments: int) -> None:
    """Add ``increments`` (counter name → amount) to the job's row for ``day``, creating it."""
    unknown = set(increments) - set(COUNTERS)
    if unknown:
        raise ValueError(f"unknown counters: {', '.join(sorted(unknown))}")
    increments = {name: amount for name, amount in increments.items() if amount}
    if not increments:
        return
    now = utcnow()
    values = {name: 0 for name in COUNTERS}
    values.update(increments)
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = JobAnalytics.__table__
    statement = insert(table).values(
        id=new_id(), job_id=job_id, date=day, created_at=now, updated_at=now, **values
    )
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.job_id, table.c.date],
        set_={
            **{name: table.c[name] + statement.excluded[name] for name in increments},
            "updated_at": statement.excluded.updated_at,
        },
    )
    session.execute(statement)
