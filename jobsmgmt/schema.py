"""The database schema's revision, and upgrades that cannot lose data.

The desktop edition migrates on its own (``jobsmgmt serve`` and every CLI command that needs the
database); before migrations touch an existing database it takes an online backup into
``backups/`` (the newest five are kept). The hosted edition migrates in its release phase
(``jobsmgmt db upgrade``), so its commands only check and say so when the schema is behind.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import inspect, text

from .config import app_version
from .extensions import db
from .services.errors import ValidationFailed

log = logging.getLogger(__name__)


class SchemaOutOfDate(RuntimeError):
    """The database is not at the code's migration head and this edition does not migrate it."""


@dataclass
class UpgradeReport:
    from_revisions: tuple[str, ...]
    to_revisions: tuple[str, ...]
    backup: Path | None


def migrations_directory(app: Flask) -> str:
    return app.extensions["migrate"].directory


def head_revisions(app: Flask) -> tuple[str, ...]:
    config = Config()
    config.set_main_option("script_location", migrations_directory(app))
    return tuple(sorted(ScriptDirectory.from_config(config).get_heads()))


def current_revisions(engine) -> tuple[str, ...]:
    """The revisions in ``alembic_version`` (empty for a new database). Read with plain SQL:
    Alembic's MigrationContext would log two lines at every CLI call."""
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return ()
        rows = connection.execute(text("SELECT version_num FROM alembic_version"))
        return tuple(sorted(row[0] for row in rows))


def sqlite_path(engine) -> Path | None:
    if engine.dialect.name != "sqlite" or not engine.url.database:
        return None
    if engine.url.database == ":memory:":
        return None
    return Path(engine.url.database)


def ensure_schema(app: Flask, *, migrate: bool, version: str = "") -> UpgradeReport | None:
    """Bring the database to the migration head (``migrate``) or raise ``SchemaOutOfDate``.
    Returns what was done, None when it was already there. Call inside an app context."""
    from flask_migrate import upgrade

    from .backup import automatic_backup, create_private_file, make_private

    engine = db.engine
    path = sqlite_path(engine)
    if path is not None and not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        create_private_file(path)  # SQLite gives its -wal and -shm files the same mode
    elif path is not None:
        make_private(path)  # also a database an earlier version left readable by others
    current = current_revisions(engine)
    head = head_revisions(app)
    if current == head:
        return None
    if not migrate:
        raise SchemaOutOfDate(
            f"The database is at migration {', '.join(current) or 'none (empty)'}, this version "
            f"needs {', '.join(head)}: run `jobsmgmt db upgrade` first."
        )
    backup = None
    if current and path is not None and app.config.get("DATA_DIR"):
        backup = automatic_backup(
            engine,
            Path(app.config["DATA_DIR"]),
            version or app_version(),
            app.config.get("AUDIT_CHECKPOINT_FILE"),
        )
        log.info(
            "Backed up the database at migration %s to %s before upgrading to %s",
            ", ".join(current),
            backup,
            ", ".join(head),
        )
    db.session.remove()
    upgrade(directory=migrations_directory(app))
    if path is not None:
        make_private(path)
    log.info("Database migrated from %s to %s", ", ".join(current) or "empty", ", ".join(head))
    return UpgradeReport(current, head, backup)


