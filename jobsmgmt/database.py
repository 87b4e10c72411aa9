"""Engine behaviour for both databases.

SQLite: WAL, foreign keys, a busy timeout, and transactions that intend to write start with
``BEGIN IMMEDIATE`` so a read-then-write never fails half way with "database is locked".
Requests with a safe method read in a deferred transaction; everything else (other requests,
workers, the CLI) takes the write lock up front. PostgreSQL: services lock rows they change.
"""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager
from contextvars import ContextVar

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

_write_intent: ContextVar[bool] = ContextVar("jobsmgmt_write_intent", default=True)


def set_write_intent(value: bool) -> None:
    """Say whether the next transaction on this thread/context will write."""
    _write_intent.set(value)


@contextmanager
def write_intent():
    token = _write_intent.set(True)
    try:
        yield
    finally:
        _write_intent.reset(token)


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, connection_record):
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None  # SQLAlchemy's begin event decides how to begin
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_on_begin(conn):
    if conn.dialect.name != "sqlite":
        return
    conn.exec_driver_sql("BEGIN IMMEDIATE" if _write_intent.get() else "BEGIN")


def reachable(session: Session) -> bool:
    """Whether the database answers a trivial query (the health check)."""
    try:
        session.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - any failure means unreachable
        return False
    finally:
        session.rollback()


# The trigger-kept counter tables (migrations 0005, 0006, 0012): a handful of rows each, updated by
# every write to ``jobs``.
COUNTER_TABLES = ("job_status_counts", "job_facet_counts", "job_owner_counts")
# PostgreSQL keeps a dead version of a counter row per update until the transaction that made it
# ends, so one transaction writing many jobs (the demo seed, a bulk import) leaves these tables
# thousands of pages long for a few rows (38 MB for 5 rows after 1M inserts), and every dashboard
# request scans them (10 ms). VACUUM reclaims the space but keeps the length; FULL rewrites them
# (milliseconds, for a few rows).
COMPACT_COUNTERS = f"VACUUM (FULL, ANALYZE) {', '.join(COUNTER_TABLES)}"


def compact_counters(engine: Engine) -> None:
    """Rewrite the counter tables after a write of many jobs in one transaction (PostgreSQL;
    SQLite updates them in place)."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(COMPACT_COUNTERS)
