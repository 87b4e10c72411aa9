"""trigram search index; job_search_values removed

The dashboard's and careers page's substring search (title, department or location contains
the term, case-insensitive, ``%``, ``_`` and ``\\`` literal) reads a trigram index instead of
matching the term against the distinct values (``job_search_values``, 0006), which only worked
while titles repeated:

- SQLite: an FTS5 table ``job_search`` with ``tokenize='trigram'`` over the live jobs' title,
  department and location (external content: it stores only the index and reads ``jobs`` by
  rowid), kept in step by triggers on ``jobs`` in the same transaction. A quoted phrase of 3+
  characters matches exactly the rows whose column contains it.
- PostgreSQL: the ``pg_trgm`` extension and a GIN index (``gin_trgm_ops``) per column over
  live jobs, which ``ILIKE '%term%'`` uses for terms of 3+ characters.

``job_search_values`` and its triggers go (PostgreSQL: the facet/owner trigger function is
replaced by the same function without the search-values part).

Note for later migrations on SQLite: the FTS index refers to ``jobs`` by rowid. A migration
that rebuilds ``jobs`` (``batch_alter_table``) may renumber rowids and must repopulate
``job_search`` afterwards (``repopulate_sqlite`` below shows how).

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 12:30:00

"""

import importlib.util
from pathlib import Path

from alembic import op


# revision identifiers, used by Alembic.
revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

COLUMNS = ("title", "department", "location")
SQLITE_FTS = (
    "CREATE VIRTUAL TABLE job_search USING fts5(title, department, location, "
    "content='jobs', content_rowid='rowid', tokenize='trigram')"
)
_NEW = ", ".join(f"NEW.{c}" for c in COLUMNS)
_OLD = ", ".join(f"OLD.{c}" for c in COLUMNS)
_CHANGED = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in COLUMNS)
SQLITE_TRIGGERS = (
    f"""
    CREATE TRIGGER trg_jobs_search_insert AFTER INSERT ON jobs
    WHEN NEW.deleted_at IS NULL
    BEGIN
        INSERT INTO job_search (rowid, title, department, location) VALUES (NEW.rowid, {_NEW});
    END
    """,
    f"""
    CREATE TRIGGER trg_jobs_search_delete AFTER DELETE ON jobs
    WHEN OLD.deleted_at IS NULL
    BEGIN
        INSERT INTO job_search (job_search, rowid, title, department, location)
        VALUES ('delete', OLD.rowid, {_OLD});
    END
    """,
    f"""
    CREATE TRIGGER trg_jobs_search_update AFTER UPDATE OF title, department, location, deleted_at
    ON jobs
    WHEN {_CHANGED} OR (OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL)
    BEGIN
        INSERT INTO job_search (job_search, rowid, title, department, location)
        SELECT 'delete', OLD.rowid, {_OLD} WHERE OLD.deleted_at IS NULL;
        INSERT INTO job_search (rowid, title, department, location)
        SELECT NEW.rowid, {_NEW} WHERE NEW.deleted_at IS NULL;
    END
    """,
)
SQLITE_TRIGGER_NAMES = (
    "trg_jobs_search_insert",
    "trg_jobs_search_delete",
    "trg_jobs_search_update",
)
OLD_SQLITE_TRIGGERS = tuple(
    f"trg_jobs_search_values_{event}" for event in ("insert", "delete", "update")
)
PG_INDEXES = {column: f"ix_jobs_live_{column}_trgm" for column in COLUMNS}

