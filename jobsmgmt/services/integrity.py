"""The whole integrity check: every job's audit chain, the security-event chain and the audit
checkpoints (the table's, and the records of the checkpoint file or log when given)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from . import audit, checkpoints, security


def verify(
    session: Session,
    key: bytes,
    job_id: str | None = None,
    checkpoint_records: list[dict] | None = None,
) -> audit.VerifyReport:
    """One job's chain only (``job_id``), or everything: job chains, the security chain and
    every checkpointed head (a problem found twice is reported once)."""
    report = audit.verify(session, job_id, key=key)
    if job_id is not None:
        return report
    problems = report.problems
    report.security_events_checked, security_problems = security.verify(session, key)
    problems.extend(security_problems)
    outside = checkpoints.verify(session, key, checkpoint_records)
    report.checkpoints_checked = outside.checkpoints_checked
    report.last_checkpoint_at = outside.last_checkpoint_at
    seen = {(p.job_id, p.seq, p.kind) for p in problems}
    problems.extend(p for p in outside.problems if (p.job_id, p.seq, p.kind) not in seen)
    problems.sort(key=lambda p: (p.job_id or "", p.seq, p.kind))
    report.valid = not problems
    return report
