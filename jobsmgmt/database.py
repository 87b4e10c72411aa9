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