# 0006's function without the job_search_values part (facet and owner counts unchanged).
POSTGRESQL_FUNCTION = """
CREATE OR REPLACE FUNCTION jobs_search_counts() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_key text[];  -- department, location, title, status, owner_id of a live job
    new_key text[];
    old_owner text[];
    new_owner text[];
BEGIN
    IF TG_OP <> 'INSERT' THEN
        IF OLD.deleted_at IS NULL THEN
            old_key := ARRAY[OLD.department, OLD.location, OLD.title, OLD.status, OLD.owner_id];
        END IF;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        IF NEW.deleted_at IS NULL THEN
            new_key := ARRAY[NEW.department, NEW.location, NEW.title, NEW.status, NEW.owner_id];
        END IF;
    END IF;
    IF old_key IS NOT DISTINCT FROM new_key THEN
        RETURN NULL;
    END IF;

    -- job_facet_counts by (department, location, title, status)
    IF old_key[1:4] IS DISTINCT FROM new_key[1:4] THEN
        IF old_key IS NOT NULL AND (new_key IS NULL OR old_key[1:4] < new_key[1:4]) THEN
            UPDATE job_facet_counts SET job_count = job_count - 1
            WHERE department = old_key[1] AND location = old_key[2] AND title = old_key[3]
              AND status = old_key[4];
        END IF;
        IF new_key IS NOT NULL THEN
            INSERT INTO job_facet_counts (department, location, title, status, job_count)
            VALUES (new_key[1], new_key[2], new_key[3], new_key[4], 1)
            ON CONFLICT (title, department, location, status)
            DO UPDATE SET job_count = job_facet_counts.job_count + 1;
        END IF;
        IF old_key IS NOT NULL AND new_key IS NOT NULL AND old_key[1:4] > new_key[1:4] THEN
            UPDATE job_facet_counts SET job_count = job_count - 1
            WHERE department = old_key[1] AND location = old_key[2] AND title = old_key[3]
              AND status = old_key[4];
        END IF;
    END IF;

    -- job_owner_counts by (owner_id, department, status)
    IF old_key IS NOT NULL THEN
        old_owner := ARRAY[old_key[5], old_key[1], old_key[4]];
    END IF;
    IF new_key IS NOT NULL THEN
        new_owner := ARRAY[new_key[5], new_key[1], new_key[4]];
    END IF;
    IF old_owner IS DISTINCT FROM new_owner THEN
        IF old_owner IS NOT NULL AND (new_owner IS NULL OR old_owner < new_owner) THEN
            UPDATE job_owner_counts SET job_count = job_count - 1
            WHERE owner_id = old_owner[1] AND department = old_owner[2] AND status = old_owner[3];
        END IF;
        IF new_owner IS NOT NULL THEN
            INSERT INTO job_owner_counts (owner_id, department, status, job_count)
            VALUES (new_owner[1], new_owner[2], new_owner[3], 1)
            ON CONFLICT (owner_id, department, status)
            DO UPDATE SET job_count = job_owner_counts.job_count + 1;
        END IF;
        IF old_owner IS NOT NULL AND new_owner IS NOT NULL AND old_owner > new_owner THEN
            UPDATE job_owner_counts SET job_count = job_count - 1
            WHERE owner_id = old_owner[1] AND department = old_owner[2] AND status = old_owner[3];
        END IF;
    END IF;
    RETURN NULL;
END;
$$
"""


def repopulate_sqlite():
    """Index every live job again (after ``jobs`` was rebuilt or its rowids changed)."""
    op.execute("INSERT INTO job_search (job_search) VALUES ('delete-all')")
    op.execute(
        "INSERT INTO job_search (rowid, title, department, location) "
        "SELECT rowid, title, department, location FROM jobs WHERE deleted_at IS NULL"
    )


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute(POSTGRESQL_FUNCTION)
        for column, name in PG_INDEXES.items():
            op.execute(
                f"CREATE INDEX {name} ON jobs USING gin ({column} gin_trgm_ops) "
                "WHERE deleted_at IS NULL"
            )
    else:
        for name in OLD_SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute(SQLITE_FTS)
        repopulate_sqlite()
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)
    op.drop_table("job_search_values")


def _revision_0006():
    path = Path(__file__).with_name("0006_dashboard_search_counts.py")
    spec = importlib.util.spec_from_file_location("revision_0006", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def downgrade():
    previous = _revision_0006()
    op.execute(
        "CREATE TABLE job_search_values (field VARCHAR(20) NOT NULL, value VARCHAR(200) NOT NULL, "
        "job_count INTEGER NOT NULL, CONSTRAINT pk_job_search_values PRIMARY KEY (field, value))"
    )
    for field in previous.SEARCH_FIELDS:
        op.execute(
            f"INSERT INTO job_search_values (field, value, job_count) "
            f"SELECT '{field}', {field}, count(*) FROM jobs "
            f"WHERE deleted_at IS NULL GROUP BY {field}"
        )
    if op.get_bind().dialect.name == "postgresql":
        for name in PG_INDEXES.values():
            op.execute(f"DROP INDEX IF EXISTS {name}")
        op.execute(previous.POSTGRESQL_FUNCTION)
    else:
        for name in SQLITE_TRIGGER_NAMES:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS job_search")
        for statement in previous._sqlite_triggers():
            if "search_values" in statement:
                op.execute(statement)
