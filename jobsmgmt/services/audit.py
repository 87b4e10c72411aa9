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

import rfc8785
from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import Job, JobAuditLog, User, new_id, utcnow
from . import Actor

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


def _key() -> bytes:
    return current_app.config["AUDIT_KEY"].encode()


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
    checksum = compute_checksum(fields, job.audit_checksum, _key())
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
    job_id: str
    seq: int
    kind: str  # edited | missing | reordered | truncated
    message: str


@dataclass
class VerifyReport:
    valid: bool
    jobs_checked: int
    entries_checked: int
    problems: list[Problem]

    def as_dict(self) -> dict:
        return {
            "valid": self.valid,
            "jobs_checked": self.jobs_checked,
            "entries_checked": self.entries_checked,
            "problems": [asdict(p) for p in self.problems],
        }


def _verify_chain(
    job_id: str, entries: list[JobAuditLog], head: tuple[int, str | None], key: bytes
) -> list[Problem]:
    problems: list[Problem] = []
    seqs = sorted({e.seq for e in entries})
    expected_prev: str | None = None
    expected_seq = 1
    for entry in entries:
        fields = _entry_fields(entry)
        own_ok = hmac.compare_digest(
            compute_checksum(fields, entry.prev_checksum, key), entry.checksum or ""
        )
        if not own_ok:
            moved_from = next(
                (
                    s
                    for s in seqs
                    if s != entry.seq
                    and hmac.compare_digest(
                        compute_checksum({**fields, "seq": s}, entry.prev_checksum, key),
                        entry.checksum or "",
                    )
                ),
                None,
            )
            if moved_from is not None:
                problems.append(
                    Problem(
                        job_id,
                        entry.seq,
                        "reordered",
                        f"entry {moved_from} now stands at position {entry.seq}",
                    )
                )
            else:
                problems.append(
                    Problem(job_id, entry.seq, "edited", "the entry does not match its checksum")
                )
        elif entry.seq > expected_seq:
            for missing in range(expected_seq, entry.seq):
                problems.append(
                    Problem(
                        job_id, missing, "missing", f"entry {missing} is missing from the chain"
                    )
                )
        elif entry.prev_checksum != expected_prev:
            problems.append(
                Problem(
                    job_id, entry.seq, "reordered", "the entry does not follow the previous entry"
                )
            )
        expected_prev = entry.checksum
        expected_seq = entry.seq + 1
    head_seq, head_checksum = head
    last_seq = entries[-1].seq if entries else 0
    if head_seq > last_seq:
        for cut in range(last_seq + 1, head_seq + 1):
            problems.append(
                Problem(job_id, cut, "truncated", f"entry {cut} was cut from the end of the chain")
            )
    elif entries and head_checksum != entries[-1].checksum and not problems:
        problems.append(
            Problem(
                job_id,
                last_seq,
                "truncated",
                "the job's latest checksum does not match the last entry",
            )
        )
    return problems


def verify(session: Session, job_id: str | None = None) -> VerifyReport:
    """Check every chain (or one job's): edited, missing, reordered and truncated entries."""
    key = _key()
    job_query = select(Job.id, Job.audit_seq, Job.audit_checksum)
    entry_query = select(JobAuditLog).order_by(JobAuditLog.job_id, JobAuditLog.seq)
    if job_id is not None:
        job_query = job_query.where(Job.id == job_id)
        entry_query = entry_query.where(JobAuditLog.job_id == job_id)
    heads = {row.id: (row.audit_seq or 0, row.audit_checksum) for row in session.execute(job_query)}
    chains: dict[str, list[JobAuditLog]] = {}
    for entry in session.scalars(entry_query).yield_per(2000):
        chains.setdefault(entry.job_id, []).append(entry)
    problems: list[Problem] = []
    entries_checked = 0
    job_ids = sorted(set(chains) | {jid for jid, head in heads.items() if head[0] > 0})
    for jid in job_ids:
        entries = chains.get(jid, [])
        entries_checked += len(entries)
        problems.extend(_verify_chain(jid, entries, heads.get(jid, (0, None)), key))
    return VerifyReport(not problems, len(job_ids), entries_checked, problems)
