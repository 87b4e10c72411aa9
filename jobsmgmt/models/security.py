"""Hardening tables (migration 0008): the security-event chain, audit checkpoints and the
append-only record of counted job views."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .base import JSONText, UTCDateTime, new_id, utcnow


class SecurityEvent(db.Model):
    """One chain for the whole installation: logins, failed logins, lockouts, tokens, roles and
    users. ``checksum`` is HMAC-SHA-256 (``AUDIT_KEY``) over the entry and the previous checksum,
    like a job's audit entries; ``seq`` is unique, so two writers cannot take the same place."""

    __tablename__ = "security_events"
    __table_args__ = (
        Index("ix_security_events_timestamp", "timestamp"),
        Index("ix_security_events_type", "event_type", "timestamp"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    seq: Mapped[int] = mapped_column(Integer, nullable=False, unique=True)
    event_type: Mapped[str] = mapped_column(String(40), nullable=False)
    user_id: Mapped[str | None] = mapped_column(String(36))  # no FK: the trail outlives users
    email: Mapped[str | None] = mapped_column(String(255))
    actor_id: Mapped[str | None] = mapped_column(String(36))
    ip_address: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict | None] = mapped_column(JSONText)
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    prev_checksum: Mapped[str | None] = mapped_column(String(64))
    checksum: Mapped[str] = mapped_column(String(64), nullable=False)


class AuditChainHead(db.Model):
    """The head of a chain that has no row of its own to carry it (the security-event chain):
    locked while an entry is appended, so the next ``seq`` is taken once."""

    __tablename__ = "audit_chain_heads"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    checksum: Mapped[str | None] = mapped_column(String(64))


class AuditCheckpoint(db.Model):
    """A keyed statement of every chain's head at one moment. ``changed`` lists the heads that
    differ from the previous checkpoint (a delta: replaying all checkpoints gives every head);
    ``heads_digest`` is SHA-256 over all heads; ``mac`` is HMAC-SHA-256 (``AUDIT_KEY``) over
    the rest, including ``prev_mac``. The same record goes to the checkpoint file / log."""

    __tablename__ = "audit_checkpoints"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow)
    jobs_count: Mapped[int] = mapped_column(Integer, nullable=False)
    entries_count: Mapped[int] = mapped_column(Integer, nullable=False)
    security_seq: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    changed: Mapped[list] = mapped_column(JSONText, nullable=False)
    heads_digest: Mapped[str] = mapped_column(String(64), nullable=False)
    prev_mac: Mapped[str | None] = mapped_column(String(64))
    mac: Mapped[str] = mapped_column(String(64), nullable=False)


class AuditCheckpointHead(db.Model):
    """The heads as of the latest checkpoint (the writer's working copy, to compute the next
    delta). Not trusted by verification, which replays the checkpoints themselves."""

    __tablename__ = "audit_checkpoint_heads"

    job_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    checksum: Mapped[str | None] = mapped_column(String(64))


class JobView(db.Model):
    """One counted view: a visitor (salted hash of address + user agent + day; nothing raw) on a
    job's public page on a UTC day. The primary key makes a second view the same day a no-op."""

    __tablename__ = "job_views"
    __table_args__ = (Index("ix_job_views_day", "day"),)

    job_id: Mapped[str] = mapped_column(ForeignKey("jobs.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    visitor: Mapped[str] = mapped_column(String(64), primary_key=True)
