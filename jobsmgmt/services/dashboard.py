"""The jobs dashboard (API.md §3 ``/dashboard``): filters, sorting, pagination and the summary.

One service for the JSON route, the page and the CSV export. Every query reads only live
(non-deleted) jobs and is backed by the ``ix_jobs_deleted_*`` indexes of ``models/jobs.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from ..models import STATUSES, Job, User

SORT_COLUMNS = {
    "posted_date": Job.published_at,
    "created_at": Job.created_at,
    "title": Job.title,
    "applications": Job.application_count,
    "views": Job.view_count,
    "deadline": Job.application_deadline,
}
NULLABLE_SORTS = {"posted_date", "deadline"}
ORDERS = ("asc", "desc")
LIKE_ESCAPE = "\\"


@dataclass(frozen=True)
class DashboardFilters:
    """Validated filters. ``owner_id`` is already resolved (``me`` → the caller's id)."""

    statuses: tuple[str, ...] = ()
    department: str | None = None
    owner_id: str | None = None
    search: str | None = None
    sort: str = "created_at"
    order: str = "desc"


@dataclass
class DashboardPage:
    jobs: list[dict]
    total: int
    page: int
    limit: int
    summary: dict = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return -(-self.total // self.limit) if self.total else 0


def escape_like(text: str) -> str:
    """Make ``%``, ``_`` and ``\\`` match themselves in a LIKE pattern (with ESCAPE '\\')."""
    return (
        text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )


def _search_clause(session: Session, term: str):
    pattern = f"%{escape_like(term)}%"
    columns = (Job.title, Job.department, Job.location)
    if session.get_bind().dialect.name == "sqlite":
        # SQLite's LIKE is already case-insensitive (ASCII); lower() would only slow it down.
        return or_(*(column.like(pattern, escape=LIKE_ESCAPE) for column in columns))
    return or_(*(column.ilike(pattern, escape=LIKE_ESCAPE) for column in columns))


def _where(session: Session, filters: DashboardFilters) -> list:
    clauses = [Job.deleted_at.is_(None)]
    if filters.statuses:
        statuses = sorted(set(filters.statuses))
        clauses.append(
            Job.status == statuses[0] if len(statuses) == 1 else Job.status.in_(statuses)
        )
    if filters.department is not None:
        clauses.append(Job.department == filters.department)
    if filters.owner_id is not None:
        clauses.append(Job.owner_id == filters.owner_id)
    if filters.search:
        clauses.append(_search_clause(session, filters.search))
    return clauses


def _order_by(filters: DashboardFilters) -> list:
    """The sort column, then the id for a stable order across pages. Missing dates (never
    published, no deadline) go last in either direction, the same on both databases."""
    column = SORT_COLUMNS[filters.sort]
    direction = column.desc() if filters.order == "desc" else column.asc()
    keys = []
    if filters.sort in NULLABLE_SORTS:
        keys.append(column.is_(None).asc())
    keys.append(direction)
    keys.append(Job.id.desc() if filters.order == "desc" else Job.id.asc())
    return keys


ROW_COLUMNS = (
    Job.id,
    Job.title,
    Job.department,
    Job.location,
    Job.status,
    Job.owner_id,
    User.name.label("owner_name"),
    Job.published_at,
    Job.application_deadline,
    Job.view_count,
    Job.application_count,
    Job.created_at,
)


def _row_dict(row) -> dict:
    return {
        "id": row.id,
        "title": row.title,
        "department": row.department,
        "location": row.location,
        "status": row.status,
        "owner": {"id": row.owner_id, "name": row.owner_name},
        "posted_date": row.published_at,
        "application_deadline": row.application_deadline,
        "view_count": row.view_count,
        "application_count": row.application_count,
        "created_at": row.created_at,
    }


def _rows_query(session: Session, filters: DashboardFilters):
    return (
        select(*ROW_COLUMNS)
        .join(User, User.id == Job.owner_id)
        .where(*_where(session, filters))
        .order_by(*_order_by(filters))
    )


def summary(session: Session) -> dict:
    """All live jobs by status, unfiltered."""
    counts = dict(
        session.execute(
            select(Job.status, func.count()).where(Job.deleted_at.is_(None)).group_by(Job.status)
        ).all()
    )
    result = {"total_jobs": sum(counts.values())}
    result.update({status: counts.get(status, 0) for status in STATUSES})
    return result


def dashboard(
    session: Session, filters: DashboardFilters, page: int = 1, limit: int = 20
) -> DashboardPage:
    """One page of the filtered, sorted jobs, the filtered total and the unfiltered summary."""
    total = session.scalar(select(func.count()).select_from(Job).where(*_where(session, filters)))
    rows = []
    if total and (page - 1) * limit < total:
        query = _rows_query(session, filters).offset((page - 1) * limit).limit(limit)
        rows = [_row_dict(row) for row in session.execute(query)]
    return DashboardPage(jobs=rows, total=total, page=page, limit=limit, summary=summary(session))


def iter_rows(session: Session, filters: DashboardFilters, chunk: int = 500) -> Iterator[dict]:
    """Every filtered job in order, fetched in chunks (the CSV export)."""
    result = session.execute(
        _rows_query(session, filters).execution_options(yield_per=chunk, stream_results=True)
    )
    for row in result:
        yield _row_dict(row)


def departments(session: Session) -> list[str]:
    """Distinct departments of live jobs (for the filter form's suggestions)."""
    return list(
        session.scalars(
            select(Job.department)
            .where(Job.deleted_at.is_(None), Job.department != "")
            .group_by(Job.department)
            .order_by(Job.department)
            .limit(500)
        )
    )
