"""dashboard facet counts and search values kept by triggers

Two counter tables maintained by triggers on ``jobs`` in the same transaction as every insert,
edit of title/department/location, status change, soft delete (or undelete) and delete, in the
manner of ``job_status_counts`` (0005):

- ``job_facet_counts``: live jobs per (title, department, location, status), so the
  dashboard's total for status, department and search filters is a sum over a few thousand
  groups instead of a count over every job;
- ``job_owner_counts``: live jobs per (owner, department, status), the same for owner filters;
- ``job_search_values``: every distinct title, department and location of live jobs, so a
  search matches its term against a few hundred strings and then filters jobs by equality.

Indexes: the title index also covers the search columns and the status (a search sorted by
title reads no job rows to test them; it replaces ``ix_jobs_live_search``), the department
index lists a department's live jobs by title, and ``jobs.location`` gets one (a search
matching only locations reads it).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 19:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

# counter table: the job columns it counts by (its primary key, in that order)
FACETS = {
    "job_facet_counts": ("title", "department", "location", "status"),
    "job_owner_counts": ("owner_id", "department", "status"),
}
SEARCH_FIELDS = ("department", "location", "title")


def _facet(table: str, row: str, delta: str) -> str:
    key = FACETS[table]
    if delta == "+1":
        columns = ", ".join(key)
        values = ", ".join(f"{row}.{column}" for column in key)
        return (
            f"INSERT INTO {table} ({columns}, job_count) "
            f"SELECT {values}, 1 WHERE {row}.deleted_at IS NULL "
            f"ON CONFLICT ({columns}) DO UPDATE SET job_count = job_count + 1;"
        )
    match = " AND ".join(f"{column} = {row}.{column}" for column in key)
    return (
        f"UPDATE {table} SET job_count = job_count - 1 "
        f"WHERE {match} AND {row}.deleted_at IS NULL;"
    )


def _values(row: str, delta: str) -> str:
    statements = []
    for field in SEARCH_FIELDS:
        if delta == "+1":
            statements.append(
                f"INSERT INTO job_search_values (field, value, job_count) "
                f"SELECT '{field}', {row}.{field}, 1 WHERE {row}.deleted_at IS NULL "
                f"ON CONFLICT (field, value) DO UPDATE SET job_count = job_count + 1;"
            )
        else:
            statements.append(
                f"UPDATE job_search_values SET job_count = job_count - 1 "
                f"WHERE field = '{field}' AND value = {row}.{field} "
                f"AND {row}.deleted_at IS NULL;"
            )
    return "\n        ".join(statements)


def _changed(columns) -> str:
    moved = " OR ".join(f"OLD.{column} IS NOT NEW.{column}" for column in columns)
    return f"{moved} OR (OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL)"


def _sqlite_triggers():
    counters = [
        (table.removeprefix("job_"), lambda row, delta, t=table: _facet(t, row, delta), key)
        for table, key in FACETS.items()
    ]
    counters.append(("search_values", _values, SEARCH_FIELDS))
    for name, body, columns in counters:
        yield f"""
    CREATE TRIGGER trg_jobs_{name}_insert AFTER INSERT ON jobs
    WHEN NEW.deleted_at IS NULL
    BEGIN
        {body("NEW", "+1")}
    END
    """
        yield f"""
    CREATE TRIGGER trg_jobs_{name}_delete AFTER DELETE ON jobs
    WHEN OLD.deleted_at IS NULL
    BEGIN
        {body("OLD", "-1")}
    END
    """
        yield f"""
    CREATE TRIGGER trg_jobs_{name}_update AFTER UPDATE OF {", ".join(columns)}, deleted_at ON jobs
    WHEN {_changed(columns)}
    BEGIN
        {body("OLD", "-1")}
        {body("NEW", "+1")}
    END
    """


SQLITE_TRIGGER_NAMES = [
    f"trg_jobs_{name}_{event}"
    for name in ("facet_counts", "owner_counts", "search_values")
    for event in ("insert", "delete", "update")
]

# Every counter row a change touches is locked in a fixed order (facets by key, then owner
# counts by key, then search values by field and value), so concurrent opposite edits never
# deadlock each other.
POSTGRESQL_FUNCTION = """
CREATE OR REPLACE FUNCTION jobs_search_counts() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    old_key text[];  -- department, location, title, status, owner_id of a live job
    new_key text[];
    old_owner text[];
    new_owner text[];
    old_value text;
    new_value text;
    fields text[] := ARRAY['department', 'location', 'title'];
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

    -- job_search_values by (field, value)
    FOR i IN 1..3 LOOP
        old_value := old_key[i];
        new_value := new_key[i];
        CONTINUE WHEN old_value IS NOT DISTINCT FROM new_value;
        IF old_value IS NOT NULL AND (new_value IS NULL OR old_value < new_value) THEN
            UPDATE job_search_values SET job_count = job_count - 1
            WHERE field = fields[i] AND value = old_value;
        END IF;
        IF new_value IS NOT NULL THEN
            INSERT INTO job_search_values (field, value, job_count) VALUES (fields[i], new_value, 1)
            ON CONFLICT (field, value) DO UPDATE SET job_count = job_search_values.job_count + 1;
        END IF;
        IF old_value IS NOT NULL AND new_value IS NOT NULL AND old_value > new_value THEN
            UPDATE job_search_values SET job_count = job_count - 1
            WHERE field = fields[i] AND value = old_value;
        END IF;
    END LOOP;
    RETURN NULL;
