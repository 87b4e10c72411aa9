"""Undo of a finished bulk operation: itself a bulk operation (``operation_type`` ``undo``,
``undo_of`` naming the original) with a dry run, progress, history and audit entries.

Each job the original changed gets back the values it had before, read from the audit entry
the original wrote for it (``new_values.bulk_operation_id``; its ``old_values`` are the previous
values) and checked against the original's result. A job whose audit chain has moved on since
that entry was changed by someone (or something) else: it is skipped as ``changed_since``,
naming who changed it and when. The same rules as any change apply (an open job needs a future
deadline, the owner must be an active recruiter or admin).

The run works like any bulk operation — one job per transaction, its result appended to the
undo's ``results`` in the same transaction, so a killed worker resumes without doing a job
twice — as its own task (``run_bulk_undo``), which the resume task picks for ``undo`` rows.
Undoing ``post_external`` withdraws the postings it made that are still live (CLOSE at the
portal, queued on commit); a job posted again by someone else since is ``changed_since``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..models import BulkOperation, Job, JobAuditLog, JobStatusHistory, User, utcnow
from ..tasks import setting, stop_requested, task, task_session
from . import Actor, audit, bulk, jobs, postings
from .errors import Conflict, DomainError

log = logging.getLogger(__name__)

UNDO = "undo"
POST_EXTERNAL = "post_external"
STATUS_FIELDS = ("status", "published_at", "closed_at", "archived_at")
RESTORABLE = {
    "status_update": STATUS_FIELDS,
    "update_fields": jobs.EDITABLE_FIELDS,
    "extend_deadline": ("application_deadline",),
    "delete": ("deleted_at",),
}
TIME_FIELDS = {"published_at", "closed_at", "archived_at", "deleted_at", "application_deadline"}


def check_undoable(session: Session, original: BulkOperation) -> None:
    """Only a finished operation of a kind that can be undone, and only once."""
    if original.operation_type == UNDO:
        raise Conflict("An undo cannot itself be undone.", code="cannot_undo_undo")
    if not can_undo(original.operation_type):
        raise Conflict(
            f"A {original.operation_type} operation cannot be undone.", code="undo_not_supported"
        )
    if original.status not in bulk.FINAL_STATUSES:
        raise Conflict(
            f"Only a finished operation can be undone; this one is {original.status}.",
            code="operation_not_finished",
            details={"status": original.status},
        )
    done = undone_by(session, original.id)
    if done is not None:
        raise Conflict(
            "This operation has already been undone.",
            code="already_undone",
            details={"undo_operation_id": done.id},
        )


def can_undo(operation_type: str) -> bool:
    """Whether operations of this kind can be undone (field restores, or withdrawing posts)."""
    return operation_type in RESTORABLE or operation_type == POST_EXTERNAL


def undone_by(session: Session, op_id: str) -> BulkOperation | None:
    return session.scalar(select(BulkOperation).where(BulkOperation.undo_of == op_id))


def _time(value) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _value(field: str, value):
    """An audit-log value as the job's attribute holds it."""
    return _time(value) if field in TIME_FIELDS else value


def _entry_of(session: Session, original: BulkOperation, job_id: str) -> JobAuditLog | None:
    """The audit entry the original operation wrote for this job."""
    entries = session.scalars(
        select(JobAuditLog)
        .where(JobAuditLog.job_id == job_id, JobAuditLog.timestamp >= original.created_at)
        .order_by(JobAuditLog.seq)
    )
    for entry in entries:
        if (entry.new_values or {}).get("bulk_operation_id") == original.id:
            return entry
    return None


def _changed_since(session: Session, job_id: str, seq: int) -> str:
    """Who changed the job after audit entry ``seq``, for the skip message."""
    later = session.execute(
        select(JobAuditLog.action_type, JobAuditLog.timestamp, User.name)
        .join(User, User.id == JobAuditLog.user_id)
        .where(JobAuditLog.job_id == job_id, JobAuditLog.seq > seq)
        .order_by(JobAuditLog.seq.desc())
        .limit(1)
    ).first()
    if later is None:
        return "Changed since this operation; not restored."
    action, moment, name = later
    return (
        f"Changed since by {name} ({action.replace('_', ' ')}, "
        f"{moment.strftime('%Y-%m-%d %H:%M')} UTC); not restored."
    )


