"""The job status lifecycle: the one transition mapping and the change that applies it.

A change is one transaction: the job's status and timestamps, a ``job_status_history`` row, an
audit entry and (when someone other than the owner acts) a notification to the owner.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from ..models import STATUSES, Job, JobStatusHistory, User, utcnow
from ..schemas.common import unstorable_text
from . import Actor, audit, notifications, postings
from .errors import Conflict, InvalidTransition, ValidationFailed
from .jobs import lock_job

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "draft": ("open", "archived"),
    "open": ("on_hold", "closed"),
    "on_hold": ("open", "closed"),
    "closed": ("open", "archived"),
    "archived": ("closed",),
}
MAX_REASON_LENGTH = 1000
WITHDRAWING_STATUSES = ("closed", "archived")
STATUS_LABELS = {status: status.replace("_", " ") for status in STATUSES}


@dataclass
class StatusChange:
    job: Job
    previous_status: str
    changed: bool


def allowed_moves(status: str) -> tuple[str, ...]:
    """The statuses a job in ``status`` may move to."""
    return TRANSITIONS.get(status, ())


def latest_change(session: Session, job: Job) -> JobStatusHistory | None:
    """The history row that put the job in its current status (its reason, who and when)."""
    from sqlalchemy import select

    return session.scalar(
        select(JobStatusHistory)
        .where(JobStatusHistory.job_id == job.id, JobStatusHistory.to_status == job.status)
        .order_by(JobStatusHistory.changed_at.desc(), JobStatusHistory.id.desc())
        .limit(1)
    )


def _check_status(new_status: str) -> None:
    if new_status not in TRANSITIONS:
        raise ValidationFailed(
            f"Unknown status {new_status!r}; use one of {', '.join(STATUSES)}.",
            details={"fields": {"status": f"must be one of {', '.join(STATUSES)}"}},
        )


def _check_reason(reason: str | None) -> None:
    if reason is not None and unstorable_text(reason):
        raise ValidationFailed(
            "The reason contains characters that cannot be stored.",
            details={"fields": {"reason": "NUL characters or invalid Unicode"}},
        )
    if reason is not None and len(reason) > MAX_REASON_LENGTH:
        raise ValidationFailed(
            f"The reason may have at most {MAX_REASON_LENGTH} characters.",
            details={"fields": {"reason": f"at most {MAX_REASON_LENGTH} characters"}},
        )


def plan_status_change(job: Job, new_status: str, *, now: datetime | None = None) -> dict:
    """The field changes moving ``job`` to ``new_status`` would make, as
    ``{"field": {"from": old, "to": new}}`` (``{}`` for the same status). Writes nothing.

    Timestamps: the first move to open sets ``published_at``; a move to closed sets
    ``closed_at`` (kept when un-archiving: the job stayed closed); reopening clears it;
    archiving sets ``archived_at`` and leaving archived clears it.
    """
    _check_status(new_status)
    current = job.status
    if new_status == current:
        return {}
    allowed = allowed_moves(current)
    if new_status not in allowed:
        raise InvalidTransition(
            f"A job that is {STATUS_LABELS.get(current, current)} cannot move to "
            f"{STATUS_LABELS[new_status]}; allowed: "
            f"{', '.join(STATUS_LABELS[s] for s in allowed) or 'none'}.",
            details={"allowed": list(allowed), "current": current},
        )
    now = now or utcnow()
    deadline = getattr(job, "application_deadline", None)  # (the demo's stand-ins have none)
    if new_status == "open" and deadline is not None and deadline <= now:
        raise Conflict(
            "The job cannot be opened: its application deadline "
            f"{deadline.strftime('%Y-%m-%d %H:%M')} UTC has passed. "
            "Set a future deadline (or none) first.",
            code="deadline_passed",
            details={"application_deadline": deadline.isoformat()},
        )
    target = {"status": new_status}
    if new_status == "open":
        if job.published_at is None:
            target["published_at"] = now
        target["closed_at"] = None
    if new_status == "closed" and not (current == "archived" and job.closed_at is not None):
        target["closed_at"] = now
    if new_status == "archived":
        target["archived_at"] = now
    if current == "archived":
        target["archived_at"] = None
    changes = {}
    for name, value in target.items():
        old = getattr(job, name)
        if old != value:
            changes[name] = {"from": old, "to": value}
    return changes


def change_status(
    session: Session,
    job_id: str,
    new_status: str,
    actor: Actor,
    reason: str | None = None,
    *,
    commit: bool = True,
    extra_audit: dict | None = None,
    expected_status: str | None = None,
) -> StatusChange:
    """Move a job to ``new_status`` under its row lock: status, timestamps, history, audit and
    the owner's notification in one transaction (committed only when ``commit``).

    ``expected_status`` (pages): refuse with 409 ``status_changed`` when someone else changed
    the status since the form was shown.
    """
    _check_status(new_status)
    reason = (reason or "").strip() or None
    _check_reason(reason)
    job = lock_job(session, job_id)
    previous = job.status
    if expected_status is not None and previous != expected_status:
        raise Conflict(
            f"The job is now {STATUS_LABELS.get(previous, previous)} (it was "
            f"{STATUS_LABELS.get(expected_status, expected_status)} when you opened the form); "
            "nothing was changed.",
            code="status_changed",
            details={"current": previous, "allowed": list(allowed_moves(previous))},
        )
    now = utcnow()
    changes = plan_status_change(job, new_status, now=now)
    if not changes:
        if commit:
            session.commit()
        return StatusChange(job=job, previous_status=previous, changed=False)

    for name, change in changes.items():
        setattr(job, name, change["to"])
    job.updated_at = now
    session.add(
        JobStatusHistory(
            job_id=job.id,
            from_status=previous,
            to_status=new_status,
            reason=reason,
            changed_by=actor.user_id,
            changed_at=now,
        )
    )
    new_values = {name: change["to"] for name, change in changes.items()}
    new_values["reason"] = reason
    new_values.update(extra_audit or {})
    audit.record(
        session,
        job,
        "status_change",
        actor,
        old_values={name: change["from"] for name, change in changes.items()},
        new_values=new_values,
    )
    if new_status in WITHDRAWING_STATUSES:
        # In the same flow: the job's live postings are withdrawn, CLOSE queued on commit.
        postings.withdraw_live_postings(
            session, job, actor, now=now, reason=f"job {STATUS_LABELS[new_status]}"
        )
    if actor.user_id != job.owner_id:
        _notify_owner(session, job, previous, new_status, actor, reason)
    if commit:
        session.commit()
    return StatusChange(job=job, previous_status=previous, changed=True)


def _notify_owner(
    session: Session, job: Job, previous: str, new_status: str, actor: Actor, reason: str | None
) -> None:
    who = session.get(User, actor.user_id)
    name = who.name if who is not None else "Someone"
    message = (
        f"{name} moved “{job.title}” from {STATUS_LABELS[previous]} to {STATUS_LABELS[new_status]}."
    )
    if reason:
        message += f" Reason: {reason}"
    notifications.notify(
        session, job.owner_id, "status_change", message, job_id=job.id, link=f"/jobs/{job.id}"
    )
