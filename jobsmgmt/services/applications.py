"""Candidates and their applications: applying to a job, the match score, the stage pipeline.

Every write is one transaction holding the job row (``jobs.lock_job``), so the job's
``application_count``, the stage events and the live daily analytics rows always agree.
"""

from __future__ import annotations

import re
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..models import (
    FINAL_STAGES,
    PIPELINE,
    STAGES,
    Application,
    ApplicationStageEvent,
    Candidate,
    Job,
    utcnow,
)
from . import Actor, daily_counts
from .errors import Conflict, DomainError, NotFound, ValidationFailed
from .jobs import get_job, lock_job
from .users import normalise_email

EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
TWO_PLACES = Decimal("0.01")


@lru_cache(maxsize=4096)
def _skill_pattern(skill: str) -> re.Pattern:
    # Whole words: no letter, digit or underscore right before or after ("Java" ≠ "JavaScript",
    # while "C++" and "Node.js" still match as written).
    return re.compile(r"(?<!\w)" + re.escape(skill.strip()) + r"(?!\w)", re.IGNORECASE)


def compute_match_score(
    required_skills: list[str], skills: list[str] | None, resume_text: str | None
) -> Decimal | None:
    """100 × required skills found (case-insensitive, whole words) in the candidate's skills or
    résumé ÷ required skills, to 2 decimals; None when the job lists no skills."""
    required = [s for s in (required_skills or []) if s and s.strip()]
    if not required:
        return None
    text = "\n".join([*(skills or []), resume_text or ""])
    found = sum(1 for skill in required if _skill_pattern(skill).search(text))
    return (Decimal(100) * found / len(required)).quantize(TWO_PLACES, ROUND_HALF_UP)


def accepting_problem(job: Job, now: datetime | None = None) -> str | None:
    """Why the job does not accept applications, or None when it does."""
    now = now or utcnow()
    if job.status != "open":
        return f"This job is not accepting applications: it is {job.status.replace('_', ' ')}."
    if job.application_deadline is not None and job.application_deadline <= now:
        return (
            "This job is no longer accepting applications: the deadline passed on "
            f"{job.application_deadline.strftime('%Y-%m-%d %H:%M')} UTC."
        )
    return None


def _not_accepting(job: Job, problem: str) -> Conflict:
    return Conflict(
        problem,
        code="job_not_accepting",
        details={
            "status": job.status,
            "application_deadline": job.application_deadline.isoformat()
            if job.application_deadline
            else None,
        },
    )


def _clean_candidate(candidate: dict) -> tuple[str, str, str | None]:
    name = (candidate.get("name") or "").strip()
    email = normalise_email(candidate.get("email") or "")
    phone = (candidate.get("phone") or "").strip() or None
    fields = {}
    if not name or len(name) > 200:
        fields["candidate.name"] = "required, at most 200 characters"
    if not EMAIL_PATTERN.match(email) or len(email) > 255:
        fields["candidate.email"] = "a valid e-mail address is required"
    if phone and len(phone) > 50:
        fields["candidate.phone"] = "at most 50 characters"
    if fields:
        raise ValidationFailed("The candidate is not valid.", details={"fields": fields})
    return name, email, phone


def _candidate_for(session: Session, name: str, email: str, phone: str | None) -> Candidate:
    """The candidate with this e-mail (candidates are unique by lower-cased e-mail), created
    on first application."""
    found = session.scalar(select(Candidate).where(Candidate.email == email))
    if found is not None:
        if phone and not found.phone:
            found.phone = phone
        return found
    try:
        with session.begin_nested():
            candidate = Candidate(name=name, email=email, phone=phone)
            session.add(candidate)
    except IntegrityError:  # created meanwhile by an application to another job
        return session.scalar(select(Candidate).where(Candidate.email == email))
    return candidate


