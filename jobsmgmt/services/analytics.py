"""Job analytics with the exact definitions of API.md §3 ``/{job_id}/analytics``.

Past days come from the daily ``job_analytics`` rows (kept live by the applications service and
recomputed by the ``calculate_daily_analytics`` task); today (and any later day of the
range) is counted from the applications themselves at request time. Quality and time metrics
always come from the raw rows: medians and on-hold time cannot be summed from daily rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Date, String, func, literal, or_, select, union_all
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..models import Application, JobAnalytics, JobStatusHistory, utcnow
from ..models.base import UTCDateTime
from ..tasks import task, task_session
from .daily_counts import EVENTS
from .errors import ValidationFailed
from .jobs import get_job

DEFAULT_RANGE_DAYS = 30
MAX_RANGE_DAYS = 366
# (trend key, application column, job_analytics counter), in funnel order after views.
FUNNEL = ("views",) + tuple(key for key, _, _ in EVENTS)
CONVERSIONS = (
    ("view_to_application", "applications", "views"),
    ("application_to_shortlist", "shortlisted", "applications"),
    ("shortlist_to_interview", "interviews", "shortlisted"),
    ("interview_to_offer", "offers", "interviews"),
    ("offer_to_hire", "hires", "offers"),
    ("application_to_hire", "hires", "applications"),
)
BUCKETS = tuple(f"{low}-{low + 9}" for low in range(0, 90, 10)) + ("90-100",)
CENT = Decimal("0.01")
MICROS_PER_HOUR = Decimal(3_600_000_000)
MICROS_PER_DAY = Decimal(86_400_000_000)


def now() -> datetime:
    """The request's moment (a seam for tests)."""
    return utcnow()


def two_decimals(value: Decimal | None) -> float | None:
    if value is None:
        return None
    return float(value.quantize(CENT, rounding=ROUND_HALF_UP))


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def resolve_range(date_from: date | None, date_to: date | None, today: date) -> tuple[date, date]:
    """Default: the 30 days ending today (or ending ``date_to``). At most 366 days."""
    end = date_to or today
    start = date_from or end - timedelta(days=DEFAULT_RANGE_DAYS - 1)
    if start > end:
        raise ValidationFailed(
            "date_from must not be after date_to.",
            details={"fields": {"date_from": "after date_to"}},
        )
    if (end - start).days + 1 > MAX_RANGE_DAYS:
        raise ValidationFailed(
            f"The date range may cover at most {MAX_RANGE_DAYS} days.",
            details={"fields": {"date_to": f"more than {MAX_RANGE_DAYS} days after date_from"}},
        )
    return start, end


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


def _trends(session: Session, job_id: str, start: date, end: date, today: date) -> list[dict]:
    rows = {day: dict.fromkeys(FUNNEL, 0) for day in _days(start, end)}
    # Plain columns, not entities: a 90-day range is 90 rows, and ORM objects cost more than
    # the query.
    stored = session.execute(
        select(
            JobAnalytics.date,
            JobAnalytics.view_count,
            *(getattr(JobAnalytics, counter) for _, _, counter in EVENTS),
        ).where(JobAnalytics.job_id == job_id, JobAnalytics.date >= start, JobAnalytics.date <= end)
    )
    for day, views, *counts in stored:
        trend = rows[day]
        trend["views"] = views
        if day < today:
            for (key, _, _), count in zip(EVENTS, counts, strict=True):
                trend[key] = count
    if end >= today:
        _count_exact(session, job_id, max(start, today), end, rows)
    return [{"date": day, **counts} for day, counts in rows.items()]


def _count_exact(session: Session, job_id: str, start: date, end: date, rows: dict) -> None:
    """Count the events of days ``start``…``end`` from the applications (today is exact)."""
    low, high = day_start(start), day_start(end + timedelta(days=1))
    columns = [getattr(Application, column) for _, column, _ in EVENTS]
    query = select(*columns).where(
        Application.job_id == job_id, or_(*(column >= low for column in columns))
    )
    for values in session.execute(query):
        for (key, _, _), moment in zip(EVENTS, values, strict=True):
            if moment is not None and low <= moment < high:
                rows[moment.astimezone(UTC).date()][key] += 1


def _rates(funnel: dict) -> dict:
    rates = {}
    for name, numerator, divisor in CONVERSIONS:
        if funnel[divisor]:
            rates[name] = two_decimals(Decimal(100 * funnel[numerator]) / funnel[divisor])
        else:
            rates[name] = 0.0
    return rates


