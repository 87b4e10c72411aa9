"""Postings of a job on external portals (the seed's ``job_external_postings``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import JSONText, UTCDateTime, new_id, utcnow

PORTALS = ("linkedin", "naukri", "indeed")
POSTING_STATUSES = ("pending", "posted", "failed", "expired", "withdrawn")
POSTING_ACTIONS = ("publish", "update", "close")


class JobExternalPosting(db.Model):
    __tablename__ = "job_external_postings"
    __table_args__ = (
        UniqueConstraint("job_id", "portal", name="uq_job_external_postings_job_portal"),
        Index("idx_job_external_postings_job_id", "job_id"),
        Index("ix_job_external_postings_status_expires", "status", "expires_at"),
        Index("ix_job_external_postings_pending_action", "pending_action", "updated_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), nullable=False)
    portal: Mapped[str] = mapped_column(String(50), nullable=False)
    external_job_id: Mapped[str | None] = mapped_column(String(255))
    external_url: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(50), nullable=False, default="pending")
    posted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error_message: Mapped[str | None] = mapped_column(Text)
    # The seed's column is called ``metadata``, a name SQLAlchemy reserves on models.
    meta: Mapped[dict | None] = mapped_column("metadata", JSONText)
    # The work waiting for the portal: publish, update or close (None: nothing to do).
    pending_action: Mapped[str | None] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow
    )
