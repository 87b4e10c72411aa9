"""Migrations build the schema on empty SQLite and PostgreSQL databases, and match the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from jobsmgmt.extensions import db
from jobsmgmt.models.jobs import outside_models

TABLES = {
    "users",
    "api_tokens",
    "user_sessions",
    "jobs",
    "job_status_history",
    "candidates",
    "applications",
    "application_stage_events",
    "notifications",
    "job_analytics",
    "job_external_postings",
    "job_audit_log",
    "bulk_operations",
    "security_events",
    "audit_chain_heads",
    "audit_checkpoints",
    "audit_checkpoint_heads",
    "job_views",
}


def _check(url: str) -> None:
    engine = create_engine(url)
    try:
        inspector = inspect(engine)
        assert TABLES <= set(inspector.get_table_names())
        audit_fk = inspector.get_foreign_keys("job_audit_log")
        job_fk = next(fk for fk in audit_fk if fk["referred_table"] == "jobs")
        assert (job_fk.get("options") or {}).get("ondelete") is None  # audit outlives jobs
        columns = {c["name"] for c in inspector.get_columns("job_external_postings")}
        assert "metadata" in columns
        with engine.connect() as connection:
            diff = compare_metadata(
                MigrationContext.configure(
                    connection, opts={"compare_type": True, "include_object": outside_models}
                ),
                db.metadata,
            )
            system = connection.execute(
                text(
                    "SELECT is_system FROM users WHERE id = '00000000-0000-0000-0000-000000000000'"
                )
            ).scalar()
        assert diff == [], f"models and migrations differ: {diff}"
        assert system in (True, 1)
    finally:
        engine.dispose()


def test_sqlite_upgrade_matches_models(sqlite_app):
    _check(sqlite_app.config["SQLALCHEMY_DATABASE_URI"])


def test_postgres_upgrade_matches_models(pg_app):
    _check(pg_app.config["SQLALCHEMY_DATABASE_URI"])


def test_sqlite_pragmas(sqlite_app):
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
