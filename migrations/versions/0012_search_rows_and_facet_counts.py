"""search and filter cost that does not grow with the jobs: PostgreSQL search rows, facet
counts without the title

Measured on 10k and 100k realistic jobs (most titles distinct, ``make bench``):

1. PostgreSQL search. 0007 gave it a trigram GIN index per column, read by ``title ILIKE
   '%term%' OR …``; the planner rarely used them for the OR of three columns and tested every
   job instead, at about 1.3 µs a job (13 ms at 10k, ~125 ms at 100k). Now PostgreSQL has what
   SQLite's FTS5 ``job_search`` is: a side table ``job_search`` of the live jobs, one row each,
   ``body = lower(title) || U+001F || lower(department) || U+001F || lower(location)``, under
   one GIN trigram index. ``body LIKE lower('%term%')`` (what ``ILIKE`` does) compares bytes
   of narrow rows: 2 ms for a term matching 37 % of 10k jobs, 0.2 ms for a rare one, and a
   search alone is counted without reading ``jobs``. A term holding U+001F could span two
   fields there, so the service tests such (rare) terms per column instead. Kept by triggers
   on ``jobs`` in the same transaction; a status change does not touch it. The per-column
   trigram indexes of 0007 go.
2. ``job_facet_counts`` (0006) counted live jobs per (title, department, location, status).
   Since 0007 nothing reads the title, and with real titles there is a group per job: the
   department filter's spelling lookup, its total and the page's department/location choices
   read ~100k rows at 100k jobs (22 ms SQLite, 43 ms PostgreSQL). It is now per (department,
   location, status), a few thousand groups at most. A title edit no longer touches it.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 16:10:00

"""

import importlib.util
from pathlib import Path

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

SEARCH_COLUMNS = ("title", "department", "location")
OLD_INDEXES = {column: f"ix_jobs_live_{column}_trgm" for column in SEARCH_COLUMNS}
BODY = "lower({0}.title) || chr(31) || lower({0}.department) || chr(31) || lower({0}.location)"

POSTGRESQL_SEARCH = (
    # (the foreign key: a TRUNCATE of jobs … CASCADE empties it too; no trigger sees that)
    "CREATE TABLE job_search (job_id VARCHAR(36) PRIMARY KEY "
    "REFERENCES jobs (id) ON DELETE CASCADE, body TEXT NOT NULL)",
    f"INSERT INTO job_search (job_id, body) SELECT id, {BODY.format('jobs')} FROM jobs "
    "WHERE deleted_at IS NULL",
    # after the rows: one build, and no pending list for the planner to cost
    "CREATE INDEX ix_job_search_body_trgm ON job_search USING gin (body gin_trgm_ops)",
    f"""
    CREATE OR REPLACE FUNCTION jobs_search_index() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' AND (TG_OP = 'DELETE' OR NEW.deleted_at IS NOT NULL) THEN
            DELETE FROM job_search WHERE job_id = OLD.id;
        END IF;
        IF TG_OP <> 'DELETE' AND NEW.deleted_at IS NULL THEN
            INSERT INTO job_search (job_id, body) VALUES (NEW.id, {BODY.format("NEW")})
            ON CONFLICT (job_id) DO UPDATE SET body = EXCLUDED.body;
        END IF;
        RETURN NULL;
    END;
    $$
    """,
    """
    CREATE TRIGGER trg_jobs_search_insert AFTER INSERT ON jobs
    FOR EACH ROW WHEN (NEW.deleted_at IS NULL) EXECUTE FUNCTION jobs_search_index()
    """,
    """
    CREATE TRIGGER trg_jobs_search_delete AFTER DELETE ON jobs
    FOR EACH ROW WHEN (OLD.deleted_at IS NULL) EXECUTE FUNCTION jobs_search_index()
    """,
    """
    CREATE TRIGGER trg_jobs_search_update
    AFTER UPDATE OF title, department, location, deleted_at ON jobs FOR EACH ROW
    WHEN (OLD.title IS DISTINCT FROM NEW.title OR OLD.department IS DISTINCT FROM NEW.department
          OR OLD.location IS DISTINCT FROM NEW.location
          OR (OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL))
    EXECUTE FUNCTION jobs_search_index()
    """,
)

