"""Jobs: create, read, edit, soft delete. Each change is one transaction with its audit entry."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Job, User, utcnow
from ..tasks import task, task_session
from . import Actor, audit
from .errors import Conflict, NotFound, ValidationFailed

EDITABLE_FIELDS = (
    "title",
    "department",
    "location",
    "employment_type",
    "description",
    "required_skills",
    "application_deadline",
    "owner_id",
)
DELETABLE_STATUSES = ("draft", "closed", "archived")
OWNER_ROLES = ("admin", "recruiter")  # viewers cannot change a job, so they cannot own one


def snapshot(job: Job) -> dict:
    """The job's editable fields plus status, as plain values (for audit old/new values)."""
    values = {name: getattr(job, name) for name in EDITABLE_FIELDS}
    values["required_skills"] = list(job.required_skills or [])
    values["status"] = job.status
    return values


def serialize(job: Job) -> dict:
    return {
        "id": job.id,
        "title": job.title,
        "department": job.department,
        "location": job.location,
        "employment_type": job.employment_type,
        "description": job.description,
        "required_skills": list(job.required_skills or []),
        "status": job.status,
        "owner_id": job.owner_id,
        "application_deadline": job.application_deadline,
        "view_count": job.view_count,
        "application_count": job.application_count,
        "created_at": job.created_at,
        "updated_at": job.updated_at,
        "published_at": job.published_at,
        "closed_at": job.closed_at,
        "archived_at": job.archived_at,
    }


def get_job(session: Session, job_id: str, *, include_deleted: bool = False) -> Job:
    """A live job (or, with ``include_deleted``, a soft-deleted one too)."""
    job = session.get(Job, job_id)
    if job is None or (job.deleted_at is not None and not include_deleted):
        raise NotFound(f"Job {job_id} was not found.")
    return job


def lock_job(session: Session, job_id: str) -> Job:
    """Load a live job for change, holding its row until commit (serialises concurrent changes
    on PostgreSQL; on SQLite the transaction already holds the write lock)."""
    job = session.scalar(
        select(Job)
        .where(Job.id == job_id, Job.deleted_at.is_(None))
        .with_for_update(of=Job)
        .execution_options(populate_existing=True)
    )
    if job is None:
        raise NotFound(f"Job {job_id} was not found.")
    return job


def check_owner(session: Session, owner_id: str | None) -> None:
    if owner_id is None:
        raise ValidationFailed(
            "owner_id cannot be null.", details={"fields": {"owner_id": "required"}}
        )
    owner = session.get(User, owner_id)
    if owner is None or owner.is_system or not owner.is_active or owner.role not in OWNER_ROLES:
        raise ValidationFailed(
            "The owner must be an active admin or recruiter.",
            details={"fields": {"owner_id": "unknown or inactive user, or a viewer"}},
        )


def check_deadline(deadline, now=None) -> None:
    """A deadline being set must lie in the future: candidates could never apply otherwise."""
    now = now or utcnow()
    if deadline is not None and deadline <= now:
        raise ValidationFailed(
            f"The application deadline {deadline.strftime('%Y-%m-%d %H:%M')} UTC is in the "
            "past; choose a date and time in the future, or leave it empty.",
            code="deadline_in_past",
            details={"fields": {"application_deadline": "must be in the future"}},
        )


def _normalise_skills(skills: list[str]) -> list[str]:
    seen: dict[str, str] = {}
    for skill in skills:
        seen.setdefault(skill.strip().lower(), skill.strip())
    return list(seen.values())


def create_job(session: Session, fields: dict, actor: Actor) -> Job:
    values = {k: v for k, v in fields.items() if k in EDITABLE_FIELDS}
    values["owner_id"] = values.get("owner_id") or actor.user_id
    check_owner(session, values["owner_id"])
    check_deadline(values.get("application_deadline"))
    values["required_skills"] = _normalise_skills(values.get("required_skills") or [])
    now = utcnow()
    job = Job(**values, status="draft", created_at=now, updated_at=now)
    session.add(job)
    session.flush()
    audit.record(session, job, "create", actor, old_values=None, new_values=snapshot(job))
    session.commit()
    return job


def check_editable(job: Job) -> None:
    """Archived jobs are read-only until they are moved back to closed."""
    if job.status == "archived":
        raise Conflict(
            "An archived job cannot be edited; move it to closed first.", code="job_archived"
        )


def check_deletable(job: Job) -> None:
    """Only draft, closed and archived jobs may be (soft-)deleted."""
    if job.status not in DELETABLE_STATUSES:
        raise Conflict(
            f"A job that is {job.status} cannot be deleted; close it first.",
            code="job_not_deletable",
            details={"status": job.status, "deletable_statuses": list(DELETABLE_STATUSES)},
        )


def update_job(
    session: Session,
    job_id: str,
    fields: dict,
    actor: Actor,
    *,
    commit: bool = True,
    extra_audit: dict | None = None,
) -> Job:
    """Edit fields under the row lock, with an audit entry of what changed (``extra_audit`` is
    added to its new values); committed only when ``commit``."""
    job = lock_job(session, job_id)
    check_editable(job)
    changes = {k: v for k, v in fields.items() if k in EDITABLE_FIELDS}
    if "owner_id" in changes:
        check_owner(session, changes["owner_id"])
    if "required_skills" in changes:
        changes["required_skills"] = _normalise_skills(changes["required_skills"])
    if "application_deadline" in changes and (
        changes["application_deadline"] != job.application_deadline
    ):
        check_deadline(changes["application_deadline"])
    before = snapshot(job)
    for name, value in changes.items():
        setattr(job, name, value)
    old, new = audit.changed_fields(before, snapshot(job))
    if new:
        job.updated_at = utcnow()
        audit.record(
            session, job, "update", actor, old_values=old, new_values={**new, **(extra_audit or {})}
        )
        from . import postings  # (postings builds on this module)

        postings.request_updates(session, job, set(new))
    if commit:
        session.commit()
    return job


def delete_job(
    session: Session,
    job_id: str,
    actor: Actor,
    *,
    commit: bool = True,
    extra_audit: dict | None = None,
) -> None:
    """Soft delete: the row and its audit trail stay; the job disappears from every list.
    Committed only when ``commit``; ``extra_audit`` is added to the audit entry's new values."""
    job = lock_job(session, job_id)
    check_deletable(job)
    now = utcnow()
    job.deleted_at = now
    job.updated_at = now
    audit.record(
        session,
        job,
        "delete",
        actor,
        old_values={"deleted_at": None},
        new_values={"deleted_at": now, **(extra_audit or {})},
    )
    if commit:
        session.commit()


def refresh_counters(session: Session, job_id: str) -> Job:
    """Set ``application_count`` and ``view_count`` from the applications and daily view rows."""
    from ..models import Application, JobAnalytics

    job = lock_job(session, job_id)
    job.application_count = session.scalar(
        select(func.count()).select_from(Application).where(Application.job_id == job_id)
    )
    job.view_count = session.scalar(
        select(func.coalesce(func.sum(JobAnalytics.view_count), 0)).where(
            JobAnalytics.job_id == job_id
        )
    )
    session.commit()
    return job


@task
def refresh_job_counters(job_id: str) -> None:
    """Task: recount a job's applications and views from the rows themselves."""
    with task_session() as session:
        refresh_counters(session, job_id)
