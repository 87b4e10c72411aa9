"""Bulk operations on up to 50 jobs: a dry run that writes nothing, and a real run done in the
background one job per transaction, resumable without applying anything twice.

One planning function (``plan_job``) decides each job's outcome for both the dry run and the
real run, so the preview predicts exactly what the run then does. The ``bulk_operations`` row is
the state of the work: each job's result is appended to ``results`` in the same transaction as
the job's change, its history and its audit entry, so a crash leaves a job either fully done
(with its result) or untouched (and then done by the resumed run).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from .. import queue
from ..models import BulkOperation, Job, User, utcnow
from ..tasks import setting, stop_requested, task, task_session
from . import Actor, jobs, notifications, policy, postings, status
from .errors import DomainError, NotFound

log = logging.getLogger(__name__)

FINAL_STATUSES = ("completed", "completed_with_errors", "failed")
UNFINISHED_STATUSES = ("queued", "processing")
OUTCOME_OF_PLAN = {"change": "changed", "no_change": "no_change", "error": "failed"}
DEADLINE_FIELDS = ("application_deadline",)


@dataclass
class Plan:
    """What one job's part of an operation does: ``change`` (with field changes), ``no_change``
    or ``error`` (with the error a real run would hit)."""

    job_id: str
    outcome: str
    changes: dict = field(default_factory=dict)
    error: dict | None = None

    def as_dict(self) -> dict:
        return {
            "job_id": self.job_id,
            "outcome": self.outcome,
            "changes": self.changes,
            "error": self.error,
        }


def _plain(value):
    """Field values as they appear in previews and results (JSON types, UTC times with Z)."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


def field_changes(pairs: dict) -> dict:
    """Planned changes as the results and previews store them (times as ISO-8601 UTC)."""
    return {name: {"from": _plain(c["from"]), "to": _plain(c["to"])} for name, c in pairs.items()}


def _parse_time(value: str | None) -> datetime | None:
    if value is None:
        return None
    from datetime import UTC

    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _field_values(operation: str, parameters: dict, job: Job, now: datetime) -> dict:
    """The target values of an ``update_fields`` / ``extend_deadline`` operation for ``job``."""
    if operation == "extend_deadline":
        base = job.application_deadline or now
        return {"application_deadline": base + timedelta(days=parameters["days"])}
    values = dict(parameters)
    if "application_deadline" in values:
        values["application_deadline"] = _parse_time(values["application_deadline"])
    return values


def _plan_status(session: Session, parameters: dict, job: Job, now: datetime) -> dict:
    return field_changes(status.plan_status_change(job, parameters["status"], now=now))


def _apply_status(session, op: BulkOperation, job: Job, actor: Actor, now, extra) -> None:
    params = op.parameters
    status.change_status(
        session, job.id, params["status"], actor, params.get("reason"), commit=False,
        extra_audit=extra,
    )  # fmt: skip


def _field_planner(operation: str):
    def plan(session: Session, parameters: dict, job: Job, now: datetime) -> dict:
        jobs.check_editable(job)
        target = _field_values(operation, parameters, job, now)
        if target.get("application_deadline", job.application_deadline) != (
            job.application_deadline
        ):
            jobs.check_deadline(target["application_deadline"], now)
        return field_changes(
            {
                name: {"from": getattr(job, name), "to": value}
                for name, value in target.items()
                if getattr(job, name) != value
            }
        )

    return plan


def _apply_fields(session, op: BulkOperation, job: Job, actor: Actor, now, extra) -> None:
    values = _field_values(op.operation_type, op.parameters, job, now)
    jobs.update_job(session, job.id, values, actor, commit=False, extra_audit=extra)


def _plan_postings(session: Session, parameters: dict, job: Job, now: datetime) -> dict:
    return postings.plan_postings(session, job, parameters["portals"])


def _apply_postings(session, op: BulkOperation, job: Job, actor: Actor, now, extra) -> None:
    params = op.parameters
    postings.request_postings(
        session,
        job,
        params["portals"],
        actor,
        expires_in_days=params.get("expires_in_days", postings.DEFAULT_EXPIRES_IN_DAYS),
        extra_audit=extra,
        now=now,
        deliver=False,  # delivered together when the run ends (LinkedIn: one batch)
    )


def _plan_delete(session: Session, parameters: dict, job: Job, now: datetime) -> dict:
    jobs.check_deletable(job)
    return field_changes({"deleted_at": {"from": None, "to": now}})


def _apply_delete(session, op: BulkOperation, job: Job, actor: Actor, now, extra) -> None:
    jobs.delete_job(session, job.id, actor, commit=False, extra_audit=extra)


