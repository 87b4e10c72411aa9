"""bulk operations: undo_of; dashboard facet choices from an index

An undo is itself a bulk operation (``operation_type`` ``undo``) that names the operation it
undoes in ``undo_of``. The unique index makes "only once" hold under concurrent requests on
both databases (NULLs do not collide).

The dashboard's department and location choices (with job counts) are a GROUP BY over
``job_facet_counts``; ``(department, job_count)`` and ``(location, job_count)`` let it read the
index alone (25 ms → 3 ms on 10k jobs, SQLite).

Revision ID: 0009
Revises: 0007
Create Date: 2026-12-02 12:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_job_facet_counts_department_jobs', 'job_facet_counts', ['department', 'job_count']
    )
    op.create_index(
        'ix_job_facet_counts_location_jobs', 'job_facet_counts', ['location', 'job_count']
    )
    with op.batch_alter_table('bulk_operations') as batch:
        batch.add_column(sa.Column('undo_of', sa.String(length=36), nullable=True))
        batch.create_index('uq_bulk_operations_undo_of', ['undo_of'], unique=True)
        batch.create_foreign_key(
            'fk_bulk_operations_undo_of', 'bulk_operations', ['undo_of'], ['id']
        )


def downgrade():
    with op.batch_alter_table('bulk_operations') as batch:
        batch.drop_constraint('fk_bulk_operations_undo_of', type_='foreignkey')
        batch.drop_index('uq_bulk_operations_undo_of')
        batch.drop_column('undo_of')
    op.drop_index('ix_job_facet_counts_location_jobs', table_name='job_facet_counts')
    op.drop_index('ix_job_facet_counts_department_jobs', table_name='job_facet_counts')
