"""hardening: security-event chain, audit checkpoints, counted job views

- ``security_events`` (own HMAC chain) and ``audit_chain_heads`` (its head, locked on append);
- ``audit_checkpoints`` (keyed statements of every chain's head) and ``audit_checkpoint_heads``
  (the writer's copy of the last checkpointed heads);
- ``job_views``: one row per visitor (salted hash) per job per UTC day.

Revision ID: 0008
Revises: 0009
Create Date: 2026-12-02 12:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'security_events',
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('event_type', sa.String(length=40), nullable=False),
        sa.Column('user_id', sa.String(length=36), nullable=True),
        sa.Column('email', sa.String(length=255), nullable=True),
        sa.Column('actor_id', sa.String(length=36), nullable=True),
        sa.Column('ip_address', sa.String(length=45), nullable=True),
        sa.Column('user_agent', sa.Text(), nullable=True),
        sa.Column('details', sa.Text(), nullable=True),
        sa.Column('timestamp', sa.DateTime(), nullable=False),
        sa.Column('prev_checksum', sa.String(length=64), nullable=True),
        sa.Column('checksum', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_security_events')),
        sa.UniqueConstraint('seq', name=op.f('uq_security_events_seq')),
    )
    op.create_index('ix_security_events_timestamp', 'security_events', ['timestamp'])
    op.create_index('ix_security_events_type', 'security_events', ['event_type', 'timestamp'])
    op.create_table(
        'audit_chain_heads',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('checksum', sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_audit_chain_heads')),
    )
    op.create_table(
        'audit_checkpoints',
        sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('jobs_count', sa.Integer(), nullable=False),
        sa.Column('entries_count', sa.Integer(), nullable=False),
        sa.Column('security_seq', sa.Integer(), nullable=False),
        sa.Column('changed', sa.Text(), nullable=False),
        sa.Column('heads_digest', sa.String(length=64), nullable=False),
        sa.Column('prev_mac', sa.String(length=64), nullable=True),
        sa.Column('mac', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('seq', name=op.f('pk_audit_checkpoints')),
    )
    op.create_table(
        'audit_checkpoint_heads',
        sa.Column('job_id', sa.String(length=36), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('checksum', sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint('job_id', name=op.f('pk_audit_checkpoint_heads')),
    )
    op.create_table(
        'job_views',
        sa.Column('job_id', sa.String(length=36), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('visitor', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ['job_id'], ['jobs.id'], name=op.f('fk_job_views_job_id_jobs'), ondelete='CASCADE'
        ),
        sa.PrimaryKeyConstraint('job_id', 'day', 'visitor', name=op.f('pk_job_views')),
    )
    op.create_index('ix_job_views_day', 'job_views', ['day'])


def downgrade():
    op.drop_index('ix_job_views_day', table_name='job_views')
    op.drop_table('job_views')
    op.drop_table('audit_checkpoint_heads')
    op.drop_table('audit_checkpoints')
    op.drop_table('audit_chain_heads')
    op.drop_index('ix_security_events_type', table_name='security_events')
    op.drop_index('ix_security_events_timestamp', table_name='security_events')
    op.drop_table('security_events')