@dataclass(frozen=True)
class OperationKind:
    """What one bulk operation does to one job: ``plan`` predicts the field changes (raising
    the domain error a real run would raise, writing nothing); ``apply`` makes them in the open
    transaction; ``permission`` is what the operation needs beyond ``policy.BULK``."""

    plan: Callable[[Session, dict, Job, datetime], dict]
    apply: Callable[..., None]
    permission: str | None = None


OPERATIONS: dict[str, OperationKind] = {
    "status_update": OperationKind(_plan_status, _apply_status),
    "update_fields": OperationKind(_field_planner("update_fields"), _apply_fields),
    "extend_deadline": OperationKind(_field_planner("extend_deadline"), _apply_fields),
    "post_external": OperationKind(_plan_postings, _apply_postings, policy.POST_EXTERNAL),
    "delete": OperationKind(_plan_delete, _apply_delete, policy.WRITE_JOBS),
}


def require_permission(user, operation: str) -> None:
    """The role check of a bulk request: ``policy.BULK`` and the operation's own permission."""
    policy.require(user, policy.BULK)
    extra = OPERATIONS[operation].permission
    if extra:
        policy.require(user, extra)


def plan_job(
    session: Session, operation: str, parameters: dict, job_id: str, job: Job | None, now: datetime
) -> Plan:
    """One job's outcome. ``job`` is None (or soft-deleted) for an unknown id: ``not_found``."""
    if job is None or job.deleted_at is not None:
        return Plan(job_id, "error", error={"code": "not_found", "message": "Job not found."})
    try:
        changes = OPERATIONS[operation].plan(session, parameters, job, now)
    except DomainError as error:
        return Plan(job_id, "error", error={"code": error.code, "message": error.message})
    return Plan(job_id, "change" if changes else "no_change", changes=changes)


def check_request(session: Session, operation: str, parameters: dict) -> None:
    """Checks of the request as a whole that need the database (422 before anything runs)."""
    if operation == "update_fields" and "owner_id" in parameters:
        jobs.check_owner(session, parameters["owner_id"])


def dry_run(session: Session, operation: str, parameters: dict, job_ids: list[str]) -> dict:
    """Each job's planned outcome; reads only, and ends by rolling back."""
    try:
        check_request(session, operation, parameters)
        found = {j.id: j for j in session.scalars(select(Job).where(Job.id.in_(job_ids)))}
        now = utcnow()
        plans = [plan_job(session, operation, parameters, i, found.get(i), now) for i in job_ids]
    finally:
        session.rollback()
    return preview(operation, plans)


def preview(operation: str, plans: list[Plan]) -> dict:
    """A dry run's answer (API.md's bulk-update dry-run shape) from each job's plan."""
    failing = sum(1 for p in plans if p.outcome == "error")
    return {
        "success": True,
        "dry_run": True,
        "operation": operation,
        "total_count": len(plans),
        "would_succeed": len(plans) - failing,
        "would_fail": failing,
        "results": [p.as_dict() for p in plans],
    }


def create_operation(
    session: Session, operation: str, parameters: dict, job_ids: list[str], actor: Actor
) -> BulkOperation:
    """Record a queued operation (committed); the caller enqueues ``run_bulk_operation``."""
    check_request(session, operation, parameters)
    op = BulkOperation(
        operation_type=operation,
        job_ids=list(job_ids),
        parameters=parameters,
        status="queued",
        total_count=len(job_ids),
        success_count=0,
        failure_count=0,
        results=[],
        initiated_by=actor.user_id,
        created_at=utcnow(),
    )
    session.add(op)
    session.commit()
    return op


def start_operation(
    session: Session, operation: str, parameters: dict, job_ids: list[str], actor: Actor
) -> BulkOperation:
    """Record the operation and hand it to the background worker. If the queue is down the row
    stays ``queued`` and the resume task picks it up later."""
    op = create_operation(session, operation, parameters, job_ids, actor)
    try:
        queue.enqueue(run_bulk_operation, op.id)
    except Exception:  # noqa: BLE001 - the database row is the source of truth
        log.exception("Could not enqueue bulk operation %s; the resume task will run it", op.id)
    return op


