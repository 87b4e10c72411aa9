"""The jobs dashboard (API.md §3 ``/dashboard``): filters, sorting, pagination and the summary.

One service for the JSON route, the page and the CSV export. Every query reads only live
(non-deleted) jobs and is backed by the ``ix_jobs_deleted_*`` indexes of ``models/jobs.py``.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import any_, func, literal, literal_column, or_, select, table
from sqlalchemy import column as sql_column
from sqlalchemy.orm import Session

from ..models import STATUSES, Job, User
from ..models.jobs import SEARCH_INDEX_TABLE, JobFacetCount, JobOwnerCount, JobStatusCount
from ..schemas.dashboard import DashboardQuery

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
APPLICATION_RANGES = {"none": (0, 0), "1-10": (1, 10), "more": (11, None)}
# The smallest counter table that holds each filter's values: departments from the owner counts
# (owners × departments × statuses), locations from the facet counts (departments × locations ×
# statuses); neither grows with the number of jobs.
FACET_COLUMNS = {"department": JobOwnerCount.department, "location": JobFacetCount.location}
LIKE_ESCAPE = "\\"
RARE_SHARE = 20  # a search matching under 1/20 of the jobs counts as rare
FEW_SCANNED = 100  # SQLite, a term too short for the index: this few matches are fetched first
DEFERRED_OFFSET = 100
# The search index ``job_search`` holds the live jobs' title, department and location:
# SQLite, an FTS5 trigram table (migration 0007), which looks up terms at least TRIGRAM_MIN
# long (shorter ones are tested row by row on the covering title index); PostgreSQL, one row
# per live job with the three fields lower-cased and joined by SEPARATOR, under a pg_trgm GIN
# index (0012), which ``LIKE`` reads for terms of 3+ characters and scans (narrow rows) for
# shorter ones.
TRIGRAM_MIN = 3
SEPARATOR = "\x1f"
SEARCH_COLUMNS = {"title": Job.title, "department": Job.department, "location": Job.location}
SEARCH_INDEX = table(SEARCH_INDEX_TABLE)
SEARCH_ROWS = table(SEARCH_INDEX_TABLE, sql_column("job_id"), sql_column("body"))


@dataclass(frozen=True)
class DashboardFilters:
    """Validated filters. ``owner_id`` is already resolved (``me`` → the caller's id)."""

    statuses: tuple[str, ...] = ()
    department: str | None = None
    owner_id: str | None = None
    search: str | None = None
    sort: str = "created_at"
    order: str = "desc"
    location: str | None = None
    applications: str | None = None  # one of APPLICATION_RANGES
    then_sort: str | None = None  # the secondary sort key (ties of the first)
    then_order: str = "asc"

    @classmethod
    def from_query(cls, query: DashboardQuery, user_id: str) -> DashboardFilters:
        """The filters of a validated dashboard query (``owner=me`` is ``user_id``)."""
        return cls(
            statuses=query.statuses(),
            department=query.department or None,  # empty (or only spaces): no filter
            owner_id=user_id if query.owner == "me" else query.owner,
            search=query.search or None,
            sort=query.sort,
            order=query.order,
            location=query.location or None,  # empty: no filter
            applications=query.applications,
            then_sort=query.then,
            then_order=query.then_order,
        )


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


def _contains(session: Session, column, term: str):
    """``column`` contains ``term``: case-insensitive, ``%``, ``_`` and ``\\`` literal."""
    pattern = f"%{escape_like(term)}%"
    if session.get_bind().dialect.name == "sqlite":
        # SQLite's LIKE is already case-insensitive (ASCII); lower() would only slow it down.
        return column.like(pattern, escape=LIKE_ESCAPE)
    return column.ilike(pattern, escape=LIKE_ESCAPE)


def _fts_phrase(term: str) -> str:
    """An FTS5 query of one quoted phrase: every character literal (``"`` doubled). With the
    trigram tokenizer a phrase matches exactly the values that contain it, case-insensitive."""
    return '"' + term.replace('"', '""') + '"'


def search_clause(session: Session, term: str, rare: bool = False, many: bool = False):
    """Title, department or location contains ``term`` (case-insensitive, wildcards literal).

    ``rare``: few jobs match (filter first, then sort the few). ``many``: a large share of the
    jobs match (SQLite: walk the sort index and test each job against the matches, instead of
    fetching every match and sorting them; PostgreSQL's planner sees that itself)."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite" and len(term) >= TRIGRAM_MIN:
        rowid = literal_column("+jobs.rowid" if many else "jobs.rowid")
        matches = (
            select(literal_column("rowid"))
            .select_from(SEARCH_INDEX)
            .where(literal_column(SEARCH_INDEX_TABLE).op("MATCH")(_fts_phrase(term)))
        )
        return rowid.in_(matches)
    if _uses_search_rows(dialect, term):
        matches = select(SEARCH_ROWS.c.job_id).where(_body_contains(term))
        if rare:
            # The matches as an array computed first: the planner then fetches those few jobs
            # by id and sorts them, instead of walking the sort index probing each job (it
            # cannot estimate how few a substring matches; 10 ms → 3 ms at 100k jobs).
            return Job.id == any_(func.array(matches.scalar_subquery()))
        return Job.id.in_(matches)
    clause = or_(*(_contains(session, column, term) for column in SEARCH_COLUMNS.values()))
    return _hinted(session, clause, rare)


def _uses_search_rows(dialect: str, term: str) -> bool:
    """PostgreSQL reads ``job_search`` for any term that cannot span two fields there."""
    return dialect == "postgresql" and SEPARATOR not in term


def _body_contains(term: str):
    """``job_search.body`` (PostgreSQL) contains ``term``: both sides lower-cased by the
    database, which is what ``ILIKE`` does."""
    pattern = func.lower(literal(f"%{escape_like(term)}%"))
    return SEARCH_ROWS.c.body.like(pattern, escape=LIKE_ESCAPE)


def _hinted(session: Session, clause, rare: bool):
    if rare and session.get_bind().dialect.name == "sqlite":
        # Few matches: tell the planner, so it filters first and sorts the few rows instead
        # of walking the sort index and testing every job on the way.
        return func.likelihood(clause, literal_column("0.001"))
    return clause


def _index_count(session: Session, term: str, at_most: int | None = None) -> int | None:
    """Live jobs whose title, department or location contains ``term``, counted in the search
    index, which holds exactly the live jobs (so the jobs are not read); counting stops at
    ``at_most`` (SQLite's FTS finds matches lazily: 1.2 ms instead of 7.8 ms for 37k matches
    at 100k jobs). None when the index cannot answer (SQLite: a term under 3 characters)."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite" and len(term) >= TRIGRAM_MIN:
        query = (
            select(literal_column("rowid"))
            .select_from(SEARCH_INDEX)
            .where(literal_column(SEARCH_INDEX_TABLE).op("MATCH")(_fts_phrase(term)))
        )
    elif _uses_search_rows(dialect, term):
        query = select(SEARCH_ROWS.c.job_id).where(_body_contains(term))
    else:
        return None
    if at_most is not None:
        query = query.limit(at_most)
    counted = select(func.count()).select_from(query.subquery())
    return int(session.connection().scalar(counted))


def _search_total(
    session: Session,
    filters: DashboardFilters,
    where: list,
    live_jobs: int,
    values: dict[str, list[str]] | None = None,
) -> tuple[int, int | None]:
    """The exact number of live jobs that match the search and the other filters, and the
    number the search alone matches (None when the search index could not count it): exact
    when no other filter applies, otherwise counted only as far as the choice of query plan
    needs (how ``many`` and ``_few_matches`` compare it with ``live_jobs``)."""
    connection = session.connection()
    alone = (
        not filters.statuses
        and filters.department is None
        and filters.owner_id is None
        and filters.location is None
        and filters.applications is None
    )
    enough = max(live_jobs // RARE_SHARE, math.isqrt(RARE_SHARE * live_jobs)) + 1
    matched = _index_count(session, filters.search, at_most=None if alone else enough)
    if matched is None:
        return int(connection.scalar(select(func.count()).select_from(Job).where(*where))), None
    if alone or not matched:
        return matched, matched
    if matched * RARE_SHARE >= live_jobs:
        # Many matches: count along the other filters' index (status, department or owner,
        # each of which holds the rowid), testing each entry against the matches, instead of
        # reading every matching job's row to test the filters.
        where = _where(session, filters, search_many=True, values=values)
    return int(connection.scalar(select(func.count()).select_from(Job).where(*where))), matched


def _few_matches(session: Session, matched: int | None, total: int, live_jobs: int) -> bool:
    """Whether fetching every match and sorting them beats walking the sort index and testing
    each job until the page is full (about ``live_jobs / total × limit`` jobs), for a search
    rarer than 1 in RARE_SHARE. SQLite: a term the FTS index looks up (``matched`` counted)
    costs little per match, so always; a shorter one is tested row by row either way, on the
    narrow covering title index when filtering first (~5× cheaper a job than a walk's row), so
    only for a hundred matches or fewer (3,329 of 100k: 35 ms → 2 ms). PostgreSQL fetches
    each match by id: while the matches are fewer than the jobs a walk would test, i.e.
    matched² ≤ 20 × live (820 of 100k jobs: 10 → 5 ms; 3,329: 46 → 20 ms the other way)."""
    if session.get_bind().dialect.name == "sqlite":
        return matched is not None or total <= FEW_SCANNED
    return matched is not None and matched * matched <= RARE_SHARE * live_jobs


def _where(
    session: Session,
    filters: DashboardFilters,
    rare_search: bool = False,
    common_status: bool = False,
    common_match: bool = False,
    search_many: bool = False,
    values: dict[str, list[str]] | None = None,
) -> list:
    clauses = [Job.deleted_at.is_(None)]
    values = values if values is not None else facet_values(session, filters)
    if filters.statuses:
        statuses = sorted(set(filters.statuses))
        status = Job.status
        if common_status and session.get_bind().dialect.name == "sqlite":
            # Statuses that many jobs have: walking the sort key's (or the search) index and
            # skipping the others beats fetching all of them by status and sorting. SQLite has
            # no statistics to see that, so the status test is made unindexable.
            status = Job.status.concat("")
        clauses.append(status == statuses[0] if len(statuses) == 1 else status.in_(statuses))
    department, owner = Job.department, Job.owner_id
    if common_match and session.get_bind().dialect.name == "sqlite":
        # Many jobs match: page through the sort index instead (as for common statuses), but
        # for a department sorted by title, whose index already lists them in that order.
        owner = Job.owner_id.concat("")
        if filters.sort != "title":
            department = Job.department.concat("")
    if filters.department is not None:
        clauses.append(department.in_(values["department"]))
    if filters.location is not None:
        clauses.append(Job.location.in_(values["location"]))
    if filters.applications is not None:
        low, high = APPLICATION_RANGES[filters.applications]
        clauses.append(Job.application_count >= low)
        if high is not None:
            clauses.append(Job.application_count <= high)
    if filters.owner_id is not None:
        clauses.append(owner == filters.owner_id)
    if filters.search:
        many = common_match or search_many
        clauses.append(search_clause(session, filters.search, rare=rare_search, many=many))
    return clauses


def _order_by(filters: DashboardFilters, column=None) -> list:
    """The sort column (none for the missing-dates part), the secondary sort if any (jobs
    without its date last), then the id: a stable order across pages that the partial
    ``(<sort key>, id)`` indexes deliver without sorting when there is no secondary sort."""
    keys = []
    if column is not None:
        keys.append(column.desc() if filters.order == "desc" else column.asc())
    if filters.then_sort and filters.then_sort != filters.sort:
        second = SORT_COLUMNS[filters.then_sort]
        if filters.then_sort in NULLABLE_SORTS:
            keys.append(second.is_(None).asc())
        keys.append(second.desc() if filters.then_order == "desc" else second.asc())
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


def _parts(where: list, filters: DashboardFilters) -> list[tuple[list, list]]:
    """(where, order by) of the parts whose concatenation is the sorted list. Jobs without the
    sort date (never published, no deadline) come last in either direction, on both databases;
    a second part rather than a sort expression, so each part reads its index in order."""
    column = SORT_COLUMNS[filters.sort]
    if filters.sort not in NULLABLE_SORTS:
        return [(where, _order_by(filters, column))]
    return [
        ([*where, column.is_not(None)], _order_by(filters, column)),
        ([*where, column.is_(None)], _order_by(filters)),
    ]


def _select(where: list, order: list):
    return select(*ROW_COLUMNS).join(User, User.id == Job.owner_id).where(*where).order_by(*order)


def _fetch(connection, where: list, order: list, offset: int, limit: int) -> list:
    """One slice of a part. Deep offsets are skipped on the ``(…, id)`` index alone (a
    deferred join) instead of building every skipped row."""
    if offset < DEFERRED_OFFSET:
        return list(connection.execute(_select(where, order).offset(offset).limit(limit)))
    ids = select(Job.id).where(*where).order_by(*order).offset(offset).limit(limit)
    return list(connection.execute(_select([Job.id.in_(ids.correlate(None))], order)))


def _page_rows(connection, where: list, filters: DashboardFilters, offset: int, limit: int):
    (present_where, present_order), *rest = _parts(where, filters)
    rows = _fetch(connection, present_where, present_order, offset, limit)
    if not rest or len(rows) == limit:
        return rows
    if rows:
        before = offset + len(rows)  # the dated part ended on this page
    else:
        before = connection.scalar(select(func.count()).select_from(Job).where(*present_where))
    missing_where, missing_order = rest[0]
    return rows + _fetch(
        connection, missing_where, missing_order, max(offset - before, 0), limit - len(rows)
    )


def facet_choices(session: Session, name: str) -> list[dict]:
    """The distinct departments (or locations) of live jobs for the filter's choices: values
    differing only in case are one choice (the most common spelling shown), with its job
    count, read from the counter tables the triggers keep (``FACET_COLUMNS``)."""
    column = FACET_COLUMNS[name]
    job_count = column.table.c.job_count
    rows = session.connection().execute(
        select(column, func.sum(job_count)).group_by(column).having(func.sum(job_count) > 0)
    )
    merged: dict[str, dict] = {}
    for value, count in rows:
        entry = merged.setdefault(value.casefold(), {"value": value, "count": 0, "best": None})
        entry["count"] += int(count)
        # the spelling most jobs use; on a tie, "Engineering" over "ENGINEERING"/"engineering"
        score = (int(count), value[:1].isupper() and not value.isupper())
        if entry["best"] is None or score > entry["best"]:
            entry.update(value=value, best=score)
    return [
        {"value": e["value"], "count": e["count"]}
        for _, e in sorted(merged.items(), key=lambda item: item[0])
    ]


def facet_values(session: Session, filters: DashboardFilters) -> dict[str, list[str]]:
    """The stored spellings that the department and location filters match (whole value,
    ignoring case), so jobs and counter rows are then filtered by equality."""
    values: dict[str, list[str]] = {}
    for name, column in FACET_COLUMNS.items():
        wanted = getattr(filters, name)
        if wanted is None:
            continue
        query = select(column).group_by(column)
        if wanted.isascii():  # SQLite's lower() folds ASCII only: others are compared here
            query = query.where(func.lower(column) == wanted.lower())
        found = session.connection().scalars(query)
        values[name] = [v for v in found if v.casefold() == wanted.casefold()]
    return values


SUMMARY_QUERY = select(JobStatusCount.status, JobStatusCount.job_count)


def summary(session: Session) -> dict:
    """All live jobs by status, unfiltered: the counts the ``jobs`` triggers keep."""
    counts = dict(session.connection().execute(SUMMARY_QUERY).all())
    result = {"total_jobs": sum(counts.values())}
    result.update({status: counts.get(status, 0) for status in STATUSES})
    return result


def _facet_total(session: Session, filters: DashboardFilters) -> int:
    """The filtered total from ``job_facet_counts`` (no owner filter, no search): statuses and
    department select groups, whose counts add up to the jobs."""
    query = select(func.coalesce(func.sum(JobFacetCount.job_count), 0))
    if filters.statuses:
        query = query.where(JobFacetCount.status.in_(sorted(set(filters.statuses))))
    values = facet_values(session, filters)
    if filters.department is not None:
        query = query.where(JobFacetCount.department.in_(values["department"]))
    if filters.location is not None:
        query = query.where(JobFacetCount.location.in_(values["location"]))
    return int(session.connection().scalar(query))


def _owner_total(session: Session, filters: DashboardFilters) -> int:
    """The filtered total for an owner filter (no search) from ``job_owner_counts``."""
    query = select(func.coalesce(func.sum(JobOwnerCount.job_count), 0)).where(
        JobOwnerCount.owner_id == filters.owner_id
    )
    if filters.statuses:
        query = query.where(JobOwnerCount.status.in_(sorted(set(filters.statuses))))
    if filters.department is not None:
        values = facet_values(session, filters)["department"]
        query = query.where(JobOwnerCount.department.in_(values))
    return int(session.connection().scalar(query))


def dashboard(
    session: Session, filters: DashboardFilters, page: int = 1, limit: int = 20
) -> DashboardPage:
    """One page of the filtered, sorted jobs, the filtered total and the unfiltered summary."""
    connection = session.connection()  # Core rows: no ORM objects are needed here
    counts = summary(session)
    chosen = sum(counts[status] for status in set(filters.statuses))
    common = chosen * RARE_SHARE >= counts["total_jobs"] and (
        filters.sort != "created_at" or bool(filters.search)
    )
    values = facet_values(session, filters)
    where = _where(session, filters, common_status=common, values=values)
    matched = None  # live jobs the search alone matches, when the search index counted them
    if filters.search:
        total, matched = _search_total(session, filters, where, counts["total_jobs"], values)
    elif filters.applications is not None:  # no counter table keeps application counts
        total = connection.scalar(select(func.count()).select_from(Job).where(*where))
    elif filters.department is None and filters.location is None and filters.owner_id is None:
        # Only statuses (or nothing) filter: the summary already holds the total.
        total = chosen if filters.statuses else counts["total_jobs"]
    elif filters.owner_id is None:
        total = _facet_total(session, filters)
    elif filters.location is None:
        total = _owner_total(session, filters)
    else:
        total = connection.scalar(select(func.count()).select_from(Job).where(*where))
    rows = []
    offset = (page - 1) * limit
    if total and offset < total:
        many = total * RARE_SHARE >= counts["total_jobs"]
        search_many = matched is not None and matched * RARE_SHARE >= counts["total_jobs"]
        rare = (
            bool(filters.search)
            and not many
            and _few_matches(session, matched, total, counts["total_jobs"])
        )
        by_sort = (many or search_many) and (
            filters.department is not None or filters.owner_id is not None or bool(filters.search)
        )
        if rare or by_sort:
            where = _where(
                session,
                filters,
                rare_search=rare,
                common_status=common,
                common_match=by_sort,
                values=values,
            )
        rows = [_row_dict(row) for row in _page_rows(connection, where, filters, offset, limit)]
    return DashboardPage(jobs=rows, total=total, page=page, limit=limit, summary=counts)


def iter_rows(session: Session, filters: DashboardFilters, chunk: int = 500) -> Iterator[dict]:
    """Every filtered job in order, fetched in chunks (the CSV export)."""
    for where, order in _parts(_where(session, filters), filters):
        query = _select(where, order).execution_options(yield_per=chunk, stream_results=True)
        result = session.execute(query)
        for row in result:
            yield _row_dict(row)