def _error(job_id: str, code: str, message: str) -> bulk.Plan:
    return bulk.Plan(job_id, "error", error={"code": code, "message": message})


def plan_job(session: Session, original: BulkOperation, job_id: str, now: datetime) -> bulk.Plan:
    """What undoing the original does to one job; raises nothing, writes nothing."""
    result = next((r for r in original.results or [] if r["job_id"] == job_id), None)
    if result is None or result["outcome"] != "changed":
        return bulk.Plan(job_id, "no_change")
    job = session.get(Job, job_id)
    if job is None:
        return _error(job_id, "not_found", "Job not found.")
    entry = _entry_of(session, original, job_id)
    if entry is None:
        return _error(job_id, "no_audit_entry", "The operation left no audit entry for this job.")
    if original.operation_type == POST_EXTERNAL:
        return _plan_withdrawal(session, job, entry)
    if (job.audit_seq or 0) != entry.seq:
        return _error(job_id, "changed_since", _changed_since(session, job_id, entry.seq))
    fields = RESTORABLE[original.operation_type]
    previous = {k: _value(k, v) for k, v in (entry.old_values or {}).items() if k in fields}
    changes = {
        name: {"from": getattr(job, name), "to": value}
        for name, value in previous.items()
        if getattr(job, name) != value
    }
    try:
        _check_rules(session, job, {name: c["to"] for name, c in changes.items()}, now)
    except DomainError as error:
        return _error(job_id, error.code, error.message)
    return bulk.Plan(
        job_id, "change" if changes else "no_change", changes=bulk.field_changes(changes)
    )


def _plan_withdrawal(session: Session, job: Job, entry: JobAuditLog) -> bulk.Plan:
    """Undoing a post: the postings the entry requested that are still live get withdrawn.
    Deliveries since (posted, failed) are the operation's own doing; a later request to post
    the job again is someone else's, so the job is then left alone."""
    reposted = session.scalar(
        select(JobAuditLog.seq)
        .where(
            JobAuditLog.job_id == job.id,
            JobAuditLog.seq > entry.seq,
            JobAuditLog.action_type == "posting_requested",
        )
        .limit(1)
    )
    if reposted is not None:
        return _error(job.id, "changed_since", _changed_since(session, job.id, entry.seq))
    requested = {key for key in entry.new_values or {} if key.startswith("postings.")}
    live = {
        f"postings.{portal}": row.status
        for portal, row in postings.postings_by_portal(session, job.id).items()
        if row.status in postings.LIVE_STATUSES
    }
    changes = {key: {"from": live[key], "to": "withdrawn"} for key in sorted(requested & set(live))}
    return bulk.Plan(job.id, "change" if changes else "no_change", changes=changes)


def _check_rules(session: Session, job: Job, target: dict, now: datetime) -> None:
    """The rules any change obeys: a job (re)opened needs a future deadline; a restored
    deadline must be in the future; the owner must still be able to own jobs."""
    if target.get("status") == "open" and job.application_deadline is not None:
        if job.application_deadline <= now:
            raise Conflict(
                "Reopening the job is refused: its application deadline has passed.",
                code="deadline_passed",
            )
    if "application_deadline" in target:
        jobs.check_deadline(target["application_deadline"], now)
    if "owner_id" in target:
        jobs.check_owner(session, target["owner_id"])


def dry_run(session: Session, original: BulkOperation) -> dict:
    """Each job's planned outcome, in the bulk-update dry-run shape; writes nothing."""
    try:
        check_undoable(session, original)
        now = utcnow()
        plans = [plan_job(session, original, job_id, now) for job_id in original.job_ids]
    finally:
        session.rollback()
    return bulk.preview(UNDO, plans)


def create_undo(session: Session, original_id: str, actor: Actor) -> BulkOperation:
    """Record the queued undo operation (once: a unique index on ``undo_of``), committed."""
    original = bulk.get_operation(session, original_id)
    check_undoable(session, original)
    op = BulkOperation(
        operation_type=UNDO,
        job_ids=list(original.job_ids),
        parameters={"undo_of": original.id},
        status="queued",
        total_count=len(original.job_ids),
        success_count=0,
        failure_count=0,
        results=[],
        initiated_by=actor.user_id,
        created_at=utcnow(),
        undo_of=original.id,
    )
    session.add(op)
    try:
        session.commit()
    except IntegrityError as error:  # another undo of the same operation won the race
        session.rollback()
        raise Conflict("This operation has already been undone.", code="already_undone") from error
    return op


