"""The per-job audit chain. ``job_id`` does not cascade: the audit outlives everything."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import JSONText, UTCDateTime, new_id, utcnow


class JobAuditLog(db.Model):
    __tablename__ = "job_audit_log"
    __table_args__ = (
        UniqueConstraint("job_id", "seq", name="uq_job_audit_log_job_seq"),
        Index("idx_job_audit_log_job_id", "job_id"),
        Index("idx_job_audit_log_timestamp", "timestamp"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id"), nullable=False)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    action_type: Mapped[str] = mapped_column(String(50), nullable=False)
    entity_type: Mapped[str] = mapped_column(String(50), nullable=False)
    old_values: Mapped[dict | None] = mapped_column(JSONText)
    new_values: Mapped[dict | None] = mapped_column(JSONText)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), nullable=False)
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(Text)
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    prev_checksum: Mapped[str | None] = mapped_column(String(64))
    checksum: Mapped[str] = mapped_column(String(64), nullable=False)
