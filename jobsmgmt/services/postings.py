"""External postings: a job's life on LinkedIn, Indeed and Naukri (``job_external_postings``).

Life cycle (API.md "External postings")::

    pending ──▶ posted ──▶ expired | withdrawn
       └──────▶ failed
    failed / expired / withdrawn ──(posted again)──▶ pending

A request writes the posting row — status, a new posting key (LinkedIn's
``externalJobPostingId``, Indeed's ``jobPostingId``, Naukri's ``reference``) and its
``pending_action`` (publish / update / close) — in the same transaction that queues the
delivery task (``queue.enqueue_after_commit``). Delivery reads the rows, lets go of the
database, talks to the portal, then records each answer in a transaction of its own, with an
audit entry on the job. The key never changes between attempts, so a delivery repeated after
dying half way (after the portal took it, before our commit) is recognised by the portal —
LinkedIn's duplicate ``externalJobPostingId``, Indeed's upsert, Naukri's duplicate reference —
and recorded as one posting. The periodic ``refresh_external_postings`` polls LinkedIn tasks
still running and repeats any pending action that made no progress.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import portals, queue
from ..models import PORTALS, Job, JobExternalPosting, new_id, utcnow
from ..tasks import setting, task, task_session
from . import Actor, audit
from .errors import Conflict, NotFound, ValidationFailed

log = logging.getLogger(__name__)

LIVE_STATUSES = ("pending", "posted")
REQUEUE_STATUSES = ("failed", "expired", "withdrawn")
DEFAULT_EXPIRES_IN_DAYS = 30
MAX_EXPIRES_IN_DAYS = 90
MAX_ATTEMPTS = 5
STALE_AFTER_SECONDS = 120
PORTAL_FIELDS = {
    "linkedin": ("title", "description", "location", "employment_status"),
    "indeed": ("title", "description", "location"),
    "naukri": ("title", "description", "location"),
}
UPDATE_FIELDS = ("title", "description", "location", "employment_type")
# Audit entries the delivery writes when a portal answers (after the request's own entry).
DELIVERY_AUDIT_ACTIONS = (
    "posting_published",
    "posting_updated",
    "posting_closed",
    "posting_publish_failed",
    "posting_update_failed",
    "posting_close_failed",
)


@dataclass(frozen=True)
class PortalConfig:
    """How to reach the portals: the ``PORTALS`` variables, the sandbox and our public URL."""

    variables: dict
    sandbox_url: str | None = None
    public_url: str | None = None

    def settings(self, portal: str) -> portals.PortalSettings:
        return portals.settings_for(
            portal, self.variables, sandbox_url=self.sandbox_url, public_url=self.public_url or ""
        )

    def apply_url(self, job_id: str, portal: str) -> str:
        return f"{(self.public_url or '').rstrip('/')}/careers/{job_id}/apply?source={portal}"


def portal_config(config) -> PortalConfig:
    """From a Flask-config-like mapping (``PORTALS``, ``PORTAL_SANDBOX``, ``PUBLIC_URL``,
    ``PORTAL_SANDBOX_URL``)."""
    public_url = config.get("PUBLIC_URL")
    sandbox_url = config.get("PORTAL_SANDBOX_URL")
    if not sandbox_url and config.get("PORTAL_SANDBOX") and public_url:
        sandbox_url = f"{public_url.rstrip('/')}/sandbox"
    return PortalConfig(dict(config.get("PORTALS") or {}), sandbox_url, public_url)


# --- requests (pages, API, bulk, status changes) ----------------------------------------------


def _job(session: Session, job_id: str, *, lock: bool = False) -> Job:
    """A live job, locked for change when ``lock`` (as ``jobs.lock_job``; ``jobs`` calls this
    module when a posted job is edited, so this one does not import it)."""
    query = select(Job).where(Job.id == job_id, Job.deleted_at.is_(None))
    if lock:
        query = query.with_for_update(of=Job).execution_options(populate_existing=True)
    job = session.scalar(query)
    if job is None:
        raise NotFound(f"Job {job_id} was not found.")
    return job


def _check_path_portal(portal: str) -> None:
    """A portal named in a URL: an unknown one names no resource (404)."""
    if portal not in PORTALS:
        raise NotFound(f"No portal {portal!r}; portals are {', '.join(PORTALS)}.")


def check_portals(portals_: list[str]) -> list[str]:
    unknown = [p for p in portals_ if p not in PORTALS]
    if unknown or not portals_:
        raise ValidationFailed(
            f"Portals must be among {', '.join(PORTALS)}.",
            details={"fields": {"portals": f"unknown: {', '.join(unknown) or 'none given'}"}},
        )
    return list(dict.fromkeys(portals_))


def check_field_mappings(mappings: dict | None) -> dict:
    """Per-portal overrides: only fields the portal has, as non-empty strings."""
    mappings = mappings or {}
    problems = {}
    for portal, fields in mappings.items():
        if portal not in PORTAL_FIELDS:
            problems[f"field_mappings.{portal}"] = "unknown portal"
            continue
        for name, value in (fields or {}).items():
            if name not in PORTAL_FIELDS[portal]:
                problems[f"field_mappings.{portal}.{name}"] = (
                    f"{portals.LABELS[portal]} has no field {name!r}; "
                    f"use {', '.join(PORTAL_FIELDS[portal])}"
                )
            elif not isinstance(value, str):
                problems[f"field_mappings.{portal}.{name}"] = "must be a string"
    if problems:
        raise ValidationFailed(
            "Some field mappings are not fields of the portal.", details={"fields": problems}
        )
    return {p: {k: v for k, v in (f or {}).items() if v.strip()} for p, f in mappings.items()}


def postings_by_portal(session: Session, job_id: str) -> dict[str, JobExternalPosting]:
    rows = session.scalars(select(JobExternalPosting).where(JobExternalPosting.job_id == job_id))
    return {row.portal: row for row in rows}


def plan_postings(session: Session, job: Job, portals_: list[str]) -> dict:
    """What posting ``job`` to ``portals`` would change (pure): ``{"postings.<portal>":
    {"from": <status or None>, "to": "pending"}}`` for new or re-queued postings."""
    portals_ = check_portals(portals_)
    if job.status != "open":
        raise Conflict(
            f"Only open jobs can be posted to portals; this job is {job.status}.",
            code="job_not_open",
            details={"status": job.status},
        )
    existing = postings_by_portal(session, job.id)
    changes = {}
    for portal in portals_:
        row = existing.get(portal)
        if row is None or row.status in REQUEUE_STATUSES:
            changes[f"postings.{portal}"] = {"from": row.status if row else None, "to": "pending"}
    return changes


def posting_key(job_id: str, portal: str, generation: int) -> str:
    """Our id of one posting at a portal (≤ 200 characters); a new one each time a job is
    posted again, the same for every attempt at one posting."""
    return f"jm-{job_id}-{portal[:2]}{generation}"


def _meta(row: JobExternalPosting) -> dict:
    return dict(row.meta or {})


def request_postings(
    session: Session,
    job: Job,
    portals_: list[str],
    actor: Actor,
    *,
    expires_in_days: int = DEFAULT_EXPIRES_IN_DAYS,
    field_mappings: dict | None = None,
    extra_audit: dict | None = None,
    now: datetime | None = None,
    deliver: bool = True,
) -> list[JobExternalPosting]:
    """Create or re-queue postings of a locked ``job`` in the caller's transaction (no commit).
    The delivery task is queued when that transaction commits (unless ``deliver`` is false:
    bulk runs deliver everything at the end, in batches). Returns the job's postings for
    ``portals``, unchanged ones included."""
    mappings = check_field_mappings(field_mappings)
    changes = plan_postings(session, job, portals_)
    now = now or utcnow()
    expires_at = now + timedelta(days=expires_in_days)
    existing = postings_by_portal(session, job.id)
    result, queued = [], []
    for portal in check_portals(portals_):
        row = existing.get(portal)
        if f"postings.{portal}" in changes:
            if row is None:
                row = JobExternalPosting(id=new_id(), job_id=job.id, portal=portal, created_at=now)
                session.add(row)
            meta = _meta(row)
            generation = int(meta.get("generation", 0)) + 1
            row.meta = {
                "generation": generation,
                "key": posting_key(job.id, portal, generation),
                "overrides": mappings.get(portal, {}),
            }
            row.status = "pending"
            row.pending_action = "publish"
            row.attempts = 0
            row.error_message = None
            row.external_job_id = None
            row.external_url = None
            row.posted_at = None
            row.expires_at = expires_at
            row.updated_at = now
            queued.append(row.id)
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
                **({"field_mappings": mappings} if mappings else {}),
                **(extra_audit or {}),
            },
            entity_type="job_external_posting",
        )
    if queued and deliver:
        queue.enqueue_after_commit(session, deliver_external_posting, *queued)
    return result


def post_job(
    session: Session,
    job_id: str,
    portals_: list[str],
    actor: Actor,
    *,
    expires_in_days: int = DEFAULT_EXPIRES_IN_DAYS,
    field_mappings: dict | None = None,
) -> list[JobExternalPosting]:
    """Post a job to portals (pages and API): one transaction, delivery queued on commit."""
    if not 1 <= expires_in_days <= MAX_EXPIRES_IN_DAYS:
        raise ValidationFailed(
            f"expires_in_days must be 1–{MAX_EXPIRES_IN_DAYS}.",
            details={"fields": {"expires_in_days": f"1–{MAX_EXPIRES_IN_DAYS}"}},
        )
    job = _job(session, job_id, lock=True)
    rows = request_postings(
        session,
        job,
        portals_,
        actor,
        expires_in_days=expires_in_days,
        field_mappings=field_mappings,
    )
    session.commit()
    return rows


def withdraw_live_postings(
    session: Session,
    job: Job,
    actor: Actor,
    *,
    portals_: list[str] | None = None,
    to_status: str = "withdrawn",
    now: datetime | None = None,
    reason: str | None = None,
    posting_ids: list[str] | None = None,
    queue_close: bool = True,
) -> list[JobExternalPosting]:
    """Withdraw (or expire) the live postings of a locked ``job`` in the caller's transaction:
    the status now, the CLOSE at the portal queued on commit (unless ``queue_close`` is false:
    the caller closes them itself). Returns the rows changed."""
    now = now or utcnow()
    rows = [
        row
        for row in postings_by_portal(session, job.id).values()
        if row.status in LIVE_STATUSES
        and (portals_ is None or row.portal in portals_)
        and (posting_ids is None or row.id in posting_ids)
    ]
    before = {f"postings.{row.portal}": row.status for row in rows}
    for row in rows:
        row.status = to_status
        row.pending_action = "close"
        row.attempts = 0
        row.updated_at = now
    if rows:
        audit.record(
            session,
            job,
            f"posting_{to_status}",
            actor,
            old_values=before,
            new_values={
                **{f"postings.{row.portal}": to_status for row in rows},
                **({"reason": reason} if reason else {}),
            },
            entity_type="job_external_posting",
        )
        if queue_close:
            queue.enqueue_after_commit(
                session, withdraw_external_posting, *[row.id for row in rows]
            )
    return rows


def withdraw_posting(
    session: Session, job_id: str, portal: str, actor: Actor
) -> JobExternalPosting:
    """``DELETE …/external-postings/{portal}``: withdraw one live posting (202, close queued)."""
    _check_path_portal(portal)
    job = _job(session, job_id, lock=True)
    row = postings_by_portal(session, job.id).get(portal)
    if row is None:
        raise NotFound(f"The job has no {portals.LABELS[portal]} posting.")
    if row.status not in LIVE_STATUSES:
        raise Conflict(
            f"The {portals.LABELS[portal]} posting is {row.status}; only pending or posted "
            "postings can be withdrawn.",
            code="posting_not_live",
            details={"status": row.status},
        )
    withdraw_live_postings(session, job, actor, portals_=[portal])
    session.commit()
    return row


def request_updates(session: Session, job: Job, changed: set[str]) -> list[str]:
    """After an edit of a locked ``job`` (caller's transaction): posted postings whose content
    changed get an UPDATE, queued on commit. Returns the posting ids."""
    if not changed & set(UPDATE_FIELDS):
        return []
    ids = []
    for row in postings_by_portal(session, job.id).values():
        if row.status == "posted" and row.pending_action in (None, "update"):
            row.pending_action = "update"
            row.attempts = 0
            row.updated_at = utcnow()
            ids.append(row.id)
    if ids:
        queue.enqueue_after_commit(session, deliver_external_posting, *ids)
    return ids


def request_refresh(session: Session, job_id: str, portal: str) -> JobExternalPosting:
    """``POST …/{portal}/refresh``: ask the portal again (LinkedIn task, Naukri job); a failed
    posting's delivery is not repeated here (post it again for that)."""
    _check_path_portal(portal)
    _job(session, job_id)
    row = postings_by_portal(session, job_id).get(portal)
    if row is None:
        raise NotFound(f"The job has no {portals.LABELS[portal]} posting.")
    session.rollback()
    queue.enqueue(refresh_external_posting, row.id)
    return row


def list_postings(session: Session, job_id: str) -> list[JobExternalPosting]:
    _job(session, job_id)
    order = {portal: i for i, portal in enumerate(PORTALS)}
    return sorted(postings_by_portal(session, job_id).values(), key=lambda r: order[r.portal])


def statuses_of(session: Session, job_ids: list[str]) -> dict[str, list[tuple[str, str]]]:
    """``{job_id: [(portal, status), ...]}`` for a page of jobs (the dashboard's badges): one
    query on the job_id index."""
    found: dict[str, list[tuple[str, str]]] = defaultdict(list)
    if not job_ids:
        return found
    order = {portal: i for i, portal in enumerate(PORTALS)}
    rows = session.execute(
        select(
            JobExternalPosting.job_id, JobExternalPosting.portal, JobExternalPosting.status
        ).where(JobExternalPosting.job_id.in_(job_ids))
    ).all()
    for job_id, portal, status in sorted(rows, key=lambda r: order.get(r[1], 9)):
        found[job_id].append((portal, status))
    return found


def serialize(row: JobExternalPosting) -> dict:
    return {
        "id": row.id,
        "portal": row.portal,
        "status": row.status,
        "external_job_id": row.external_job_id,
        "external_url": row.external_url,
        "posted_at": row.posted_at,
        "expires_at": row.expires_at,
        "error_message": row.error_message,
        "updated_at": row.updated_at,
        "pending_action": row.pending_action,
        "attempts": row.attempts,
    }


# --- delivery (background tasks) ----------------------------------------------------------------


@dataclass
class Work:
    posting_id: str
    job_id: str
    portal: str
    action: str
    key: str
    listing: portals.Listing


def _listing(row: JobExternalPosting, job: Job, config: PortalConfig, company: str):
    meta = _meta(row)
    return portals.Listing(
        posting_id=row.id,
        key=meta.get("key") or posting_key(job.id, row.portal, 1),
        title=job.title,
        description=job.description or "",
        location=job.location or "",
        employment_type=job.employment_type,
        apply_url=config.apply_url(job.id, row.portal),
        company=company,
        listed_at=job.published_at or row.created_at,
        expires_at=row.expires_at,
        external_id=row.external_job_id,
        task_id=meta.get("task_id"),
        overrides=meta.get("overrides") or {},
    )


def _load_work(session: Session, posting_ids, config: PortalConfig) -> list[Work]:
    rows = session.execute(
        select(JobExternalPosting, Job)
        .join(Job, Job.id == JobExternalPosting.job_id)
        .where(
            JobExternalPosting.id.in_(list(posting_ids)),
            JobExternalPosting.pending_action.is_not(None),
        )
        .execution_options(populate_existing=True)
    ).all()
    work = []
    for row, job in rows:
        company = config.settings(row.portal).company
        listing = _listing(row, job, config, company)
        work.append(Work(row.id, job.id, row.portal, row.pending_action, listing.key, listing))
    session.rollback()  # let go of the database while the portals answer
    return work


def deliver(session: Session, posting_ids, config: PortalConfig) -> dict[str, str]:
    """Carry out the pending action of each posting, grouped per portal and action (LinkedIn:
    up to 100 in one request). Returns ``{posting_id: outcome state}``."""
    work = _load_work(session, posting_ids, config)
    groups: dict[tuple[str, str], list[Work]] = defaultdict(list)
    for item in work:
        groups[(item.portal, item.action)].append(item)
    states = {}
    # The portals are asked at the same time (one thread per portal and action); the answers
    # are recorded here, on this thread's session.
    with ThreadPoolExecutor(max_workers=max(len(groups), 1)) as pool:
        answers = [
            pool.submit(_run_group, portal, action, items, config)
            for (portal, action), items in groups.items()
        ]
        for future in answers:
            for item, outcome in future.result():
                _record(session, item, outcome)
                states[item.posting_id] = outcome.state
    return states


def _run_group(portal: str, action: str, items: list[Work], config: PortalConfig):
    """The portal's outcome for each item (checks before any call; errors of the whole
    request apply to every item)."""
    settings = config.settings(portal)
    adapter = portals.adapter_for(settings)
    outcomes: list[tuple[Work, portals.Outcome]] = []
    to_send = []
    for item in items:
        problem = None
        if action != "close":
            if not config.public_url:
                problem = "PUBLIC_URL is not set: portals need an absolute link to the apply page."
            else:
                problem = adapter.validate(item.listing)
        if problem:
            outcomes.append((item, portals.Outcome(item.posting_id, "failed", message=problem)))
        else:
            to_send.append(item)
    if not to_send:
        return outcomes
    method = {"publish": adapter.publish, "update": adapter.update, "close": adapter.close}[action]
    try:
        answers = method([item.listing for item in to_send])
    except portals.PortalError as error:
        state = "failed" if error.final else "retry"
        answers = [portals.Outcome(i.posting_id, state, message=error.message) for i in to_send]
    except Exception as error:  # noqa: BLE001 - an adapter bug must not lose the posting
        log.exception("%s %s failed", portal, action)
        answers = [
            portals.Outcome(i.posting_id, "retry", message=f"Unexpected error: {error}")
            for i in to_send
        ]
    by_id = {answer.posting_id: answer for answer in answers}
    for item in to_send:
        outcomes.append(
            (
                item,
                by_id.get(item.posting_id)
                or portals.Outcome(item.posting_id, "retry", message="No answer for this posting"),
            )
        )
    return outcomes


def _lock_posting(
    session: Session, posting_id: str
) -> tuple[Job | None, JobExternalPosting | None]:
    job_id = session.scalar(
        select(JobExternalPosting.job_id).where(JobExternalPosting.id == posting_id)
    )
    if job_id is None:
        return None, None
    job = session.scalar(
        select(Job)
        .where(Job.id == job_id)
        .with_for_update(of=Job)
        .execution_options(populate_existing=True)
    )
    row = session.scalar(
        select(JobExternalPosting)
        .where(JobExternalPosting.id == posting_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return job, row


def _record(session: Session, item: Work, outcome: portals.Outcome) -> None:
    """Record one answer in its own transaction (with an audit entry when the status or the
    portal's copy changed). A stale answer (the posting was re-requested or withdrawn since)
    only makes sure nothing stays open at the portal."""
    job, row = _lock_posting(session, item.posting_id)
    if job is None or row is None or _meta(row).get("key") != item.key:
        session.rollback()
        return
    now = utcnow()
    meta = _meta(row)
    actor = Actor.system()
    label = f"postings.{row.portal}"
    if row.pending_action != item.action:
        if (
            item.action == "publish"
            and outcome.state in ("done", "in_progress")
            and row.status in ("withdrawn", "expired")
        ):
            # Withdrawn while this delivery was on its way: close what it created (again).
            row.external_job_id = outcome.external_id or row.external_job_id
            row.pending_action = "close"
            row.updated_at = now
            queue.enqueue_after_commit(session, withdraw_external_posting, row.id)
            session.commit()
            return
        session.rollback()
        return
    if outcome.state == "in_progress":
        meta["task_id"] = outcome.task_id
        row.meta = meta
        row.updated_at = now
        row.error_message = None
        session.commit()
        return
    if outcome.state == "retry":
        row.attempts = (row.attempts or 0) + 1
        row.updated_at = now
        if row.attempts < MAX_ATTEMPTS:
            row.error_message = (
                f"{outcome.message} (attempt {row.attempts} of {MAX_ATTEMPTS}; will retry)"
            )
            session.commit()
            return
        outcome = portals.Outcome(
            outcome.posting_id,
            "failed",
            message=f"{outcome.message} (gave up after {row.attempts} attempts)",
        )
    meta.pop("task_id", None)
    old_status = row.status
    if outcome.state == "done":
        row.pending_action = None
        row.error_message = None
        row.external_job_id = outcome.external_id or row.external_job_id
        row.external_url = outcome.external_url or row.external_url
        if item.action == "publish":
            row.status = "posted"
            row.posted_at = now
            meta["recovered"] = bool(outcome.recovered)
        action_type = {
            "publish": "posting_published",
            "update": "posting_updated",
            "close": "posting_closed",
        }[item.action]
    else:  # failed: final
        row.pending_action = None
        row.error_message = outcome.message
        if item.action == "publish":
            row.status = "failed"
        action_type = f"posting_{item.action}_failed"
    row.meta = meta
    row.updated_at = now
    new_values = {label: row.status, "external_job_id": row.external_job_id}
    if outcome.state != "done":
        new_values["error"] = outcome.message
    if outcome.recovered:
        new_values["recovered_duplicate"] = True
    audit.record(
        session,
        job,
        action_type,
        actor,
        old_values={label: old_status},
        new_values=new_values,
        entity_type="job_external_posting",
    )
    session.commit()


def refresh(session: Session, posting_ids, config: PortalConfig) -> dict[str, str]:
    """Ask the portals about postings waiting on a portal task (LinkedIn) or live ones
    (Naukri); record what changed."""
    rows = session.execute(
        select(JobExternalPosting, Job)
        .join(Job, Job.id == JobExternalPosting.job_id)
        .where(JobExternalPosting.id.in_(list(posting_ids)))
    ).all()
    groups: dict[str, list[Work]] = defaultdict(list)
    for row, job in rows:
        listing = _listing(row, job, config, config.settings(row.portal).company)
        if row.pending_action and listing.task_id:
            groups[row.portal].append(
                Work(row.id, job.id, row.portal, row.pending_action, listing.key, listing)
            )
    session.rollback()
    states = {}
    for portal, items in groups.items():
        adapter = portals.adapter_for(config.settings(portal))
        try:
            answers = {o.posting_id: o for o in adapter.refresh([i.listing for i in items])}
        except portals.PortalError as error:
            log.warning("Refreshing %s postings failed: %s", portal, error.message)
            continue
        for item in items:
            outcome = answers.get(item.posting_id)
            if outcome is not None and outcome.state != "in_progress":
                _record(session, item, outcome)
                states[item.posting_id] = outcome.state
    return states


def refresh_all(
    session: Session, config: PortalConfig, stale_after_seconds: float = STALE_AFTER_SECONDS
) -> dict:
    """The periodic pass: poll postings waiting on a portal task, and repeat every pending
    action that made no progress for ``stale_after_seconds`` (a delivery or withdrawal that
    died half way, or whose message was lost)."""
    limit = utcnow() - timedelta(seconds=stale_after_seconds)
    waiting = list(
        session.execute(
            select(
                JobExternalPosting.id,
                JobExternalPosting.meta,
                JobExternalPosting.updated_at,
                JobExternalPosting.pending_action,
            ).where(JobExternalPosting.pending_action.is_not(None))
        ).all()
    )
    session.rollback()
    with_task = [i for i, meta, _, _ in waiting if (meta or {}).get("task_id")]
    polled = refresh(session, with_task, config) if with_task else {}
    stale = [
        (i, action)
        for i, meta, updated, action in waiting
        if i not in polled and updated is not None and updated <= limit
    ]
    redriven = {}
    closes = [i for i, action in stale if action == "close"]
    others = [i for i, action in stale if action != "close"]
    if others:
        redriven.update(deliver(session, others, config))
    if closes:
        redriven.update(deliver(session, closes, config))
    return {"polled": len(polled), "redriven": len(redriven)}


def live_postings_of(session: Session, job_ids: list[str], portals_=None) -> list[str]:
    """Ids of pending postings (action publish) of ``job_ids`` (bulk runs deliver them)."""
    where = [
        JobExternalPosting.job_id.in_(job_ids),
        JobExternalPosting.pending_action == "publish",
    ]
    if portals_:
        where.append(JobExternalPosting.portal.in_(portals_))
    return list(session.scalars(select(JobExternalPosting.id).where(*where)))


# --- tasks --------------------------------------------------------------------------------------


def task_config() -> PortalConfig:
    """The portal configuration of the app a task runs in."""
    return portal_config(
        {
            name: setting(name)
            for name in ("PORTALS", "PORTAL_SANDBOX", "PUBLIC_URL", "PORTAL_SANDBOX_URL")
        }
    )


@task
def deliver_external_posting(*posting_ids: str) -> dict:
    """Task: publish / update the given postings at their portals (batched per portal)."""
    with task_session() as session:
        return deliver(session, posting_ids, task_config())


@task
def withdraw_external_posting(*posting_ids: str) -> dict:
    """Task: close the given withdrawn or expired postings at their portals."""
    with task_session() as session:
        return deliver(session, posting_ids, task_config())


@task
def refresh_external_posting(posting_id: str) -> dict:
    """Task: ask the portal about one posting (its LinkedIn task), or repeat its pending
    action now."""
    with task_session() as session:
        config = task_config()
        states = refresh(session, [posting_id], config)
        if not states:
            states = deliver(session, [posting_id], config)
        return states


@task
def refresh_external_postings(stale_after_seconds: str | float | None = None) -> dict:
    """Task (periodic): poll pending portal tasks and repeat stalled portal work."""
    with task_session() as session:
        seconds = (
            float(stale_after_seconds)
            if stale_after_seconds not in (None, "")
            else STALE_AFTER_SECONDS
        )
        return refresh_all(session, task_config(), seconds)
