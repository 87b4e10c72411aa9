"""External postings: the rows that say a job should be (or was) on LinkedIn, Naukri or Indeed.

This module keeps the ``job_external_postings`` rows per API.md's rules: posting again to a portal
that is ``pending``/``posted`` leaves it unchanged; one that ``failed``/``expired``/``withdrawn``
is queued again (``pending``); only open jobs are posted. Delivery to the portals themselves (the
adapters and the sandbox) is not built here.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..models import PORTALS, Job, JobExternalPosting, utcnow
from . import Actor, audit
from .errors import Conflict, ValidationFailed

LIVE_STATUSES = ("pending", "posted")
REQUEUE_STATUSES = ("failed", "expired", "withdrawn")
DEFAULT_EXPIRES_IN_DAYS = 30


def check_portals(portals: list[str]) -> list[str]:
    unknown = [p for p in portals if p not in PORTALS]
    if unknown or not portals:
        raise ValidationFailed(
            f"Portals must be among {', '.join(PORTALS)}.",
            details={"fields": {"portals": f"unknown: {', '.join(unknown) or 'none given'}"}},
        )
    return list(dict.fromkeys(portals))


def postings_by_portal(session: Session, job_id: str) -> dict[str, JobExternalPosting]:
    rows = session.scalars(select(JobExternalPosting).where(JobExternalPosting.job_id == job_id))
    return {row.portal: row for row in rows}


def plan_postings(session: Session, job: Job, portals: list[str]) -> dict:
    """What posting ``job`` to ``portals`` would change (pure): ``{"postings.<portal>":
    {"from": <status or None>, "to": "pending"}}`` for new or re-queued postings."""
    portals = check_portals(portals)
    if job.status != "open":
        raise Conflict(
            f"Only open jobs can be posted to portals; this job is {job.status}.",
            code="job_not_open",
            details={"status": job.status},
        )
    existing = postings_by_portal(session, job.id)
    changes = {}
    for portal in portals:
        row = existing.get(portal)
        if row is None or row.status in REQUEUE_STATUSES:
            changes[f"postings.{portal}"] = {"from": row.status if row else None, "to": "pending"}
    return changes


def request_postings(
    session: Session,
    job: Job,
    portals: list[str],
    actor: Actor,
    *,
    expires_in_days: int = DEFAULT_EXPIRES_IN_DAYS,
    extra_audit: dict | None = None,
    now: datetime | None = None,
) -> list[JobExternalPosting]:
    """Create or re-queue postings of a locked ``job`` in the caller's transaction (no commit).
    Returns the job's postings for ``portals``, unchanged ones included."""
    changes = plan_postings(session, job, portals)
    now = now or utcnow()
    expires_at = now + timedelta(days=expires_in_days)
    existing = postings_by_portal(session, job.id)
    result = []
    for portal in check_portals(portals):
        row = existing.get(portal)
        if f"postings.{portal}" in changes:
            if row is None:
                row = JobExternalPosting(job_id=job.id, portal=portal, created_at=now)
                session.add(row)
            row.status = "pending"
            row.error_message = None
            row.posted_at = None
            row.expires_at = expires_at
            row.updated_at = now
        result.append(row)
    if changes:
        job.updated_at = now
        audit.record(
            session,
            job,
            "posting_requested",
            actor,
            old_values={key: value["from"] for key, value in changes.items()},
            new_values={
                **{key: value["to"] for key, value in changes.items()},
                "expires_at": expires_at,
                **(extra_audit or {}),
            },
            entity_type="job_external_posting",
        )
    return result
