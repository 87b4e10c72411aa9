"""Candidates, their applications to jobs and every stage change."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import JSONText, UTCDateTime, new_id, utcnow

STAGES = ("applied", "shortlisted", "interview", "offer", "hired", "rejected", "withdrawn")
PIPELINE = ("applied", "shortlisted", "interview", "offer", "hired")
FINAL_STAGES = ("hired", "rejected", "withdrawn")


class Candidate(db.Model):
    __tablename__ = "candidates"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    email: Mapped[str] = mapped_column(String(255), unique=True, nullable=False)
    phone: Mapped[str | None] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)


class Application(db.Model):
    """One per candidate per job. ``reached_*_at`` keep the first time the application reached
    that stage or a later one, which is what the analytics funnel counts."""

    __tablename__ = "applications"
    __table_args__ = (
        UniqueConstraint("job_id", "candidate_id", name="uq_applications_job_candidate"),
        Index("ix_applications_job_applied", "job_id", "applied_at"),
        Index("ix_applications_job_stage", "job_id", "stage"),
        Index("ix_applications_applied_at", "applied_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id"), nullable=False)
    candidate_id: Mapped[str] = mapped_column(ForeignKey("candidates.id"), nullable=False)
    stage: Mapped[str] = mapped_column(String(20), nullable=False, default="applied")
    match_score: Mapped[Decimal | None] = mapped_column(Numeric(5, 2))
    source: Mapped[str | None] = mapped_column(String(100))
    resume_text: Mapped[str | None] = mapped_column(Text)
    skills: Mapped[list] = mapped_column(JSONText, nullable=False, default=list)
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    reached_shortlisted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reached_interview_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reached_offer_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reached_hired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    candidate: Mapped[Candidate] = relationship(lazy="joined")


class ApplicationStageEvent(db.Model):
    __tablename__ = "application_stage_events"
    __table_args__ = (Index("ix_stage_events_application", "application_id", "changed_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    application_id: Mapped[str] = mapped_column(ForeignKey("applications.id"), nullable=False)
    from_stage: Mapped[str | None] = mapped_column(String(20))
    to_stage: Mapped[str] = mapped_column(String(20), nullable=False)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    changed_by: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
