"""Jobs and their status history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import JSONText, UTCDateTime, new_id, utcnow
from .users import User

STATUSES = ("draft", "open", "on_hold", "closed", "archived")
LIVE = {
    "sqlite_where": text("deleted_at IS NULL"),
    "postgresql_where": text("deleted_at IS NULL"),
}
EMPLOYMENT_TYPES = ("full_time", "part_time", "contract", "internship", "temporary")
# The search index is database-specific and not declared here: SQLite's FTS5 table
# ``job_search`` and its shadow tables (migration 0007), PostgreSQL's table ``job_search`` with
# its ``ix_job_search_body_trgm`` GIN index (0012); both kept by triggers on ``jobs``.
SEARCH_INDEX_TABLE = "job_search"


def outside_models(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic ``include_object``: False for the search index objects the models leave out."""
    if type_ == "table" and reflected and (name or "").startswith(SEARCH_INDEX_TABLE + "_"):
        return False
    if type_ == "table" and reflected and name == SEARCH_INDEX_TABLE:
        return False
    if type_ == "index" and reflected and (name or "").endswith("_trgm"):
        return False
    return True


class Job(db.Model):
    __tablename__ = "jobs"
    __table_args__ = (
        # The dashboard's sort keys, each followed by the id (its tie-breaker), over live jobs
        # only (partial indexes: PostgreSQL cannot take an order from ``deleted_at IS NULL``):
        # pages and deep offsets come from the index alone. The title index also covers the
        # search columns and the status (deleted_at as a last column: SQLite then reads it as
        # covering), so a search sorted by title tests each job without reading its row; the
        # department index lists one department's jobs by title.
        Index("ix_jobs_live_created", "created_at", "id", **LIVE),
        Index("ix_jobs_live_status_created", "status", "created_at", "id", **LIVE),
        Index("ix_jobs_live_published", "published_at", "id", **LIVE),
        Index(
            "ix_jobs_live_title",
            "title",
            "id",
            "department",
            "location",
            "status",
            "deleted_at",
            **LIVE,
        ),
        Index("ix_jobs_live_applications", "application_count", "id", **LIVE),
        Index("ix_jobs_live_views", "view_count", "id", **LIVE),
        Index("ix_jobs_live_deadline", "application_deadline", "id", **LIVE),
        Index("ix_jobs_live_department", "department", "title", "id", **LIVE),
        Index("ix_jobs_location", "location", "deleted_at"),
        Index("ix_jobs_owner_id", "owner_id", "deleted_at"),
        Index("ix_jobs_archived_at", "archived_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    department: Mapped[str] = mapped_column(String(100), nullable=False, default="")
    location: Mapped[str] = mapped_column(String(200), nullable=False, default="")
    employment_type: Mapped[str] = mapped_column(String(20), nullable=False, default="full_time")
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    required_skills: Mapped[list] = mapped_column(JSONText, nullable=False, default=list)
    status: Mapped[str] = mapped_column(String(20), nullable=False, default="draft")
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id"), nullable=False)
    application_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    view_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    application_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    audit_seq: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    audit_checksum: Mapped[str | None] = mapped_column(String(64))

    owner: Mapped[User] = relationship(lazy="joined")


class JobStatusCount(db.Model):
    """Live (non-deleted) jobs per status, kept by database triggers on ``jobs`` (migration
    0005) in the same transaction as the change: the dashboard's summary without a scan."""

    __tablename__ = "job_status_counts"

    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    job_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class JobFacetCount(db.Model):
    """Live jobs per (department, location, status), kept by triggers on ``jobs`` (migrations
    0006, 0012) like ``job_status_counts``: the dashboard's filtered totals for status,
    department and location filters, and the department/location choices with their counts,
    are sums over these few groups instead of counts of jobs. Groups whose jobs are all gone
    stay with a count of 0."""

    __tablename__ = "job_facet_counts"
    __table_args__ = (
        # the dashboard's department / location choices with counts, from the index alone
        Index("ix_job_facet_counts_department_jobs", "department", "job_count"),
        Index("ix_job_facet_counts_location_jobs", "location", "job_count"),
    )

    department: Mapped[str] = mapped_column(String(100), primary_key=True)
    location: Mapped[str] = mapped_column(String(200), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    job_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class JobOwnerCount(db.Model):
    """Live jobs per (owner, department, status), kept by the same triggers: the dashboard's
    total for an owner filter (with or without department and statuses) without a count."""

    __tablename__ = "job_owner_counts"

    owner_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    department: Mapped[str] = mapped_column(String(100), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    job_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


class JobStatusHistory(db.Model):
    __tablename__ = "job_status_history"
    __table_args__ = (Index("ix_job_status_history_job_changed", "job_id", "changed_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id"), nullable=False)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20), nullable=False)
    reason: Mapped[str | None] = mapped_column(Text)
    changed_by: Mapped[str] = mapped_column(ForeignKey("users.id"), nullable=False)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
