"""Daily analytics rows per job (the seed's ``job_analytics``)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import UTCDateTime, new_id, utcnow


class JobAnalytics(db.Model):
    __tablename__ = "job_analytics"
    __table_args__ = (
        UniqueConstraint("job_id", "date", name="uq_job_analytics_job_date"),
        Index("idx_job_analytics_job_id", "job_id"),
        Index("idx_job_analytics_date", "date"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), nullable=False)
    date: Mapped[date] = mapped_column(Date, nullable=False)
    view_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    application_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    shortlist_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    interview_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    offer_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    hire_count: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    avg_match_score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    median_match_score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    time_to_fill: Mapped[int | None] = mapped_column(Integer)
    time_to_first_application: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, nullable=False, default=utcnow, onupdate=utcnow
    )
