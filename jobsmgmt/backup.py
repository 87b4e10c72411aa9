"""Backups of the desktop edition's SQLite database.

``jobsmgmt backup PATH`` and the automatic copy taken before migrations are applied to an existing
database both use SQLite's online backup API, so they are consistent while the app keeps running.
Every copy is created owner-readable only (0600), like the database itself. The audit checkpoint
file (``audit-checkpoints.jsonl``) travels with each copy, as ``<copy>.audit-checkpoints.jsonl``:
it is the outside record of that database's audit chains, and ``jobsmgmt restore`` puts it back
with the database.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from .services.errors import ValidationFailed

BACKUP_DIR = "backups"
KEEP_BACKUPS = 5
CHECKPOINTS_SUFFIX = ".audit-checkpoints.jsonl"


def create_private_file(path: Path) -> None:
    """Create ``path`` empty with mode 0600 (refusing if it exists)."""
    descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    os.close(descriptor)


def make_private(path: Path) -> None:
    """The database file and its WAL/shared-memory files: owner-readable only."""
    for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if candidate.exists():
            os.chmod(candidate, 0o600)


def backup_sqlite(engine, target: Path, checkpoint_file: str | Path | None = None) -> int:
    """Copy the live database to ``target`` (refusing to overwrite), and the checkpoint file, if
    given and present, beside it; returns the database copy's size in bytes."""
    if engine.dialect.name != "sqlite":
        raise ValidationFailed(
            "backup copies the desktop edition's SQLite file; back up PostgreSQL with pg_dump "
            "or your platform's database backups."
        )
    target = Path(target)
    if target.exists():
        raise ValidationFailed(f"{target} already exists; choose a new file name.")
    target.parent.mkdir(parents=True, exist_ok=True)
    beside = copy_checkpoints(checkpoint_file, target)  # first: see copy_checkpoints
    create_private_file(target)
    source = engine.raw_connection()
    try:
        destination = sqlite3.connect(target)
        try:
            source.driver_connection.backup(destination)
        finally:
            destination.close()
    except BaseException:
        target.unlink(missing_ok=True)
        if beside is not None:
            beside.unlink(missing_ok=True)
        raise
    finally:
        source.close()
    return target.stat().st_size


def checkpoints_beside(database: Path) -> Path:
    """Where a copy of the database keeps its copy of the audit checkpoint file."""
    database = Path(database)
    return database.with_name(database.name + CHECKPOINTS_SUFFIX)


def copy_checkpoints(checkpoint_file: str | Path | None, database: Path) -> Path | None:
    """Copy the checkpoint file to where the copy ``database`` keeps it (owner-readable only
    from the start); None when there is no file to copy. Copy it *before* the database: a
    checkpoint taken in between is then in the copied table only, which verifies, where a file
    ahead of its database would not."""
    if not checkpoint_file or not Path(checkpoint_file).is_file():
        return None
    target = checkpoints_beside(database)
    try:
        target.unlink(missing_ok=True)
        create_private_file(target)
        with open(checkpoint_file, "rb") as source, open(target, "wb") as copy:
            shutil.copyfileobj(source, copy)
            copy.flush()
            os.fsync(copy.fileno())
    except OSError as error:
        raise ValidationFailed(f"Cannot copy {checkpoint_file} to {target}: {error}") from error
    return target


def automatic_backup_path(data_dir: Path, version: str, now: datetime | None = None) -> Path:
    """``backups/jobsmgmt-<version>-<UTC timestamp>.db``, never an existing file."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    directory = Path(data_dir) / BACKUP_DIR
    path = directory / f"jobsmgmt-{version}-{stamp}.db"
    number = 2
    while path.exists():
        path = directory / f"jobsmgmt-{version}-{stamp}-{number}.db"
        number += 1
    return path


def automatic_backups(data_dir: Path) -> list[Path]:
    """The automatic backups, oldest first."""
    directory = Path(data_dir) / BACKUP_DIR
    if not directory.is_dir():
        return []
    return sorted(directory.glob("jobsmgmt-*.db"), key=lambda p: (p.stat().st_mtime, p.name))


def prune_backups(data_dir: Path, keep: int = KEEP_BACKUPS) -> list[Path]:
    """Delete all but the newest ``keep`` automatic backups; returns the deleted paths."""
    backups = automatic_backups(data_dir)
    doomed = backups[: max(len(backups) - keep, 0)]
    for path in doomed:
        path.unlink(missing_ok=True)
        checkpoints_beside(path).unlink(missing_ok=True)
    return doomed


def automatic_backup(
    engine, data_dir: Path, version: str, checkpoint_file: str | Path | None = None
) -> Path:
    """Back the live database (and its checkpoint file) up into ``backups/`` and keep the
    newest ``KEEP_BACKUPS``."""
    path = automatic_backup_path(data_dir, version)
    os.makedirs(path.parent, mode=0o700, exist_ok=True)
    backup_sqlite(engine, path, checkpoint_file)
    prune_backups(data_dir)
    return path


def check_sqlite_file(source: Path) -> None:
    if not source.is_file():
        raise ValidationFailed(f"{source} is not a file.")
    try:
        connection = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            (result,) = connection.execute("PRAGMA integrity_check").fetchone()
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise ValidationFailed(f"{source} is not a SQLite database ({error}).") from error
    if result != "ok":
        raise ValidationFailed(f"{source} is damaged: integrity check says {result}.")
