"""In-app notifications: written inside the caller's transaction, read and marked per user."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from ..models import Notification, utcnow
from .errors import NotFound

MAX_MESSAGE_LENGTH = 2000


def notify(
    session: Session,
    user_id: str,
    kind: str,
    message: str,
    job_id: str | None = None,
    link: str | None = None,
) -> Notification:
    """Add a notification for ``user_id`` to the caller's transaction (no commit)."""
    notification = Notification(
        user_id=user_id,
        kind=kind,
        message=message[:MAX_MESSAGE_LENGTH],
        job_id=job_id,
        link=link,
        created_at=utcnow(),
    )
    session.add(notification)
    return notification


def list_for_user(
    session: Session, user_id: str, page: int = 1, limit: int = 20, unread_only: bool = False
) -> tuple[list[Notification], int]:
    """A user's notifications, newest first, and how many there are in all."""
    where = [Notification.user_id == user_id]
    if unread_only:
        where.append(Notification.read_at.is_(None))
    total = session.scalar(select(func.count()).select_from(Notification).where(*where))
    rows = session.scalars(
        select(Notification)
        .where(*where)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .offset((page - 1) * limit)
        .limit(limit)
    ).all()
    return list(rows), total


def unread_count(session: Session, user_id: str) -> int:
    """One COUNT over the (user_id, read_at, created_at) index."""
    return session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
    )


def mark_read(session: Session, user_id: str, notification_id: str | None = None) -> int:
    """Mark one notification (or, without an id, all of them) as read; returns how many
    changed. Someone else's notification is a 404."""
    now = utcnow()
    if notification_id is not None:
        notification = session.get(Notification, notification_id)
        if notification is None or notification.user_id != user_id:
            raise NotFound("Notification not found.")
        changed = 0
        if notification.read_at is None:
            notification.read_at = now
            changed = 1
        session.commit()
        return changed
    result = session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=now)
    )
    session.commit()
    return result.rowcount or 0


def open_notification(session: Session, user_id: str, notification_id: str) -> str | None:
    """Mark the notification read (the user is following it) and return its link."""
    mark_read(session, user_id, notification_id)
    notification = session.get(Notification, notification_id)
    return notification.link if notification is not None else None