FACET_KEY = ("department", "location", "status")
_COLUMNS = ", ".join(FACET_KEY)


def _facet(row: str, delta: str) -> str:
    if delta == "+1":
        values = ", ".join(f"{row}.{column}" for column in FACET_KEY)
        return (
            f"INSERT INTO job_facet_counts ({_COLUMNS}, job_count) "
            f"SELECT {values}, 1 WHERE {row}.deleted_at IS NULL "
            f"ON CONFLICT ({_COLUMNS}) DO UPDATE SET job_count = job_count + 1;"
        )
    match = " AND ".join(f"{column} = {row}.{column}" for column in FACET_KEY)
    return (
        f"UPDATE job_facet_counts SET job_count = job_count - 1 "
        f"WHERE {match} AND {row}.deleted_at IS NULL;"
    )


_MOVED = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in FACET_KEY)
SQLITE_FACET_TRIGGERS = (
    f"""
    CREATE TRIGGER trg_jobs_facet_counts_insert AFTER INSERT ON jobs
    WHEN NEW.deleted_at IS NULL
    BEGIN
        {_facet("NEW", "+1")}
    END
    """,
    f"""
    CREATE TRIGGER trg_jobs_facet_counts_delete AFTER DELETE ON jobs
    WHEN OLD.deleted_at IS NULL
    BEGIN
        {_facet("OLD", "-1")}
    END
    """,
    f"""
    CREATE TRIGGER trg_jobs_facet_counts_update AFTER UPDATE OF {_COLUMNS}, deleted_at ON jobs
    WHEN {_MOVED} OR (OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL)
    BEGIN
        {_facet("OLD", "-1")}
        {_facet("NEW", "+1")}
    END
    """,
)
SQLITE_FACET_TRIGGER_NAMES = tuple(
    f"trg_jobs_facet_counts_{event}" for event in ("insert", "delete", "update")
)