def quality(scores: Iterable[Decimal]) -> dict:
    """Average, median (mean of the two middle values) and ten buckets of match scores."""
    values = sorted(Decimal(score) for score in scores)
    buckets = [0] * len(BUCKETS)
    for score in values:
        buckets[min(int(score // 10), 9) if score >= 0 else 0] += 1
    average = median = None
    if values:
        average = sum(values) / len(values)
        middle = len(values) // 2
        median = values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2
    return {
        "avg_match_score": two_decimals(average),
        "median_match_score": two_decimals(median),
        "scored_applications": len(values),
        "score_distribution": [
            {"range": label, "count": count} for label, count in zip(BUCKETS, buckets, strict=True)
        ],
    }


def on_hold_intervals(
    history: Iterable[tuple[str, datetime]], until: datetime
) -> list[tuple[datetime, datetime]]:
    """(start, end) of each on-hold period from (to_status, changed_at) rows in time order."""
    intervals = []
    entries = list(history)
    for index, (status, changed_at) in enumerate(entries):
        if status != "on_hold":
            continue
        end = entries[index + 1][1] if index + 1 < len(entries) else until
        intervals.append((changed_at, max(end, changed_at)))
    return intervals


def active_time(
    start: datetime, end: datetime, holds: list[tuple[datetime, datetime]]
) -> timedelta:
    """``end − start`` minus the on-hold time that falls between them."""
    elapsed = end - start
    for hold_start, hold_end in holds:
        overlap = min(end, hold_end) - max(start, hold_start)
        if overlap > timedelta(0):
            elapsed -= overlap
    return elapsed


def _in_units(delta: timedelta | None, micros_per_unit: Decimal) -> float | None:
    if delta is None:
        return None
    return two_decimals(Decimal(delta // timedelta(microseconds=1)) / micros_per_unit)


def _time_metrics(session: Session, job, start: date, end: date, moment: datetime) -> dict:
    first_application, first_hire = session.execute(
        select(func.min(Application.applied_at), func.min(Application.reached_hired_at)).where(
            Application.job_id == job.id
        )
    ).one()
    first_application = _aware(first_application)
    first_hire = _aware(first_hire)
    history = session.execute(
        select(JobStatusHistory.to_status, JobStatusHistory.changed_at)
        .where(JobStatusHistory.job_id == job.id)
        .order_by(JobStatusHistory.changed_at)
    ).all()
    holds = on_hold_intervals([(status, at) for status, at in history], moment)
    published = job.published_at
    to_first = to_fill = open_for = None
    if published is not None:
        if first_application is not None:
            to_first = first_application - published
        if first_hire is not None:
            to_fill = active_time(published, first_hire, holds)
        open_for = active_time(published, job.closed_at or moment, holds)
    hired = session.execute(
        select(Application.applied_at, Application.reached_hired_at).where(
            Application.job_id == job.id,
            Application.reached_hired_at >= day_start(start),
            Application.reached_hired_at < day_start(end + timedelta(days=1)),
        )
    ).all()
    avg_to_hire = None
    if hired:
        total = sum((hired_at - applied for applied, hired_at in hired), timedelta(0))
        avg_to_hire = Decimal(total // timedelta(microseconds=1)) / len(hired) / MICROS_PER_DAY
    return {
        "time_to_first_application_hours": _in_units(to_first, MICROS_PER_HOUR),
        "time_to_fill_days": _in_units(to_fill, MICROS_PER_DAY),
        "days_open": _in_units(open_for, MICROS_PER_DAY),
        "avg_days_to_hire": two_decimals(avg_to_hire),
    }


def _aware(moment: datetime | None) -> datetime | None:
    """Aggregates bypass the column type on SQLite (text) and PostgreSQL (naive): make UTC."""
    if moment is None:
        return None
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def job_analytics(
    session: Session, job_id: str, date_from: date | None = None, date_to: date | None = None
) -> dict:
    """The whole analytics document of one job for a date range (UTC dates)."""
    job = get_job(session, job_id)
    moment = now()
    start, end = resolve_range(date_from, date_to, moment.date())
    trends = _trends(session, job.id, start, end, moment.date())
    funnel = {key: sum(row[key] for row in trends) for key in FUNNEL}
    scores = session.scalars(
        select(Application.match_score).where(
            Application.job_id == job.id,
            Application.applied_at >= day_start(start),
            Application.applied_at < day_start(end + timedelta(days=1)),
            Application.match_score.is_not(None),
        )
    )
    return {
        "job_id": job.id,
        "date_range": {"from": start, "to": end},
        "funnel": funnel,
        "conversion_rates": _rates(funnel),
        "quality_metrics": quality(scores),
        "time_metrics": _time_metrics(session, job, start, end, moment),
        "trends": trends,
        "by_source": by_source(session, job.id, start, end),
    }


SOURCES = ("careers", "linkedin", "indeed", "naukri", "referral", "other")


def by_source(session: Session, job_id: str, start: date, end: date) -> list[dict]:
    """Applications created in the range per source, and how far they got (ever): which
    portal brings the people we hire. Unknown or missing sources count as ``other``."""
    stages = [column for key, column, _ in EVENTS if key != "applications"]
    rows = session.execute(
        select(
            Application.source,
            func.count(),
            *[func.count(getattr(Application, column)) for column in stages],
        )
        .where(
            Application.job_id == job_id,
            Application.applied_at >= day_start(start),
            Application.applied_at < day_start(end + timedelta(days=1)),
        )
        .group_by(Application.source)
    ).all()
    totals = {source: [0] * (len(stages) + 1) for source in SOURCES}
    for source, *counts in rows:
        key = (source or "").strip().lower()
        bucket = totals[key if key in SOURCES else "other"]
        for i, count in enumerate(counts):
            bucket[i] += count
    names = ("applications", "shortlisted", "interviews", "offers", "hires")
    return [
        {"source": source, **dict(zip(names, totals[source], strict=True))} for source in SOURCES
    ]


# --- the daily recompute --------------------------------------------------------------------


def _day_of(session: Session, column):
    if session.get_bind().dialect.name == "sqlite":
        return func.date(column)
    return func.cast(column, Date)


def _new_id_sql(session: Session):
    """A random UUID string made by the database, one per inserted row."""
    if session.get_bind().dialect.name == "postgresql":
        return func.cast(func.gen_random_uuid(), String)
    hexed = [func.lower(func.hex(func.randomblob(n))) for n in (4, 2, 2, 2, 6)]
    return (
        hexed[0]
        + "-"
        + hexed[1]
        + "-4"
        + func.substr(hexed[2], 2)
        + "-a"
        + (func.substr(hexed[3], 2))
        + "-"
        + hexed[4]
    )


def _daily_events(session: Session, low: datetime, high: datetime):
    """(job_id, day, <counter>…) per application event in [low, high), as a subquery."""
    columns = [getattr(Application, column_name) for _, column_name, _ in EVENTS]
    # One pass over the applications picks those with any event in the range; the five
    # event kinds are then read from that (much smaller) set.
    hits = (
        select(Application.job_id, *columns)
        .where(or_(*((column >= low) & (column < high) for column in columns)))
        .cte("hits")
    )
    parts = []
    for index, (_, column_name, _) in enumerate(EVENTS):
        column = hits.c[column_name]
        flags = [literal(1 if i == index else 0) for i in range(len(EVENTS))]
        parts.append(
            select(
                hits.c.job_id.label("job_id"),
                _day_of(session, column).label("day"),
                *(flag.label(counter) for flag, (_, _, counter) in zip(flags, EVENTS, strict=True)),
            ).where(column >= low, column < high)
        )
    return union_all(*parts).subquery("events")


def recompute_daily_analytics(session: Session, date_from: date, date_to: date) -> int:
    """Recompute the daily counters of every job for ``date_from``…``date_to`` from the
    applications' ``applied_at`` / ``reached_*_at`` columns, set-based: one upsert on
    (job_id, date) writes the counted days, and sets back to zero the rows of the range that no
    event supports any more. ``view_count`` is kept; rows already right are not rewritten.
    Idempotent. Returns the number of rows it changed."""
    if date_from > date_to:
        raise ValidationFailed("date_from must not be after date_to.")
    low, high = day_start(date_from), day_start(date_to + timedelta(days=1))
    stamp = utcnow()
    counters = [counter for _, _, counter in EVENTS]
    table = JobAnalytics.__table__
    events = _daily_events(session, low, high)
    # Rows of the range that hold counts join in with zeros: a day no event supports any more
    # sums to zero and is rewritten as such, in the same single upsert (no per-row NOT IN).
    stale = select(
        table.c.job_id, table.c.date, *(literal(0).label(counter) for counter in counters)
    ).where(
        table.c.date >= date_from,
        table.c.date <= date_to,
        or_(*(table.c[counter] != 0 for counter in counters)),
    )
    days = union_all(select(*events.c), stale).subquery("days")
    aggregate = select(
        _new_id_sql(session),
        days.c.job_id,
        days.c.day,
        literal(0),
        *(func.sum(days.c[counter]) for counter in counters),
        literal(stamp, UTCDateTime()),
        literal(stamp, UTCDateTime()),
    )
    # The WHERE keeps SQLite's parser from reading ON CONFLICT as a join's ON.
    aggregate = aggregate.where(days.c.job_id.is_not(None)).group_by(days.c.job_id, days.c.day)
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    statement = insert(table).from_select(
        ["id", "job_id", "date", "view_count", *counters, "created_at", "updated_at"], aggregate
    )
    statement = statement.on_conflict_do_update(
        index_elements=[table.c.job_id, table.c.date],
        set_={
            **{counter: statement.excluded[counter] for counter in counters},
            "updated_at": statement.excluded.updated_at,
        },
        where=or_(*(table.c[counter] != statement.excluded[counter] for counter in counters)),
    )
    # (rowcount is unreliable for a statement that starts with WITH: count RETURNING rows)
    written = len(session.execute(statement.returning(table.c.id)).all())
    session.commit()
    return written


@task
def calculate_daily_analytics(date_from: str | None = None, date_to: str | None = None) -> int:
    """Task: recompute every job's daily rows for date_from…date_to (YYYY-MM-DD, UTC; default
    yesterday and today). Returns the number of rows changed."""
    today = utcnow().date()
    end = date.fromisoformat(date_to) if date_to else today
    start = date.fromisoformat(date_from) if date_from else min(end, today - timedelta(days=1))
    with task_session() as session:
        return recompute_daily_analytics(session, start, end)