def apply(
    session: Session,
    job_id: str,
    candidate: dict,
    resume_text: str | None = None,
    skills: list[str] | None = None,
    match_score: Decimal | float | None = None,
    source: str | None = None,
) -> Application:
    """Create an application to an open job before its deadline, once per candidate. One
    transaction: committed, or rolled back with the domain error."""
    try:
        return _apply(session, job_id, candidate, resume_text, skills, match_score, source)
    except DomainError:
        session.rollback()
        raise


def _apply(session, job_id, candidate, resume_text, skills, match_score, source) -> Application:
    job = lock_job(session, job_id)
    now = utcnow()
    problem = accepting_problem(job, now)
    if problem:
        raise _not_accepting(job, problem)
    name, email, phone = _clean_candidate(candidate)
    skills = [s.strip() for s in (skills or []) if s and s.strip()]
    person = _candidate_for(session, name, email, phone)
    duplicate = session.scalar(
        select(Application.id).where(
            Application.job_id == job.id, Application.candidate_id == person.id
        )
    )
    if duplicate:
        raise Conflict(
            f"{email} has already applied to this job.",
            code="duplicate_application",
            details={"application_id": duplicate},
        )
    if match_score is None:
        score = compute_match_score(job.required_skills, skills, resume_text)
    else:
        score = Decimal(str(match_score)).quantize(TWO_PLACES, ROUND_HALF_UP)
    application = Application(
        job_id=job.id,
        candidate_id=person.id,
        stage="applied",
        match_score=score,
        source=(source or "").strip() or None,
        resume_text=resume_text or None,
        skills=skills,
        applied_at=now,
        updated_at=now,
    )
    session.add(application)
    session.flush()
    session.add(
        ApplicationStageEvent(
            application_id=application.id, from_stage=None, to_stage="applied", changed_at=now
        )
    )
    job.application_count = (job.application_count or 0) + 1
    daily_counts.bump(session, job.id, daily_counts.utc_day(now), application_count=1)
    session.commit()
    return application


def get_application(session: Session, application_id: str) -> Application:
    application = session.scalar(
        select(Application)
        .join(Job, Job.id == Application.job_id)
        .where(Application.id == application_id, Job.deleted_at.is_(None))
    )
    if application is None:
        raise NotFound(f"Application {application_id} was not found.")
    return application


def move_stage(
    session: Session, application_id: str, stage: str, actor: Actor
) -> tuple[Application, bool]:
    """Move an application to ``stage``. Returns (application, changed).

    Final stages (hired, rejected, withdrawn) are never left; any other move is allowed. Reaching
    a pipeline stage sets its ``reached_*_at`` and those of every skipped earlier stage that are
    still empty, and counts them in the day's analytics row.
    """
    if stage not in STAGES:
        raise ValidationFailed(
            f"Stage must be one of {', '.join(STAGES)}.", details={"fields": {"stage": "invalid"}}
        )
    application = get_application(session, application_id)
    lock_job(session, application.job_id)
    session.refresh(application)
    if application.stage == stage:
        return application, False
    if application.stage in FINAL_STAGES:
        raise Conflict(
            f"The application is {application.stage}; that stage is final.",
            code="application_final",
            details={"stage": application.stage},
        )
    _record_move(session, application, stage, actor)
    session.commit()
    return application, True


def next_stage(stage: str) -> str | None:
    """The stage a move defaults to: the next one of the pipeline (none after hired or from a
    final stage)."""
    if stage in PIPELINE and stage != PIPELINE[-1]:
        return PIPELINE[PIPELINE.index(stage) + 1]
    return None


def stage_before_rejection(session: Session, application_id: str) -> str | None:
    """The stage the application was in when it was last rejected."""
    return session.scalar(
        select(ApplicationStageEvent.from_stage)
        .where(
            ApplicationStageEvent.application_id == application_id,
            ApplicationStageEvent.to_stage == "rejected",
        )
        .order_by(ApplicationStageEvent.changed_at.desc(), ApplicationStageEvent.id.desc())
        .limit(1)
    )


