"""Bulk operations: the database row is the state of the background work."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import JSONText, UTCDateTime, new_id, utcnow

BULK_OPERATIONS = ("status_update", "update_fields", "extend_deadline", "post_external", "delete")
BULK_STATUSES = ("queued", "processing", "completed", "completed_with_errors", "failed")


class BulkOperation(db.Model):
    __tablename__ = "bulk_operations"
    __table_args__ = (
        Index("idx_bulk_operations_status", "status"),
        Index("ix_bulk_operations_created_at", "created_at"),
        Index("uq_bulk_operations_undo_of", "undo_of", unique=True),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    operation_type: Mapped[str] = mapped_column(String(50), nullable=False)
    job_ids: Mapped[list] = mapped_column(JSONText, nullable=False)
    parameters: Mapped[dict] = mapped_column(JSONText, nullable=False)
    status: Mapped[str] = mapped_column(String(50), nullable=False, default="queued")
    total_count: Mapped[int] = mapped_column(Integer, nullable=False)
    success_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    failure_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    error_details: Mapped[str | None] = mapped_column(Text)
    results: Mapped[list] = mapped_column(JSONText, nullable=False, default=list)
    initiated_by: Mapped[str] = mapped_column(ForeignKey("users.id"), nullable=False)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    # An undo operation (operation_type "undo") names the operation it undoes (once only).
    undo_of: Mapped[str | None] = mapped_column(
        ForeignKey("bulk_operations.id", name="fk_bulk_operations_undo_of")
    )
