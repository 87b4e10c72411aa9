"""job_external_postings.pending_action: the work waiting for the portal

``publish``, ``update`` or ``close`` (NULL: nothing to do), written in the same transaction
that queues the work, so the periodic refresh task finds and repeats delivery that died half
way.

Revision ID: 0011
Revises: 0008 (was 0006; re-chained onto main's head when main was merged in)
Create Date: 2026-12-02 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('job_external_postings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pending_action', sa.String(length=20), nullable=True))
        batch_op.create_index(
            'ix_job_external_postings_pending_action',
            ['pending_action', 'updated_at'],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table('job_external_postings', schema=None) as batch_op:
        batch_op.drop_index('ix_job_external_postings_pending_action')
        batch_op.drop_column('pending_action')
