"""The audit writer every job mutation calls, and the verification of the per-job chains.

Each entry's checksum is HMAC-SHA-256 (key ``AUDIT_KEY``, kept outside the database) over the
RFC 8785 canonical JSON of the entry's fields plus the previous entry's checksum. The job row
keeps the latest ``seq`` and checksum, so a cut tail shows.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import groupby

import rfc8785
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Job, JobAuditLog, User, new_id, utcnow
from . import Actor
from .errors import NotFound

HASHED_FIELDS = (
    "id",
    "job_id",
    "seq",
    "action_type",
    "entity_type",
    "old_values",
    "new_values",
    "user_id",
    "ip_address",
    "user_agent",
    "timestamp",
)


def jsonable(value):
    """Values as they are stored in the audit log: JSON types only."""
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


def format_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def signing_key(session: Session) -> bytes:
    """The audit key the session was created with (kept outside the database)."""
    return session.info["audit_key"].encode()


def compute_checksum(fields: dict, prev_checksum: str | None, key: bytes) -> str:
    payload = {name: fields[name] for name in HASHED_FIELDS}
    payload["timestamp"] = format_time(payload["timestamp"])
    payload["prev_checksum"] = prev_checksum
    return hmac.new(key, rfc8785.dumps(payload), hashlib.sha256).hexdigest()


def _entry_fields(entry: JobAuditLog) -> dict:
    return {name: getattr(entry, name) for name in HASHED_FIELDS}


def record(
    session: Session,
    job: Job,
    action_type: str,
    actor: Actor,
    *,
    old_values: dict | None = None,
    new_values: dict | None = None,
    entity_type: str = "job",
) -> JobAuditLog:
    """Append an entry to the job's chain in the caller's transaction.

    The caller holds the job row (locked on PostgreSQL, write lock on SQLite), so the chain's
    ``seq`` cannot be taken twice.
    """
    fields = {
        "id": new_id(),
        "job_id": job.id,
        "seq": (job.audit_seq or 0) + 1,
        "action_type": action_type,
        "entity_type": entity_type,
        "old_values": jsonable(old_values) if old_values is not None else None,
        "new_values": jsonable(new_values) if new_values is not None else None,
        "user_id": actor.user_id,
        "ip_address": (actor.ip_address or None) and actor.ip_address[:45],
        "user_agent": actor.user_agent,
        "timestamp": utcnow(),
    }
    checksum = compute_checksum(fields, job.audit_checksum, signing_key(session))
    entry = JobAuditLog(**fields, prev_checksum=job.audit_checksum, checksum=checksum)
    session.add(entry)
    job.audit_seq = fields["seq"]
    job.audit_checksum = checksum
    return entry


def changed_fields(before: dict, after: dict) -> tuple[dict, dict]:
    """The old and new values of the fields that differ."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after.get(k) for k in keys}


def list_entries(session: Session, job_id: str, page: int, limit: int) -> tuple[list[dict], int]:
    """A job's entries, newest first. Deleted jobs keep their log; an unknown id is a 404."""
    if session.scalar(select(Job.id).where(Job.id == job_id)) is None:
        raise NotFound(f"Job {job_id} was not found.")
    total = session.scalar(
        select(func.count()).select_from(JobAuditLog).where(JobAuditLog.job_id == job_id)
    )
    rows = session.execute(
        select(JobAuditLog, User)
        .join(User, User.id == JobAuditLog.user_id)
        .where(JobAuditLog.job_id == job_id)
        .order_by(JobAuditLog.seq.desc())
        .offset((page - 1) * limit)
        .limit(limit)
    ).all()
    return [serialize_entry(entry, user) for entry, user in rows], total


def serialize_entry(entry: JobAuditLog, user: User) -> dict:
    return {
        "id": entry.id,
        "seq": entry.seq,
        "action_type": entry.action_type,
        "entity_type": entry.entity_type,
        "old_values": entry.old_values,
        "new_values": entry.new_values,
        "user": {"id": user.id, "name": user.name},
        "ip_address": entry.ip_address,
        "user_agent": entry.user_agent,
        "timestamp": entry.timestamp,
        "checksum": entry.checksum,
    }


@dataclass
class Problem:
    job_id: str | None  # a job, "security" (the security-event chain) or None (a checkpoint)
    seq: int  # the entry's, event's or checkpoint's
    # edited | missing | reordered | truncated | deleted_job | checkpoint_missing |
    # checkpoint_altered
    kind: str
    message: str


@dataclass
class VerifyReport:
    valid: bool
    jobs_checked: int
    entries_checked: int
    problems: list[Problem]
    security_events_checked: int = 0
    checkpoints_checked: int = 0
    last_checkpoint_at: str | None = None

    def as_dict(self) -> dict:
        return {
            "valid": self.valid,
            "jobs_checked": self.jobs_checked,
            "entries_checked": self.entries_checked,
            "security_events_checked": self.security_events_checked,
            "checkpoints_checked": self.checkpoints_checked,
            "last_checkpoint_at": self.last_checkpoint_at,
            "problems": [asdict(p) for p in self.problems],
        }


BRUTE_FORCE_LIMIT = 50
MAX_LOOKBACK = 50