def start_undo(session: Session, original_id: str, actor: Actor) -> BulkOperation:
    """Record the undo and hand it to the background worker (the resume task runs it if the
    queue is down)."""
    from .. import queue

    op = create_undo(session, original_id, actor)
    try:
        queue.enqueue(run_bulk_undo, op.id)
    except Exception:  # noqa: BLE001 - the database row is the source of truth
        log.exception("Could not enqueue undo %s; the resume task will run it", op.id)
    return op


def _restore(session: Session, op: BulkOperation, job: Job, changes: dict, actor: Actor) -> None:
    """Write the previous values in the open transaction: fields through ``jobs.update_job``,
    a status with its history row, an undelete; each with an audit entry naming both
    operations."""
    extra = {"bulk_operation_id": op.id, "undo_of": op.undo_of}
    if all(name.startswith("postings.") for name in changes):
        postings.withdraw_live_postings(
            session,
            job,
            actor,
            portals_=[name.removeprefix("postings.") for name in changes],
            reason=f"Undo of bulk operation {op.undo_of}",
        )
        return
    target = {name: _value(name, change["to"]) for name, change in changes.items()}
    now = utcnow()
    if "deleted_at" in target:
        job.deleted_at = None
        job.updated_at = now
        audit.record(
            session,
            job,
            "restore",
            actor,
            old_values={"deleted_at": changes["deleted_at"]["from"]},
            new_values={"deleted_at": None, **extra},
        )
        return
    if "status" in target or any(name in STATUS_FIELDS for name in target):
        previous = job.status
        for name, value in target.items():
            setattr(job, name, value)
        job.updated_at = now
        if job.status != previous:
            session.add(
                JobStatusHistory(
                    job_id=job.id,
                    from_status=previous,
                    to_status=job.status,
                    reason=f"Undo of bulk operation {op.undo_of}",
                    changed_by=actor.user_id,
                    changed_at=now,
                )
            )
        audit.record(
            session,
            job,
            "status_change",
            actor,
            old_values={name: change["from"] for name, change in changes.items()},
            new_values={**target, "reason": "Undo of a bulk operation", **extra},
        )
        return
    jobs.update_job(session, job.id, target, actor, commit=False, extra_audit=extra)


def _lock_any_job(session: Session, job_id: str) -> Job | None:
    """The job under its row lock, deleted or not (undoing a delete restores a deleted job)."""
    return session.scalar(
        select(Job)
        .where(Job.id == job_id)
        .with_for_update(of=Job)
        .execution_options(populate_existing=True)
    )


def _plan_step(session: Session, op: BulkOperation, job_id: str, job, now: datetime) -> bulk.Plan:
    return plan_job(session, session.get(BulkOperation, op.undo_of), job_id, now)


def _apply_step(session: Session, op: BulkOperation, job: Job, plan, actor: Actor, now) -> None:
    _restore(session, op, job, plan.changes, actor)


UNDO_STEP = bulk.JobStep(_lock_any_job, _plan_step, _apply_step)


def run_undo(
    session: Session,
    op_id: str,
    job_delay_ms: int = 0,
    should_stop: Callable[[], bool] | None = None,
) -> str | None:
    """The background run of an undo (also a resume): the bulk runner with the undo's step —
    every job without a result in its own transaction, then the final status and the
    initiator's notification; ``should_stop`` ends it between two jobs, still ``processing``."""
    return bulk.run_operation(session, op_id, job_delay_ms, should_stop, step=UNDO_STEP)


@task
def run_bulk_undo(operation_id: str) -> str | None:
    """Task: run (or resume) an undo — every job without a result, one transaction each; a
    worker asked to stop (SIGTERM) ends it between two jobs and queues the rest again."""
    from .. import queue

    with task_session() as session:
        result = run_undo(
            session, operation_id, setting("BULK_JOB_DELAY_MS") or 0, should_stop=stop_requested
        )
        if result in bulk.UNFINISHED_STATUSES and stop_requested():
            queue.enqueue(run_bulk_undo, operation_id)
        return result
