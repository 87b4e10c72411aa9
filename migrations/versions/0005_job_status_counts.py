"""job status counts kept by triggers

Live jobs per status in ``job_status_counts``, maintained by triggers on ``jobs`` in the same
transaction as every insert, status change, soft delete (or undelete) and delete, so the
dashboard's summary is a five-row read instead of a scan of every job.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 17:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

SQLITE_TRIGGERS = (
    """
    CREATE TRIGGER trg_jobs_status_count_insert AFTER INSERT ON jobs
    WHEN NEW.deleted_at IS NULL
    BEGIN
        INSERT INTO job_status_counts (status, job_count) SELECT NEW.status, 1 WHERE true
        ON CONFLICT (status) DO UPDATE SET job_count = job_count + 1;
    END
    """,
    """
    CREATE TRIGGER trg_jobs_status_count_delete AFTER DELETE ON jobs
    WHEN OLD.deleted_at IS NULL
    BEGIN
        UPDATE job_status_counts SET job_count = job_count - 1 WHERE status = OLD.status;
    END
    """,
    """
    CREATE TRIGGER trg_jobs_status_count_update AFTER UPDATE OF status, deleted_at ON jobs
    WHEN OLD.status IS NOT NEW.status
      OR (OLD.deleted_at IS NULL) <> (NEW.deleted_at IS NULL)
    BEGIN
        UPDATE job_status_counts SET job_count = job_count - 1
        WHERE status = OLD.status AND OLD.deleted_at IS NULL;
        INSERT INTO job_status_counts (status, job_count)
        SELECT NEW.status, 1 WHERE NEW.deleted_at IS NULL
        ON CONFLICT (status) DO UPDATE SET job_count = job_count + 1;
    END
    """,
)

# The two counter rows a move touches are locked in a fixed order (by status name), so
# concurrent opposite moves (open→closed and closed→open) never deadlock.
POSTGRESQL_FUNCTION = """
CREATE OR REPLACE FUNCTION jobs_status_count() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    minus text;
    plus text;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        IF OLD.deleted_at IS NULL THEN minus := OLD.status; END IF;
    END IF;
    IF TG_OP <> 'DELETE' THEN
        IF NEW.deleted_at IS NULL THEN plus := NEW.status; END IF;
    END IF;
    IF minus IS NOT DISTINCT FROM plus THEN
        RETURN NULL;
    END IF;
    IF minus IS NOT NULL AND (plus IS NULL OR minus < plus) THEN
        UPDATE job_status_counts SET job_count = job_count - 1 WHERE status = minus;
        minus := NULL;
    END IF;
    IF plus IS NOT NULL THEN
        INSERT INTO job_status_counts (status, job_count) VALUES (plus, 1)
        ON CONFLICT (status) DO UPDATE SET job_count = job_status_counts.job_count + 1;
    END IF;
    IF minus IS NOT NULL THEN
        UPDATE job_status_counts SET job_count = job_count - 1 WHERE status = minus;
    END IF;
    RETURN NULL;
END;
$$
"""
POSTGRESQL_TRIGGER = """
CREATE TRIGGER trg_jobs_status_count
AFTER INSERT OR DELETE OR UPDATE OF status, deleted_at ON jobs
FOR EACH ROW EXECUTE FUNCTION jobs_status_count()
"""


def upgrade():
    op.create_table('job_status_counts',
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('job_count', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('status', name=op.f('pk_job_status_counts'))
    )
    op.execute(
        "INSERT INTO job_status_counts (status, job_count) "
        "SELECT status, count(*) FROM jobs WHERE deleted_at IS NULL GROUP BY status"
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRESQL_FUNCTION)
        op.execute(POSTGRESQL_TRIGGER)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS trg_jobs_status_count ON jobs")
        op.execute("DROP FUNCTION IF EXISTS jobs_status_count()")
    else:
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS trg_jobs_status_count_{name}")
    op.drop_table('job_status_counts')