def _resolve_positions(entries: list[JobAuditLog], key: bytes) -> dict[str, int | None]:
    """For each entry, the ``seq`` its checksum was computed with: its own when it verifies,
    another when the entry was moved (found through the predecessor its checksum names), or
    ``None`` when its content no longer matches any position (edited)."""
    by_checksum = {entry.checksum: entry for entry in entries if entry.checksum}
    own_ok = {
        entry.id: hmac.compare_digest(
            compute_checksum(_entry_fields(entry), entry.prev_checksum, key), entry.checksum or ""
        )
        for entry in entries
    }
    positions: dict[str, int | None] = {}
    # Beyond the predecessor's lead, short chains are also searched position by position.
    all_seqs = [entry.seq for entry in entries] if len(entries) <= BRUTE_FORCE_LIMIT else []

    def position(entry: JobAuditLog, visiting: frozenset[str]) -> int | None:
        if entry.id in positions:
            return positions[entry.id]
        if own_ok[entry.id]:
            positions[entry.id] = entry.seq
            return entry.seq
        candidates: list[int] = []
        if entry.prev_checksum is None:
            candidates.append(1)
        else:
            pred = by_checksum.get(entry.prev_checksum)
            if pred is not None:
                if pred.id not in visiting and len(visiting) < MAX_LOOKBACK:
                    pred_position = position(pred, visiting | {entry.id})
                    if pred_position is not None:
                        candidates.append(pred_position + 1)
                candidates.append(pred.seq + 1)
        candidates.extend(all_seqs)
        fields = _entry_fields(entry)
        found = next(
            (
                seq
                for seq in dict.fromkeys(candidates)
                if seq != entry.seq
                and hmac.compare_digest(
                    compute_checksum({**fields, "seq": seq}, entry.prev_checksum, key),
                    entry.checksum or "",
                )
            ),
            None,
        )
        positions[entry.id] = found
        return found

    for entry in entries:
        position(entry, frozenset())
    return positions


def _verify_chain(
    job_id: str, entries: list[JobAuditLog], head: tuple[int, str | None], key: bytes
) -> list[Problem]:
    """One job's chain (entries ordered by stored ``seq``) against the job row's head."""
    problems: list[Problem] = []
    positions = _resolve_positions(entries, key)
    # Where each entry really belongs: edited entries are taken to stand where they are.
    placed: dict[int, JobAuditLog] = {}
    for entry in entries:
        true_seq = positions[entry.id]
        if true_seq is None:
            problems.append(
                Problem(job_id, entry.seq, "edited", "the entry does not match its checksum")
            )
            placed.setdefault(entry.seq, entry)
        elif true_seq != entry.seq:
            problems.append(
                Problem(
                    job_id,
                    entry.seq,
                    "reordered",
                    f"entry {true_seq} now stands at position {entry.seq}",
                )
            )
            placed.setdefault(true_seq, entry)
        else:
            placed.setdefault(true_seq, entry)
    last = max(placed, default=0)
    for seq in range(1, last + 1):
        if seq not in placed:
            problems.append(
                Problem(job_id, seq, "missing", f"entry {seq} is missing from the chain")
            )
            continue
        entry = placed[seq]
        previous = placed.get(seq - 1)
        linked = entry.prev_checksum is None if seq == 1 else previous is None
        if previous is not None:
            linked = entry.prev_checksum == previous.checksum
        if (
            not linked
            and positions[entry.id] is not None
            and (previous is None or positions[previous.id] is not None)
        ):
            problems.append(
                Problem(
                    job_id, entry.seq, "reordered", "the entry does not follow the previous entry"
                )
            )
    head_seq, head_checksum = head
    if head_seq > last:
        for cut in range(last + 1, head_seq + 1):
            problems.append(
                Problem(job_id, cut, "truncated", f"entry {cut} was cut from the end of the chain")
            )
    elif last and positions[placed[last].id] is not None and head_checksum != placed[last].checksum:
        problems.append(
            Problem(
                job_id,
                last,
                "truncated",
                "the job's latest checksum does not match the last entry",
            )
        )
    problems.sort(key=lambda p: (p.seq, p.kind))
    return problems


def verify(session: Session, job_id: str | None = None, key: bytes | None = None) -> VerifyReport:
    """Check every job's chain (or one job's, deleted jobs included): edited, missing,
    reordered and truncated entries. Streams the entries job by job. ``integrity.verify`` adds
    the security-event chain and the audit checkpoints."""
    key = key or signing_key(session)
    job_query = select(Job.id, Job.audit_seq, Job.audit_checksum)
    entry_query = select(JobAuditLog).order_by(JobAuditLog.job_id, JobAuditLog.seq)
    if job_id is not None:
        job_query = job_query.where(Job.id == job_id)
        entry_query = entry_query.where(JobAuditLog.job_id == job_id)
    heads = {row.id: (row.audit_seq or 0, row.audit_checksum) for row in session.execute(job_query)}
    problems: list[Problem] = []
    entries_checked = 0
    jobs_checked = 0
    seen: set[str] = set()
    stream = session.scalars(entry_query.execution_options(yield_per=2000))
    for jid, group in groupby(stream, key=lambda entry: entry.job_id):
        entries = list(group)
        seen.add(jid)
        jobs_checked += 1
        entries_checked += len(entries)
        problems.extend(_verify_chain(jid, entries, heads.get(jid, (0, None)), key))
    for jid in sorted(set(heads) - seen):
        if heads[jid][0] > 0:  # the job says it has entries, but none are left
            jobs_checked += 1
            problems.extend(_verify_chain(jid, [], heads[jid], key))
    problems.sort(key=lambda p: (p.job_id or "", p.seq, p.kind))
    return VerifyReport(not problems, jobs_checked, entries_checked, problems)
