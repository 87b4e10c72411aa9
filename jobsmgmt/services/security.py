"""The security-event trail: logins, failed logins, lockouts, API tokens, roles and new users.

One HMAC chain for the installation (key ``AUDIT_KEY``, the same construction as a job's audit
chain): each event's checksum covers its fields and the previous event's checksum, and the
chain's head (``audit_chain_heads``) is locked while an event is appended. Audit checkpoints
record the head too, so a cut tail shows like a job's.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import rfc8785
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..models import AuditChainHead, SecurityEvent, new_id, utcnow
from .audit import Problem, format_time, jsonable

CHAIN = "security"
EVENT_TYPES = (
    "login",
    "login_failed",
    "lockout",
    "token_created",
    "token_revoked",
    "role_changed",
    "user_created",
)
HASHED_FIELDS = (
    "id",
    "seq",
    "event_type",
    "user_id",
    "email",
    "actor_id",
    "ip_address",
    "user_agent",
    "details",
    "timestamp",
)


@dataclass(frozen=True)
class EventContext:
    """Where security events go and who causes them: the audit key (from the caller's
    settings), the acting user (None for anonymous logins) and the request's address."""

    key: bytes
    actor_id: str | None = None
    ip_address: str | None = None
    user_agent: str | None = None


def compute_checksum(fields: dict, prev_checksum: str | None, key: bytes) -> str:
    payload = {name: fields[name] for name in HASHED_FIELDS}
    payload["timestamp"] = format_time(payload["timestamp"])
    payload["prev_checksum"] = prev_checksum
    return hmac.new(key, rfc8785.dumps(payload), hashlib.sha256).hexdigest()


def lock_chain(session: Session, name: str = CHAIN) -> AuditChainHead:
    """A chain's head row, created if need be and locked (PostgreSQL: FOR UPDATE; SQLite: the
    write transaction), so appends to the chain are serialised."""
    head = session.scalar(
        select(AuditChainHead).where(AuditChainHead.name == name).with_for_update()
    )
    if head is None:
        dialect = session.get_bind().dialect.name
        if dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        session.execute(
            insert(AuditChainHead)
            .values(name=name, seq=0, checksum=None)
            .on_conflict_do_nothing(index_elements=["name"])
        )
        head = session.scalar(
            select(AuditChainHead).where(AuditChainHead.name == name).with_for_update()
        )
    return head


def record(
    session: Session,
    context: EventContext,
    event_type: str,
    *,
    user_id: str | None = None,
    email: str | None = None,
    details: dict | None = None,
    commit: bool = True,
) -> SecurityEvent:
    """Append one event to the chain (and commit, unless the caller commits its own change
    with it)."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown security event {event_type}")
    head = lock_chain(session)
    fields = {
        "id": new_id(),
        "seq": head.seq + 1,
        "event_type": event_type,
        "user_id": user_id,
        "email": (email or None) and email[:255],
        "actor_id": context.actor_id,
        "ip_address": (context.ip_address or None) and context.ip_address[:45],
        "user_agent": (context.user_agent or None) and context.user_agent[:500],
        "details": jsonable(details) if details is not None else None,
        "timestamp": utcnow(),
    }
    checksum = compute_checksum(fields, head.checksum, context.key)
    event = SecurityEvent(**fields, prev_checksum=head.checksum, checksum=checksum)
    session.add(event)
    head.seq = fields["seq"]
    head.checksum = checksum
    if commit:
        session.commit()
    return event


@dataclass(frozen=True)
class EventFilters:
    event_type: str | None = None
    email: str | None = None
    date_from: date | None = None
    date_to: date | None = None


def _conditions(filters: EventFilters) -> list:
    conditions = []
    if filters.event_type:
        conditions.append(SecurityEvent.event_type == filters.event_type)
    if filters.email:
        conditions.append(SecurityEvent.email == filters.email.strip().lower())
    if filters.date_from:
        conditions.append(SecurityEvent.timestamp >= datetime.combine(filters.date_from, time()))
    if filters.date_to:
        end = datetime.combine(filters.date_to + timedelta(days=1), time())
        conditions.append(SecurityEvent.timestamp < end)
    return conditions


def list_events(
    session: Session, filters: EventFilters, page: int = 1, limit: int = 50
) -> tuple[list[SecurityEvent], int]:
    """Events newest first, filtered by type, e-mail and UTC date range."""
    conditions = _conditions(filters)
    total = session.scalar(select(func.count()).select_from(SecurityEvent).where(*conditions))
    rows = session.scalars(
        select(SecurityEvent)
        .where(*conditions)
        .order_by(SecurityEvent.seq.desc())
        .offset((page - 1) * limit)
        .limit(limit)
    ).all()
    return list(rows), total


CSV_COLUMNS = ("seq", "timestamp", "event_type", "email", "user_id", "actor_id", "ip_address")
CSV_COLUMNS += ("user_agent", "details", "checksum")


def _cell(value) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def events_csv(session: Session, filters: EventFilters):
    """The filtered events as CSV, oldest first, yielded in chunks."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    query = select(SecurityEvent).where(*_conditions(filters)).order_by(SecurityEvent.seq)
    for event in session.scalars(query.execution_options(yield_per=1000)):
        writer.writerow(
            [
                _cell(event.seq),
                format_time(event.timestamp),
                _cell(event.event_type),
                _cell(event.email),
                _cell(event.user_id),
                _cell(event.actor_id),
                _cell(event.ip_address),
                _cell(event.user_agent),
                _cell(rfc8785.dumps(event.details).decode() if event.details else ""),
                event.checksum,
            ]
        )
        if buffer.tell() > 64_000:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def head(session: Session) -> tuple[int, str | None]:
    row = session.get(AuditChainHead, CHAIN)
    return (row.seq, row.checksum) if row else (0, None)


def verify(session: Session, key: bytes) -> tuple[int, list[Problem]]:
    """Check the chain: every checksum, every link, no gap, and the head row at the end.
    Problems name the chain as job ``security``. Returns (events checked, problems)."""
    problems: list[Problem] = []
    previous: SecurityEvent | None = None
    checked = 0
    for event in session.scalars(
        select(SecurityEvent).order_by(SecurityEvent.seq).execution_options(yield_per=2000)
    ):
        checked += 1
        expected_seq = (previous.seq if previous else 0) + 1
        for missing in range(expected_seq, event.seq):
            problems.append(Problem(CHAIN, missing, "missing", f"event {missing} is missing"))
        fields = {name: getattr(event, name) for name in HASHED_FIELDS}
        if not hmac.compare_digest(
            compute_checksum(fields, event.prev_checksum, key), event.checksum
        ):
            problems.append(
                Problem(CHAIN, event.seq, "edited", "the event does not match its checksum")
            )
        elif previous is not None and event.seq == expected_seq:
            if event.prev_checksum != previous.checksum:
                problems.append(
                    Problem(CHAIN, event.seq, "reordered", "the event does not follow the previous")
                )
        previous = event
    head_seq, head_checksum = head(session)
    last = previous.seq if previous else 0
    if head_seq > last:
        problems.extend(
            Problem(CHAIN, cut, "truncated", f"event {cut} was cut from the end of the chain")
            for cut in range(last + 1, head_seq + 1)
        )
    elif previous is not None and head_checksum != previous.checksum:
        problems.append(
            Problem(CHAIN, last, "truncated", "the chain's head does not match the last event")
        )
    return checked, problems
