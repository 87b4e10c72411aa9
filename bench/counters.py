"""The trigger-kept counter tables (migrations 0005, 0006, 0012): a bench-only switch to run without
them (to measure what they cost concurrent writers), and the check that they equal
``COUNT(*)`` over the live jobs. Works on a plain DB-API connection (sqlite3 or psycopg).

Only ``make bench`` switches the counters off, on its own data set, and it rebuilds them from
the jobs when it switches them back on.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations" / "versions"
# counter table: the job columns it counts by
COUNTERS = {
    "job_status_counts": ("status",),
    "job_facet_counts": ("department", "location", "status"),
    "job_owner_counts": ("owner_id", "department", "status"),
}
PG_TRIGGERS = ("trg_jobs_status_count", "trg_jobs_search_counts")


def _migration(name: str):
    path = next(MIGRATIONS.glob(f"{name}_*.py"))
    spec = importlib.util.spec_from_file_location(f"revision_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _sqlite_triggers() -> dict[str, str]:
    """name → CREATE TRIGGER statement of every counter trigger on SQLite."""
    statements = list(_migration("0005").SQLITE_TRIGGERS)
    statements += [s for s in _migration("0006")._sqlite_triggers() if "owner_counts" in s]
    statements += _migration("0012").SQLITE_FACET_TRIGGERS
    return {s.split("CREATE TRIGGER", 1)[1].split()[0]: s for s in statements}


def is_postgres(conn) -> bool:
    return conn.__class__.__module__.startswith("psycopg")


def switch(conn, on: bool) -> None:
    """Counter triggers off (bench only) or back on, the counters then rebuilt from the jobs."""
    cursor = conn.cursor()
    if is_postgres(conn):
        for name in PG_TRIGGERS:
            cursor.execute(f"ALTER TABLE jobs {'ENABLE' if on else 'DISABLE'} TRIGGER {name}")
    else:
        for name, statement in _sqlite_triggers().items():
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            if on:
                cursor.execute(statement)
    if on:
        rebuild(cursor)
    conn.commit()


def rebuild(cursor) -> None:
    for table, key in COUNTERS.items():
        columns = ", ".join(key)
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - constants
        cursor.execute(
            f"INSERT INTO {table} ({columns}, job_count) SELECT {columns}, count(*) FROM jobs "  # noqa: S608
            f"WHERE deleted_at IS NULL GROUP BY {columns}"
        )


def mismatches(conn) -> list[str]:
    """Every counter row that differs from COUNT(*) over the live jobs (empty: exact)."""
    cursor = conn.cursor()
    problems = []
    for table, key in COUNTERS.items():
        columns = ", ".join(key)
        cursor.execute(f"SELECT {columns}, job_count FROM {table} WHERE job_count <> 0")  # noqa: S608
        kept = {tuple(row[:-1]): row[-1] for row in cursor.fetchall()}
        cursor.execute(
            f"SELECT {columns}, count(*) FROM jobs WHERE deleted_at IS NULL GROUP BY {columns}"  # noqa: S608
        )
        counted = {tuple(row[:-1]): row[-1] for row in cursor.fetchall()}
        for group in sorted(set(kept) | set(counted), key=repr):
            if kept.get(group, 0) != counted.get(group, 0):
                problems.append(
                    f"{table} {group}: kept {kept.get(group)}, counted {counted.get(group)}"
                )
    conn.rollback()
    return problems
