"""Audit checkpoints: keyed statements, kept outside the database, of every chain's head.

A job's chain proves its entries were not edited, moved or removed from the middle; its head
(``jobs.audit_seq``/``audit_checksum``) shows a cut tail. But the head is in the same database:
whoever can delete the tail can rewrite the head, and whoever deletes a job row with all its
entries leaves nothing to check. A checkpoint (the CloudTrail digest-file idea) closes that:

- every ``CHECKPOINT_EVERY_SECONDS`` (and on ``jobsmgmt audit checkpoint``) the heads of all
  job chains and of the security-event chain are read; the ones that changed since the last
  checkpoint (``changed``), SHA-256 over all of them (``heads_digest``), the number of jobs and
  entries and the previous checkpoint's MAC are signed with HMAC-SHA-256 under ``AUDIT_KEY``;
- the record goes to the ``audit_checkpoints`` table **and** out of the database: appended to a
  JSON-lines file (desktop: ``audit-checkpoints.jsonl`` in the data directory, copied next to
  each backup) or printed as one ``audit-checkpoint {...}`` line on stdout (hosted: the log
  drain keeps it);
- ``verify`` replays the checkpoints (the file's and the table's), checks each MAC, link and
  digest, then proves every checkpointed head still exists unchanged in the database.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import rfc8785
from sqlalchemy import func, select, tuple_
from sqlalchemy.orm import Session

from ..models import (
    AuditCheckpoint,
    AuditCheckpointHead,
    Job,
    JobAuditLog,
    SecurityEvent,
    utcnow,
)
from ..tasks import setting, task, task_session
from . import security
from .audit import Problem, format_time, signing_key

CHECKPOINT_EVERY_SECONDS = 10 * 60
LOG_MARKER = "audit-checkpoint "
SECURITY_HEAD = "security"  # the security chain's key among the heads (job ids are UUIDs)
SIGNED_FIELDS = (
    "seq",
    "created_at",
    "jobs_count",
    "entries_count",
    "security_seq",
    "changed",
    "heads_digest",
    "prev_mac",
)


def heads_digest(heads: dict[str, tuple[int, str | None]]) -> str:
    rows = [[name, seq, checksum] for name, (seq, checksum) in sorted(heads.items())]
    return hashlib.sha256(rfc8785.dumps(rows)).hexdigest()


def compute_mac(record: dict, key: bytes) -> str:
    payload = {name: record[name] for name in SIGNED_FIELDS}
    return hmac.new(key, rfc8785.dumps(payload), hashlib.sha256).hexdigest()


def _as_record(row: AuditCheckpoint) -> dict:
    return {
        "seq": row.seq,
        "created_at": format_time(row.created_at),
        "jobs_count": row.jobs_count,
        "entries_count": row.entries_count,
        "security_seq": row.security_seq,
        "changed": row.changed,
        "heads_digest": row.heads_digest,
        "prev_mac": row.prev_mac,
        "mac": row.mac,
    }


def _current_heads(session: Session) -> dict[str, tuple[int, str | None]]:
    heads = {
        row.id: (row.audit_seq, row.audit_checksum)
        for row in session.execute(
            select(Job.id, Job.audit_seq, Job.audit_checksum).where(Job.audit_seq > 0)
        )
    }
    security_seq, security_checksum = security.head(session)
    if security_seq:
        heads[SECURITY_HEAD] = (security_seq, security_checksum)
    return heads


def take_checkpoint(session: Session, key: bytes, out_file: Path | None = None) -> dict:
    """Write the next checkpoint (table, then the file or stdout) and return its record. Runs
    in one write transaction holding the checkpoint lock, so two writers never interleave."""
    security.lock_chain(session, "checkpoints")
    previous = session.scalar(select(AuditCheckpoint).order_by(AuditCheckpoint.seq.desc()))
    known = {
        row.job_id: (row.seq, row.checksum) for row in session.scalars(select(AuditCheckpointHead))
    }
    heads = _current_heads(session)
    changed = sorted(
        [name, seq, checksum]
        for name, (seq, checksum) in heads.items()
        if known.get(name) != (seq, checksum)
    )
    # Heads that vanished stay as last checkpointed: the next checkpoints keep asserting them.
    state = {**known, **heads}
    entries = session.scalar(select(func.count()).select_from(JobAuditLog))
    now = utcnow()
    record = {
        "seq": (previous.seq if previous else 0) + 1,
        "created_at": format_time(now),
        "jobs_count": len([name for name in heads if name != SECURITY_HEAD]),
        "entries_count": entries,
        "security_seq": heads.get(SECURITY_HEAD, (0, None))[0],
        "changed": changed,
        "heads_digest": heads_digest(state),
        "prev_mac": previous.mac if previous else None,
    }
    record["mac"] = compute_mac(record, key)
    session.add(AuditCheckpoint(**{**record, "created_at": now}))
    for name, seq, checksum in changed:
        row = session.get(AuditCheckpointHead, name)
        if row is None:
            session.add(AuditCheckpointHead(job_id=name, seq=seq, checksum=checksum))
        else:
            row.seq, row.checksum = seq, checksum
    session.commit()
    publish(record, out_file)
    return record


def _line(record: dict) -> str:
    return json.dumps(record, sort_keys=True, separators=(",", ":"))


def publish(record: dict, out_file: Path | None) -> None:
    """Append the record to the checkpoint file (fsynced), or print it as one log line."""
    line = _line(record)
    if out_file is None:
        sys.stdout.write(LOG_MARKER + line + "\n")
        sys.stdout.flush()
        return
    out_file.parent.mkdir(parents=True, exist_ok=True)
    with open(out_file, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())


def table_records(session: Session) -> list[dict]:
    """The checkpoints the database holds itself, oldest first, as the file has them."""
    return [
        _as_record(row)
        for row in session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.seq))
    ]


def write_file(records: list[dict], path: Path) -> None:
    """A checkpoint file holding ``records`` (owner-readable only, fsynced), written whole."""
    descriptor = os.open(path, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600)
    with open(descriptor, "w", encoding="utf-8") as handle:
        handle.writelines(_line(record) + "\n" for record in records)
        handle.flush()
        os.fsync(handle.fileno())


def parse_lines(lines) -> tuple[list[dict], int]:
    """Checkpoint records from a JSON-lines file or a log export (lines carrying
    ``audit-checkpoint {...}`` anywhere). Returns (records, unreadable lines)."""
    records, unreadable = [], 0
    for raw in lines:
        text = raw.strip()
        if not text:
            continue
        if LOG_MARKER in text:
            text = text.split(LOG_MARKER, 1)[1].strip()
        elif not text.startswith("{"):
            continue  # any other log line
        try:
            record = json.loads(text)
        except ValueError:
            unreadable += 1
            continue
        if isinstance(record, dict) and isinstance(record.get("seq"), int):
            records.append(record)
        else:
            unreadable += 1
    return records, unreadable


@dataclass
class CheckpointReport:
    checkpoints_checked: int
    problems: list[Problem]
    last_checkpoint_at: str | None


def _problem(seq: int, kind: str, message: str, job_id: str | None = None) -> Problem:
    return Problem(job_id, seq, kind, message)


def _authentic(record: dict, key: bytes) -> bool:
    try:
        return hmac.compare_digest(compute_mac(record, key), str(record.get("mac", "")))
    except (KeyError, TypeError, ValueError):
        return False


def verify(
    session: Session, key: bytes, file_records: list[dict] | None = None
) -> CheckpointReport:
    """Check the checkpoints (the table's and, when given, the file's) and every head they
    assert against the database now."""
    problems: list[Problem] = []
    db_records = {record["seq"]: record for record in table_records(session)}
    file_by_seq: dict[int, dict] = {}
    for record in file_records or []:
        if not _authentic(record, key):
            problems.append(
                _problem(
                    record["seq"],
                    "checkpoint_altered",
                    f"checkpoint {record['seq']} in the file does not match its MAC",
                )
            )
        elif record["seq"] in file_by_seq and file_by_seq[record["seq"]]["mac"] != record["mac"]:
            problems.append(
                _problem(
                    record["seq"],
                    "checkpoint_altered",
                    f"the file holds two different checkpoints {record['seq']}",
                )
            )
        else:
            file_by_seq[record["seq"]] = record
    chain: dict[int, dict] = {}
    for seq, record in db_records.items():
        if not _authentic(record, key):
            problems.append(
                _problem(
                    seq,
                    "checkpoint_altered",
                    f"checkpoint {seq} in the database does not match its MAC",
                )
            )
            continue
        chain[seq] = record
    file_last = max(file_by_seq, default=0)
    for seq, record in file_by_seq.items():
        if seq not in db_records:
            problems.append(
                _problem(
                    seq,
                    "checkpoint_missing",
                    f"checkpoint {seq} is in the file but was deleted from the database",
                )
            )
        elif seq in chain and chain[seq]["mac"] != record["mac"]:
            problems.append(
                _problem(
                    seq,
                    "checkpoint_altered",
                    f"checkpoint {seq} differs between the database and the file",
                )
            )
        chain[seq] = record  # the file's copy is the one kept outside the database
    if file_records is not None:
        for seq in db_records:
            if seq <= file_last and seq not in file_by_seq:
                problems.append(
                    _problem(
                        seq,
                        "checkpoint_missing",
                        f"checkpoint {seq} is in the database but missing from the file",
                    )
                )
    # Replay: each checkpoint follows the previous one and its digest covers the heads so far.
    state: dict[str, tuple[int, str | None]] = {}
    previous_mac = None
    replayable = True
    last = max(chain, default=0)
    for seq in range(1, last + 1):
        record = chain.get(seq)
        if record is None:
            if not any(p.seq == seq and p.kind == "checkpoint_missing" for p in problems):
                problems.append(
                    _problem(seq, "checkpoint_missing", f"checkpoint {seq} was deleted everywhere")
                )
            replayable = False
            previous_mac = None
            continue
        if replayable and record.get("prev_mac") != previous_mac:
            problems.append(
                _problem(
                    seq,
                    "checkpoint_altered",
                    f"checkpoint {seq} does not follow checkpoint {seq - 1}",
                )
            )
        for name, head_seq, checksum in record["changed"]:
            state[name] = (head_seq, checksum)
        if replayable and heads_digest(state) != record["heads_digest"]:
            problems.append(
                _problem(
                    seq,
                    "checkpoint_altered",
                    f"the heads replayed up to checkpoint {seq} do not match its digest",
                )
            )
            replayable = False
        previous_mac = record["mac"]
    # After a gap, the heads named by the surviving checkpoints are still checked; heads only
    # the missing checkpoint listed cannot be.
    problems.extend(_check_heads(session, state))
    problems.sort(key=lambda p: (p.job_id or "", p.seq, p.kind))
    return CheckpointReport(
        checkpoints_checked=len(chain),
        problems=problems,
        last_checkpoint_at=chain[last]["created_at"] if last else None,
    )


def _check_heads(session: Session, state: dict[str, tuple[int, str | None]]) -> list[Problem]:
    """Every checkpointed head must still be in its chain, unchanged. Reads one entry per
    checkpointed job (by job and seq), and the whole chain only of jobs whose head is gone."""
    problems: list[Problem] = []
    job_heads = {name: head for name, head in state.items() if name != SECURITY_HEAD}
    pairs = [(job_id, seq) for job_id, (seq, _) in job_heads.items()]
    found: dict[str, str] = {}
    existing_jobs: set[str] = set()
    for start in range(0, len(pairs), 500):
        chunk = pairs[start : start + 500]
        existing_jobs.update(
            session.scalars(select(Job.id).where(Job.id.in_([job_id for job_id, _ in chunk])))
        )
        for row in session.execute(
            select(JobAuditLog.job_id, JobAuditLog.checksum).where(
                tuple_(JobAuditLog.job_id, JobAuditLog.seq).in_(chunk)
            )
        ):
            found[row.job_id] = row.checksum
    for job_id, (seq, checksum) in sorted(job_heads.items()):
        if job_id in found:
            if found[job_id] != checksum:
                problems.append(
                    _problem(
                        seq, "edited", f"entry {seq} differs from the checkpointed entry", job_id
                    )
                )
            continue
        left = set(
            session.scalars(
                select(JobAuditLog.seq).where(JobAuditLog.job_id == job_id, JobAuditLog.seq <= seq)
            )
        )
        if job_id not in existing_jobs:
            problems.append(
                _problem(
                    seq,
                    "deleted_job",
                    f"the job was deleted with its entries (checkpointed up to entry {seq}; "
                    f"{len(left)} entries left)",
                    job_id,
                )
            )
            continue
        first_cut = max(left, default=0) + 1
        problems.extend(
            _problem(cut, "truncated", f"entry {cut} was checkpointed and is gone", job_id)
            for cut in range(first_cut, seq + 1)
        )
    if SECURITY_HEAD in state:
        seq, checksum = state[SECURITY_HEAD]
        event_checksum = session.scalar(
            select(SecurityEvent.checksum).where(SecurityEvent.seq == seq)
        )
        if event_checksum is None:
            last = session.scalar(select(func.max(SecurityEvent.seq))) or 0
            for cut in range(min(last, seq) + 1, seq + 1):
                problems.append(
                    _problem(
                        cut,
                        "truncated",
                        f"security event {cut} was checkpointed and is gone",
                        SECURITY_HEAD,
                    )
                )
        elif event_checksum != checksum:
            problems.append(
                _problem(
                    seq,
                    "edited",
                    f"security event {seq} differs from the checkpoint",
                    SECURITY_HEAD,
                )
            )
    return problems


@task
def audit_checkpoint() -> int:
    """Task: write an audit checkpoint (table + the data directory's file, or a stdout line)."""
    with task_session() as session:
        out = setting("AUDIT_CHECKPOINT_FILE")
        return take_checkpoint(session, signing_key(session), Path(out) if out else None)["seq"]