def restore_sqlite(app, source: Path, version: str) -> dict:
    """Replace the desktop database with the backup at ``source``: copy it aside, migrate the
    copy to this version's head, verify its audit chains and checkpoints with this
    installation's AUDIT_KEY, back the current database (and its checkpoint file) up into
    ``backups/``, then swap the copy in, and its checkpoints with it: the checkpoint file that
    ``jobsmgmt backup`` put beside the backup, else the ones the backup holds itself (the
    replaced database's file, left in place, would report the restored one as cut short). Nothing
    changes when any step fails. The caller holds the instance lock (no server is running)."""
    from alembic import command
    from alembic.util import CommandError
    from sqlalchemy import create_engine
    from sqlalchemy.orm import Session

    from .backup import (
        automatic_backup,
        check_sqlite_file,
        checkpoints_beside,
        create_private_file,
        make_private,
    )
    from .services import audit, checkpoints, integrity

    live = sqlite_path(db.engine)
    if live is None:
        raise ValidationFailed(
            "restore replaces the desktop edition's SQLite file; restore PostgreSQL with "
            "pg_restore or your platform's database backups."
        )
    source = Path(source).resolve()
    if source == live.resolve():
        raise ValidationFailed(f"{source} is the live database.")
    check_sqlite_file(source)
    companion = checkpoints_beside(source)
    file_records, unreadable = None, 0
    if companion.is_file():
        try:
            with open(companion, encoding="utf-8") as handle:
                file_records, unreadable = checkpoints.parse_lines(handle)
        except (OSError, UnicodeDecodeError) as error:
            raise ValidationFailed(
                f"The checkpoint file beside the backup, {companion}, cannot be read ({error}). "
                "Nothing was restored."
            ) from error
    live_checkpoints = app.config.get("AUDIT_CHECKPOINT_FILE")
    staging = live.with_name(live.name + ".restoring")
    staged_checkpoints = Path(f"{live_checkpoints}.restoring") if live_checkpoints else None
    leftovers = (staging, Path(f"{staging}-wal"), Path(f"{staging}-shm"), staged_checkpoints)
    leftovers = tuple(path for path in leftovers if path is not None)
    for leftover in leftovers:
        leftover.unlink(missing_ok=True)
    create_private_file(staging)
    reader = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    writer = sqlite3.connect(staging)
    try:
        reader.backup(writer)
    finally:
        writer.close()
        reader.close()
    engine = create_engine(f"sqlite:///{staging}")
    try:
        revisions = current_revisions(engine)
        if not revisions:
            raise ValidationFailed(f"{source} is not a jobsmgmt database (no migrations).")
        config = app.extensions["migrate"].migrate.get_config(migrations_directory(app))
        with engine.begin() as connection:
            config.attributes["connection"] = connection  # migrations/env.py migrates this
            try:
                command.upgrade(config, "head")
            except CommandError as error:
                raise ValidationFailed(
                    f"{source} was made by a newer version of jobsmgmt ({error})."
                ) from error
        with Session(engine, info={"audit_key": app.config["AUDIT_KEY"]}) as session:
            key = audit.signing_key(session)
            report = integrity.verify(session, key, checkpoint_records=file_records)
            table_records = checkpoints.table_records(session)
        engine.dispose()
        if not report.valid:
            first = report.problems[0]
            checked = f"{source}" + (f" with {companion}" if file_records is not None else "")
            raise ValidationFailed(
                f"The audit trail of {checked} does not verify ({len(report.problems)} "
                f"problem(s); first: {first.kind} at {first.job_id or 'checkpoint'} seq "
                f"{first.seq}: {first.message}). It was changed after the backup, or made with "
                "another AUDIT_KEY (secrets.json). Nothing was restored."
            )
        if staged_checkpoints is not None:
            # The file's records (verified against the table above), and the table's newer
            # ones: a checkpoint taken while the backup was copied is in the table only.
            records = {record["seq"]: record for record in table_records}
            records.update((record["seq"], record) for record in file_records or [])
            checkpoints.write_file([records[seq] for seq in sorted(records)], staged_checkpoints)
        safety = None
        if live.exists() and live.stat().st_size:
            safety = automatic_backup(db.engine, live.parent, version, live_checkpoints)
        db.session.remove()
        db.engine.dispose()
        for stale in (Path(f"{live}-wal"), Path(f"{live}-shm")):
            stale.unlink(missing_ok=True)
        os.replace(staging, live)
        make_private(live)
    except BaseException:
        engine.dispose()
        for leftover in leftovers:
            leftover.unlink(missing_ok=True)
        raise
    if staged_checkpoints is not None:
        try:
            os.replace(staged_checkpoints, live_checkpoints)
        except OSError as error:
            raise ValidationFailed(
                f"The backup was restored, but its checkpoint file could not replace "
                f"{live_checkpoints} ({error}). Move {staged_checkpoints} there before starting "
                "jobsmgmt; until then `jobsmgmt audit verify` reports the restored jobs as cut."
            ) from error
    return {
        "from_revisions": revisions,
        "jobs_checked": report.jobs_checked,
        "entries_checked": report.entries_checked,
        "checkpoints_checked": report.checkpoints_checked,
        "checkpoints_from": str(companion) if file_records is not None else None,
        "checkpoints_unreadable": unreadable,
        "safety_backup": safety,
    }
