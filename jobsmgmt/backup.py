"""``jobsmgmt backup PATH``: a consistent copy of the desktop edition's SQLite database, taken
with SQLite's online backup API while the app keeps running."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from .services.errors import ValidationFailed


def backup_sqlite(engine, target: Path) -> int:
    """Copy the live database to ``target`` (refusing to overwrite); returns its size in bytes."""
    if engine.dialect.name != "sqlite":
        raise ValidationFailed(
            "backup copies the desktop edition's SQLite file; back up PostgreSQL with pg_dump "
            "or your platform's database backups."
        )
    target = Path(target)
    if target.exists():
        raise ValidationFailed(f"{target} already exists; choose a new file name.")
    target.parent.mkdir(parents=True, exist_ok=True)
    source = engine.raw_connection()
    try:
        destination = sqlite3.connect(target)
        try:
            source.driver_connection.backup(destination)
        finally:
            destination.close()
    finally:
        source.close()
    return target.stat().st_size