# 0007's function with the facet key (department, location, status). Every counter row a change
# touches is still locked in a fixed order (facets by key, then owner counts by key), so
# concurrent opposite edits never deadlock each other.
POSTGRESQL_COUNTS_FUNCTION = """
CREATE OR REPLACE FUNCTION jobs_search_counts() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_key text[];  -- department, location, status, owner_id of a live job
    new_key text[];
    old_owner text[];
    new_owner text[];
BEGIN
    IF TG_OP <> 'INSERT' THEN
        IF OLD.deleted_at IS NULL THEN
            old_key := ARRAY[OLD.department, OLD.location, OLD.status, OLD.owner_id];
        END IF;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        IF NEW.deleted_at IS NULL THEN
            new_key := ARRAY[NEW.department, NEW.location, NEW.status, NEW.owner_id];
        END IF;
    END IF;
    IF old_key IS NOT DISTINCT FROM new_key THEN
        RETURN NULL;
    END IF;

    -- job_facet_counts by (department, location, status)
    IF old_key[1:3] IS DISTINCT FROM new_key[1:3] THEN
        IF old_key IS NOT NULL AND (new_key IS NULL OR old_key[1:3] < new_key[1:3]) THEN
            UPDATE job_facet_counts SET job_count = job_count - 1
            WHERE department = old_key[1] AND location = old_key[2] AND status = old_key[3];
        END IF;
        IF new_key IS NOT NULL THEN
            INSERT INTO job_facet_counts (department, location, status, job_count)
            VALUES (new_key[1], new_key[2], new_key[3], 1)
            ON CONFLICT (department, location, status)
            DO UPDATE SET job_count = job_facet_counts.job_count + 1;
        END IF;
        IF old_key IS NOT NULL AND new_key IS NOT NULL AND old_key[1:3] > new_key[1:3] THEN
            UPDATE job_facet_counts SET job_count = job_count - 1
            WHERE department = old_key[1] AND location = old_key[2] AND status = old_key[3];
        END IF;
    END IF;

    -- job_owner_counts by (owner_id, department, status)
    IF old_key IS NOT NULL THEN
        old_owner := ARRAY[old_key[4], old_key[1], old_key[3]];
    END IF;
    IF new_key IS NOT NULL THEN
        new_owner := ARRAY[new_key[4], new_key[1], new_key[3]];
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
POSTGRESQL_COUNTS_TRIGGER = """
CREATE TRIGGER trg_jobs_search_counts
AFTER INSERT OR DELETE OR UPDATE OF department, location, status, owner_id, deleted_at
ON jobs FOR EACH ROW EXECUTE FUNCTION jobs_search_counts()
"""


def _facet_table(key: tuple[str, ...]) -> None:
    """``job_facet_counts`` by ``key``, filled from the live jobs."""
    lengths = {"title": 200, "department": 100, "location": 200, "status": 20}
    op.create_table(
        "job_facet_counts",
        *(sa.Column(column, sa.String(length=lengths[column]), nullable=False) for column in key),
        sa.Column("job_count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(*key, name=op.f("pk_job_facet_counts")),
    )
    columns = ", ".join(key)
    op.execute(
        f"INSERT INTO job_facet_counts ({columns}, job_count) SELECT {columns}, count(*) "
        f"FROM jobs WHERE deleted_at IS NULL GROUP BY {columns}"
    )


def _drop_facet_table(indexes: tuple[str, ...]) -> None:
    for name in indexes:
        op.drop_index(name, table_name="job_facet_counts")
    op.drop_table("job_facet_counts")


CHOICE_INDEXES = ("ix_job_facet_counts_department_jobs", "ix_job_facet_counts_location_jobs")
OLD_FACET_INDEXES = ("ix_job_facet_counts_department", "ix_job_facet_counts_location")


def upgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        op.execute("DROP TRIGGER IF EXISTS trg_jobs_search_counts ON jobs")
    else:
        for name in SQLITE_FACET_TRIGGER_NAMES:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    _drop_facet_table(OLD_FACET_INDEXES + CHOICE_INDEXES)
    _facet_table(FACET_KEY)
    # the dashboard's department / location choices with counts, from the index alone
    op.create_index(CHOICE_INDEXES[0], "job_facet_counts", ["department", "job_count"])
    op.create_index(CHOICE_INDEXES[1], "job_facet_counts", ["location", "job_count"])
    if postgresql:
        op.execute(POSTGRESQL_COUNTS_FUNCTION)
        op.execute(POSTGRESQL_COUNTS_TRIGGER)
        for statement in POSTGRESQL_SEARCH:
            op.execute(statement)
        for name in OLD_INDEXES.values():
            op.execute(f"DROP INDEX IF EXISTS {name}")
        op.execute("ANALYZE job_search")
    else:
        for statement in SQLITE_FACET_TRIGGERS:
            op.execute(statement)


def _revision(name: str):
    path = next(Path(__file__).parent.glob(f"{name}_*.py"))
    spec = importlib.util.spec_from_file_location(f"revision_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def downgrade():
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        for event in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS trg_jobs_search_{event} ON jobs")
        op.execute("DROP FUNCTION IF EXISTS jobs_search_index()")
        op.execute("DROP TABLE IF EXISTS job_search")
        for column, name in OLD_INDEXES.items():
            op.execute(
                f"CREATE INDEX {name} ON jobs USING gin ({column} gin_trgm_ops) "
                "WHERE deleted_at IS NULL"
            )
        op.execute("DROP TRIGGER IF EXISTS trg_jobs_search_counts ON jobs")
    else:
        for name in SQLITE_FACET_TRIGGER_NAMES:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    _drop_facet_table(CHOICE_INDEXES)
    _facet_table(("title", "department", "location", "status"))
    for name, column in zip(OLD_FACET_INDEXES, ("department", "location"), strict=True):
        op.create_index(name, "job_facet_counts", [column])
    op.create_index(CHOICE_INDEXES[0], "job_facet_counts", ["department", "job_count"])
    op.create_index(CHOICE_INDEXES[1], "job_facet_counts", ["location", "job_count"])
    revision_0006 = _revision("0006")
    if postgresql:
        op.execute(_revision("0007").POSTGRESQL_FUNCTION)
        op.execute(revision_0006.POSTGRESQL_TRIGGER)
    else:
        for statement in revision_0006._sqlite_triggers():
            if "trg_jobs_facet_counts_" in statement:
                op.execute(statement)