def undo_rejection(session: Session, application_id: str, actor: Actor) -> Application:
    """Move a rejected application back to the stage it was rejected from, recorded as its own
    stage event (rejected → that stage). The API's PATCH keeps ``rejected`` final; this is the
    recruiter's deliberate undo."""
    application = get_application(session, application_id)
    lock_job(session, application.job_id)
    session.refresh(application)
    if application.stage != "rejected":
        raise Conflict(
            f"The application is {application.stage}, not rejected; nothing to undo.",
            code="not_rejected",
            details={"stage": application.stage},
        )
    previous = stage_before_rejection(session, application.id) or "applied"
    _record_move(session, application, previous, actor)
    session.commit()
    return application


def _record_move(session: Session, application: Application, stage: str, actor: Actor) -> None:
    """The stage change, its event and the ``reached_*`` analytics, in the open transaction."""
    now = utcnow()
    increments: dict[str, int] = {}
    if stage in PIPELINE:
        for reached in PIPELINE[1 : PIPELINE.index(stage) + 1]:
            column = f"reached_{reached}_at"
            if getattr(application, column) is None:
                setattr(application, column, now)
                increments[daily_counts.STAGE_COUNTERS[reached]] = 1
    session.add(
        ApplicationStageEvent(
            application_id=application.id,
            from_stage=application.stage,
            to_stage=stage,
            changed_at=now,
            changed_by=actor.user_id,
        )
    )
    application.stage = stage
    application.updated_at = now
    daily_counts.bump(session, application.job_id, daily_counts.utc_day(now), **increments)


def list_applications(
    session: Session, job_id: str, stage: str | None = None, page: int = 1, limit: int = 20
) -> tuple[list[Application], int]:
    """A job's applications, newest first, optionally of one stage."""
    get_job(session, job_id)
    conditions = [Application.job_id == job_id]
    if stage:
        conditions.append(Application.stage == stage)
    total = session.scalar(select(func.count()).select_from(Application).where(*conditions))
    rows = session.scalars(
        select(Application)
        .where(*conditions)
        .order_by(Application.applied_at.desc(), Application.id)
        .offset((page - 1) * limit)
        .limit(limit)
    ).all()
    return list(rows), total


def stage_histories(session: Session, application_ids: list[str]) -> dict[str, list[dict]]:
    """Each application's stage events, oldest first, with the mover's name."""
    from ..models import User

    histories: dict[str, list[dict]] = {i: [] for i in application_ids}
    if not application_ids:
        return histories
    rows = session.execute(
        select(ApplicationStageEvent, User.name)
        .outerjoin(User, User.id == ApplicationStageEvent.changed_by)
        .where(ApplicationStageEvent.application_id.in_(application_ids))
        .order_by(ApplicationStageEvent.changed_at, ApplicationStageEvent.id)
    )
    for event, name in rows:
        histories[event.application_id].append(
            {
                "from_stage": event.from_stage,
                "to_stage": event.to_stage,
                "changed_at": event.changed_at,
                "changed_by": name or "Candidate",
            }
        )
    return histories


def stage_counts(session: Session, job_id: str) -> dict[str, int]:
    """How many of the job's applications are in each stage (every stage present)."""
    counts = dict.fromkeys(STAGES, 0)
    for stage, count in session.execute(
        select(Application.stage, func.count())
        .where(Application.job_id == job_id)
        .group_by(Application.stage)
    ):
        counts[stage] = count
    return counts


def serialize(application: Application) -> dict:
    candidate = application.candidate
    return {
        "id": application.id,
        "job_id": application.job_id,
        "candidate": {"id": candidate.id, "name": candidate.name, "email": candidate.email},
        "stage": application.stage,
        "match_score": float(application.match_score)
        if application.match_score is not None
        else None,
        "source": application.source,
        "applied_at": application.applied_at,
        "updated_at": application.updated_at,
    }