def _lock_operation(session: Session, op_id: str) -> BulkOperation | None:
    return session.scalar(
        select(BulkOperation)
        .where(BulkOperation.id == op_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def _done_ids(op: BulkOperation) -> set[str]:
    return {result["job_id"] for result in op.results or []}


def _record(session: Session, op: BulkOperation, result: dict) -> None:
    op.results = [*(op.results or []), result]
    if result["outcome"] == "failed":
        op.failure_count += 1
    else:
        op.success_count += 1


def _failure(job_id: str, code: str, message: str) -> dict:
    return {
        "job_id": job_id,
        "outcome": "failed",
        "changes": {},
        "error": {"code": code, "message": message},
    }


@dataclass(frozen=True)
class JobStep:
    """How a run treats one job, inside that job's transaction: ``lock`` it (None when it is
    gone), ``plan`` its outcome, ``apply`` a planned change. Bulk operations use
    ``OPERATION_STEP``; an undo (``bulk_undo``) brings its own."""

    lock: Callable[[Session, str], Job | None]
    plan: Callable[[Session, BulkOperation, str, Job | None, datetime], Plan]
    apply: Callable[[Session, BulkOperation, Job, Plan, Actor, datetime], None]


def _plan_operation(session, op: BulkOperation, job_id: str, job, now: datetime) -> Plan:
    return plan_job(session, op.operation_type, op.parameters, job_id, job, now)


def _apply_operation(session, op: BulkOperation, job: Job, plan, actor: Actor, now) -> None:
    OPERATIONS[op.operation_type].apply(session, op, job, actor, now, {"bulk_operation_id": op.id})


OPERATION_STEP = JobStep(jobs.lock_job, _plan_operation, _apply_operation)


def _process_job(
    session: Session,
    op_id: str,
    job_id: str,
    actor: Actor,
    job_delay_ms: int = 0,
    step: JobStep = OPERATION_STEP,
) -> None:
    """One job in one transaction: lock the operation, skip a job that already has a result,
    lock the job, apply the plan, append the result, commit."""
    op = _lock_operation(session, op_id)
    if op is None or op.status in FINAL_STATUSES or job_id in _done_ids(op):
        session.rollback()
        return
    now = utcnow()
    try:
        job = step.lock(session, job_id)
        plan = step.plan(session, op, job_id, job, now)
        if plan.outcome == "change":
            step.apply(session, op, job, plan, actor, now)
        result = {**plan.as_dict(), "outcome": OUTCOME_OF_PLAN[plan.outcome]}
    except Exception as error:  # noqa: BLE001 - recorded as this job's failure
        session.rollback()
        if isinstance(error, DomainError):
            result = _failure(job_id, error.code, error.message)
        else:
            log.exception("Bulk operation %s failed on job %s", op_id, job_id)
            result = _failure(job_id, "internal_error", "Unexpected error; it was logged.")
        op = _lock_operation(session, op_id)  # the rollback released it
        if op is None or op.status in FINAL_STATUSES or job_id in _done_ids(op):
            session.rollback()
            return
    if job_delay_ms:
        time.sleep(job_delay_ms / 1000)  # tests and benchmarks only: widen the window for a crash
    result["at"] = _plain(utcnow())
    _record(session, op, result)
    session.commit()


def _finish(session: Session, op_id: str) -> None:
    op = _lock_operation(session, op_id)
    if op is None or op.status in FINAL_STATUSES or len(_done_ids(op)) < op.total_count:
        session.rollback()
        return
    if op.failure_count == 0:
        op.status = "completed"
    elif op.success_count == 0:
        op.status = "failed"
    else:
        op.status = "completed_with_errors"
    op.completed_at = utcnow()
    label = op.operation_type.replace("_", " ")
    notifications.notify(
        session,
        op.initiated_by,
        "bulk_operation_finished",
        f"Bulk {label} finished: {op.success_count} succeeded, {op.failure_count} failed "
        f"of {op.total_count}.",
        link=f"/bulk/{op.id}",
    )
    session.commit()


def run_operation(
    session: Session,
    op_id: str,
    job_delay_ms: int = 0,
    should_stop: Callable[[], bool] | None = None,
    step: JobStep = OPERATION_STEP,
) -> str | None:
    """The background run (also a resume or a retry): every job without a result, one
    transaction each, then the final status and the initiator's notification.
    ``job_delay_ms`` (tests and benchmarks only) slows each job down. ``should_stop`` is asked
    before each job: when it says yes (the worker is shutting down) the run returns between two
    jobs, leaving the operation ``processing`` for the next run."""
    op = _lock_operation(session, op_id)
    if op is None:
        session.rollback()
        log.warning("Bulk operation %s does not exist", op_id)
        return None
    if op.status in FINAL_STATUSES:
        session.rollback()
        return op.status
    if (step is OPERATION_STEP) != (op.operation_type in OPERATIONS):  # an undo: run_bulk_undo
        session.rollback()
        log.warning("Bulk operation %s is a %s, not run here", op_id, op.operation_type)
        return op.status
    op.status = "processing"
    op.started_at = op.started_at or utcnow()
    job_ids = list(op.job_ids)
    actor = Actor(user_id=op.initiated_by, user_agent=f"jobsmgmt bulk operation {op.id}")
    session.commit()
    for job_id in job_ids:
        if should_stop is not None and should_stop():
            log.info("Bulk operation %s stopped between jobs; the next run goes on", op_id)
            return op.status
        _process_job(session, op_id, job_id, actor, job_delay_ms, step)
    _finish(session, op_id)
    op = session.get(BulkOperation, op_id)
    if op is not None and op.operation_type == "post_external":
        _deliver_postings(session, op)
    op = session.get(BulkOperation, op_id)
    return op.status if op else None


def _deliver_postings(session: Session, op: BulkOperation) -> None:
    """One delivery task for every posting the run queued (LinkedIn sends them in one batch
    request). A lost message is repeated by ``refresh_external_postings``."""
    ids = postings.live_postings_of(session, list(op.job_ids), op.parameters.get("portals"))
    session.rollback()
    if ids:
        queue.enqueue(postings.deliver_external_posting, *ids)


@task
def run_bulk_operation(operation_id: str) -> str | None:
    """Task: run (or resume) a bulk operation — every job without a result, one transaction
    each. A worker asked to stop (SIGTERM) ends it between two jobs and queues the rest again,
    so the next worker goes on."""
    with task_session() as session:
        result = run_operation(
            session, operation_id, setting("BULK_JOB_DELAY_MS") or 0, should_stop=stop_requested
        )
        if result in UNFINISHED_STATUSES and stop_requested():
            queue.enqueue(run_bulk_operation, operation_id)
        return result


def last_activity(op: BulkOperation) -> datetime:
    """When the operation last made progress (created, started, or its latest result)."""
    moments = [op.created_at, op.started_at]
    moments += [_parse_time(r.get("at")) for r in op.results or [] if r.get("at")]
    return max(m for m in moments if m is not None)


def unfinished_operations(session: Session) -> list[BulkOperation]:
    return list(
        session.scalars(
            select(BulkOperation)
            .where(BulkOperation.status.in_(UNFINISHED_STATUSES))
            .order_by(BulkOperation.created_at)
        )
    )


def serialize(op: BulkOperation) -> dict:
    return {
        "id": op.id,
        "operation_type": op.operation_type,
        "status": op.status,
        "total_count": op.total_count,
        "success_count": op.success_count,
        "failure_count": op.failure_count,
        "results": [
            {
                "job_id": r["job_id"],
                "outcome": r["outcome"],
                "error": r.get("error"),
                "changes": r.get("changes") or {},
            }
            for r in op.results or []
        ],
        "initiated_by": op.initiated_by,
        "undo_of": op.undo_of,
        "created_at": op.created_at,
        "started_at": op.started_at,
        "completed_at": op.completed_at,
    }


def get_operation(session: Session, op_id: str) -> BulkOperation:
    op = session.get(BulkOperation, op_id)
    if op is None:
        raise NotFound(f"Bulk operation {op_id} was not found.")
    return op


def list_operations(
    session: Session, page: int = 1, limit: int = 20, status_filter: str | None = None
) -> tuple[list[BulkOperation], int]:
    """Operations, newest first."""
    where = [BulkOperation.status == status_filter] if status_filter else []
    total = session.scalar(select(func.count()).select_from(BulkOperation).where(*where))
    rows = session.scalars(
        select(BulkOperation)
        .where(*where)
        .order_by(BulkOperation.created_at.desc(), BulkOperation.id)
        .offset((page - 1) * limit)
        .limit(limit)
    ).all()
    return list(rows), total


def initiator_names(session: Session, ops: list[BulkOperation]) -> dict[str, str]:
    ids = {op.initiated_by for op in ops}
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.name).where(User.id.in_(ids))).all())


def selected_jobs(session: Session, ids: list[str]) -> dict:
    """Id, title, status and deadline of the selected live jobs, as plain rows (a dry run's
    rollback would expire ORM objects and make a preview load each job again)."""
    if not ids:
        return {}
    rows = session.execute(
        select(Job.id, Job.title, Job.status, Job.application_deadline).where(
            Job.id.in_(ids), Job.deleted_at.is_(None)
        )
    )
    return {row.id: row for row in rows}


def job_titles(session: Session, op: BulkOperation) -> dict[str, str]:
    """The titles of an operation's jobs, deleted ones included."""
    rows = session.execute(select(Job.id, Job.title).where(Job.id.in_(list(op.job_ids))))
    return {job_id: title for job_id, title in rows}
