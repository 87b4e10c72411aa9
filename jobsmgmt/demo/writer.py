"""Batched inserts for the demo seed: rows buffered per table and written with the DB-API's
executemany in chunks, values converted to what the ORM column types would store."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session

from ..services import audit
from ..services.daily_counts import COUNTERS

CHUNK = 20_000
JOB_COLUMNS = (
    "id", "title", "department", "location", "employment_type", "description",
    "required_skills", "status", "owner_id", "application_deadline", "view_count",
    "application_count", "created_at", "updated_at", "published_at", "closed_at",
    "archived_at", "deleted_at", "audit_seq", "audit_checksum",
)  # fmt: skip
HISTORY_COLUMNS = ("id", "job_id", "from_status", "to_status", "reason", "changed_by", "changed_at")
AUDIT_COLUMNS = (*audit.HASHED_FIELDS, "prev_checksum", "checksum")
CANDIDATE_COLUMNS = ("id", "name", "email", "phone", "created_at")
APPLICATION_COLUMNS = (
    "id", "job_id", "candidate_id", "stage", "match_score", "source", "resume_text", "skills",
    "applied_at", "updated_at", "reached_shortlisted_at", "reached_interview_at",
    "reached_offer_at", "reached_hired_at",
)  # fmt: skip
EVENT_COLUMNS = ("id", "application_id", "from_stage", "to_stage", "changed_at", "changed_by")
ANALYTICS_COLUMNS = ("id", "job_id", "date", *COUNTERS, "created_at", "updated_at")
# Parents before children: a flush inserts in this order (foreign keys are checked at once).
TABLES = (
    ("jobs", JOB_COLUMNS),
    ("job_status_history", HISTORY_COLUMNS),
    ("job_audit_log", AUDIT_COLUMNS),
    ("candidates", CANDIDATE_COLUMNS),
    ("applications", APPLICATION_COLUMNS),
    ("application_stage_events", EVENT_COLUMNS),
    ("job_analytics", ANALYTICS_COLUMNS),
)


class RowWriter:
    """Rows buffered per table and written with the DB-API's executemany inside the session's
    transaction; values are converted to what the ORM column types would store."""

    def __init__(self, session: Session):
        connection = session.connection()
        self.raw = connection.connection.driver_connection
        self.postgres = connection.dialect.name == "postgresql"
        mark = "%s" if self.postgres else "?"
        self.sql = {
            table: f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608 - our constants
            f"VALUES ({', '.join([mark] * len(columns))})"
            for table, columns in TABLES
        }
        self.rows: dict[str, list[tuple]] = {table: [] for table, _ in TABLES}
        self.counts: dict[str, int] = dict.fromkeys(self.rows, 0)
        self._days: dict[int, object] = {}
        self.cache_size = None
        if not self.postgres:  # a big page cache while seeding, given back afterwards
            self.cache_size = self.raw.execute("PRAGMA cache_size").fetchone()[0]
            self.raw.execute("PRAGMA cache_size=-262144")

    def close(self) -> None:
        if self.cache_size is not None:
            self.raw.execute(f"PRAGMA cache_size={int(self.cache_size)}")

    def moment(self, seconds: int | None):
        """A time (whole seconds since the epoch) as the column type stores it."""
        if seconds is None:
            return None
        if self.postgres:
            return datetime(1970, 1, 1) + timedelta(seconds=seconds)
        # SQLite's DATETIME text, as SQLAlchemy writes it ("YYYY-MM-DD HH:MM:SS.ffffff")
        number, rest = divmod(seconds, 86400)
        hours, rest = divmod(rest, 3600)
        return f"{self.day(number)} {hours:02d}:{rest // 60:02d}:{rest % 60:02d}.000000"

    def day(self, number: int):
        found = self._days.get(number)
        if found is None:
            found = date(1970, 1, 1) + timedelta(days=number)
            found = found if self.postgres else found.isoformat()
            self._days[number] = found
        return found

    def score(self, value: Decimal | None):
        if value is None:
            return None
        return value if self.postgres else float(value)

    def add(self, table: str, row: tuple) -> None:
        self.rows[table].append(row)

    def full(self) -> bool:
        return any(len(rows) >= CHUNK for rows in self.rows.values())

    def flush(self) -> None:
        """Write every buffered row, parents first (PostgreSQL: COPY; SQLite: executemany)."""
        cursor = self.raw.cursor()
        for table, columns in TABLES:
            rows = self.rows[table]
            if not rows:
                continue
            if self.postgres:
                with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                cursor.executemany(self.sql[table], rows)
            self.counts[table] += len(rows)
            rows.clear()
        cursor.close()


def as_json(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"))