END;
$$
"""
POSTGRESQL_TRIGGER = """
CREATE TRIGGER trg_jobs_search_counts
AFTER INSERT OR DELETE OR UPDATE OF title, department, location, status, owner_id, deleted_at
ON jobs FOR EACH ROW EXECUTE FUNCTION jobs_search_counts()
"""


def upgrade():
    op.create_table('job_facet_counts',
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('department', sa.String(length=100), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('job_count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('title', 'department', 'location', 'status', name=op.f('pk_job_facet_counts'))
    )
    with op.batch_alter_table('job_facet_counts', schema=None) as batch_op:
        batch_op.create_index('ix_job_facet_counts_department', ['department'], unique=False)
        batch_op.create_index('ix_job_facet_counts_location', ['location'], unique=False)

    op.create_table('job_owner_counts',
    sa.Column('owner_id', sa.String(length=36), nullable=False),
    sa.Column('department', sa.String(length=100), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('job_count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('owner_id', 'department', 'status', name=op.f('pk_job_owner_counts'))
    )
    op.create_table('job_search_values',
    sa.Column('field', sa.String(length=20), nullable=False),
    sa.Column('value', sa.String(length=200), nullable=False),
    sa.Column('job_count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('field', 'value', name=op.f('pk_job_search_values'))
    )
    live = {
        "sqlite_where": sa.text("deleted_at IS NULL"),
        "postgresql_where": sa.text("deleted_at IS NULL"),
    }
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_jobs_live_search', **live)
        batch_op.drop_index('ix_jobs_live_title', **live)
        batch_op.drop_index('ix_jobs_department')
        batch_op.create_index('ix_jobs_live_title', ['title', 'id', 'department', 'location', 'status', 'deleted_at'], unique=False, **live)
        batch_op.create_index('ix_jobs_live_department', ['department', 'title', 'id'], unique=False, **live)
        batch_op.create_index('ix_jobs_location', ['location', 'deleted_at'], unique=False)

    for table, key in FACETS.items():
        columns = ", ".join(key)
        op.execute(
            f"INSERT INTO {table} ({columns}, job_count) SELECT {columns}, count(*) FROM jobs "
            f"WHERE deleted_at IS NULL GROUP BY {columns}"
        )
    for field in SEARCH_FIELDS:
        op.execute(
            f"INSERT INTO job_search_values (field, value, job_count) "
            f"SELECT '{field}', {field}, count(*) FROM jobs "
            f"WHERE deleted_at IS NULL GROUP BY {field}"
        )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRESQL_FUNCTION)
        op.execute(POSTGRESQL_TRIGGER)
    else:
        for statement in _sqlite_triggers():
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS trg_jobs_search_counts ON jobs")
        op.execute("DROP FUNCTION IF EXISTS jobs_search_counts()")
    else:
        for name in SQLITE_TRIGGER_NAMES:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    live = {
        "sqlite_where": sa.text("deleted_at IS NULL"),
        "postgresql_where": sa.text("deleted_at IS NULL"),
    }
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index('ix_jobs_location')
        batch_op.drop_index('ix_jobs_live_department', **live)
        batch_op.drop_index('ix_jobs_live_title', **live)
        batch_op.create_index('ix_jobs_department', ['department', 'deleted_at'], unique=False)
        batch_op.create_index('ix_jobs_live_title', ['title', 'id'], unique=False, **live)
        batch_op.create_index('ix_jobs_live_search', ['title', 'department', 'location', 'status', 'deleted_at'], unique=False, **live)
    op.drop_table('job_search_values')
    op.drop_table('job_owner_counts')
    with op.batch_alter_table('job_facet_counts', schema=None) as batch_op:
        batch_op.drop_index('ix_job_facet_counts_location')
        batch_op.drop_index('ix_job_facet_counts_department')
    op.drop_table('job_facet_counts')
