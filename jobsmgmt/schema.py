"""The database schema's revision, and upgrades that cannot lose data.

The desktop edition migrates on its own (``jobsmgmt serve`` and every CLI command that needs the
database); before migrations touch an existing database it takes an online backup into
``backups/`` (the newest five are kept). The hosted edition migrates in its release phase
(``jobsmgmt db upgrade``), so its commands only check and say so when the schema is behind.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import inspect, text

from .extensions import db

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

    from . import version as app_version
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
        backup = automatic_backup(engine, Path(app.config["DATA_DIR"]), version or app_version())
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
