"""The demo seed's history of one job: its status path, audit chain, applications with their
stage events, views and daily rows — what the live paths would have written, in bulk."""

from __future__ import annotations

import os
import random
import secrets
import time
from bisect import bisect_right
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from itertools import accumulate

from sqlalchemy.orm import Session

from ..models import FINAL_STAGES, PIPELINE
from ..services import audit
from ..services.status import TRANSITIONS, plan_status_change
from .catalogue import EMPLOYMENT_WEIGHTS, FIRST_NAMES, LAST_NAMES, REASONS, SOURCES
from .postings import PostingMaker
from .writer import AUDIT_COLUMNS, RowWriter, as_json

SEED_AGENT = "jobsmgmt-demo-seed"
DAY = 86400

# Final status of a seeded job → the paths (after draft) that end there, all legal moves.
STATUS_WEIGHTS = (("draft", 8), ("open", 42), ("on_hold", 8), ("closed", 30), ("archived", 12))
STATUS_PATHS: dict[str, tuple[tuple[str, ...], ...]] = {
    "draft": ((),),
    "open": (("open",), ("open",), ("open",), ("open", "on_hold", "open")),
    "on_hold": (("open", "on_hold"),),
    "closed": (
        ("open", "closed"),
        ("open", "closed"),
        ("open", "on_hold", "closed"),
        ("open", "closed", "open", "closed"),
        ("open", "closed", "archived", "closed"),
    ),
    "archived": (("archived",), ("open", "closed", "archived"), ("open", "closed", "archived")),
}
# From each pipeline stage: (next stage, probability); what is left is "stays where it is".
STAGE_MOVES = {
    "applied": (
        ("shortlisted", 0.34),
        ("interview", 0.03),
        ("rejected", 0.30),
        ("withdrawn", 0.04),
    ),
    "shortlisted": (("interview", 0.50), ("rejected", 0.25), ("withdrawn", 0.05)),
    "interview": (("offer", 0.40), ("rejected", 0.35), ("withdrawn", 0.05)),
    "offer": (("hired", 0.65), ("rejected", 0.10), ("withdrawn", 0.12)),
}


@dataclass
class SeedReport:
    jobs: int = 0
    applications: int = 0
    candidates: int = 0
    stage_events: int = 0
    status_changes: int = 0
    audit_entries: int = 0
    analytics_rows: int = 0
    views: int = 0
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return asdict(self)


def weighted(rng: random.Random, pairs) -> str:
    names = [name for name, _ in pairs]
    return rng.choices(names, weights=[weight for _, weight in pairs])[0]


def aware(seconds: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds)


class HistorySeeder:
    """Builds each seeded job's history from one random.Random, buffering its rows."""

    def __init__(self, session: Session, rng: random.Random, days: int, today: date):
        self.session = session
        self.rng = rng
        self.ids = random.Random(os.urandom(16))  # ids differ per run; the content does not
        self.id_time, self.id_count = int(time.time() * 1000), 0
        self.writer = RowWriter(session)
        self.key = audit.signing_key(session)
        self.end = int(datetime.combine(today, datetime.min.time(), UTC).timestamp())
        self.start = self.end - days * DAY
        self.report = SeedReport()
        self.scores: dict[tuple[int, int], Decimal] = {}
        self.json_cache: dict[tuple[str, ...], str] = {}
        self.postings = PostingMaker(rng)

    def new_id(self) -> str:
        """A UUIDv7-style id that grows in insertion order, so the bulk inserts append to each
        index instead of scattering over it; random in its low 62 bits."""
        count = self.id_count
        self.id_count += 1
        value = (
            ((self.id_time + (count >> 12)) << 80)
            | (0x7 << 76)
            | ((count & 0xFFF) << 64)
            | (0b10 << 62)
            | self.ids.getrandbits(62)
        )
        text = f"{value:032x}"
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"

    # --- jobs, their status history and audit chain --------------------------------------

    def job(self, owner_id: str, final_status: str) -> dict:
        rng = self.rng
        posting = self.postings.posting()
        created = self.start + int(rng.random() * (self.end - self.start) * 0.9)
        path = rng.choice(STATUS_PATHS[final_status])
        moments = sorted(
            created + 3600 + int(rng.random() * (self.end - created - 7200)) for _ in path
        )
        for i in range(1, len(moments)):  # strictly one after the other
            moments[i] = max(moments[i], moments[i - 1] + 60)
        deadline = None
        if path and rng.random() < 0.6:
            if final_status in ("open", "on_hold"):
                deadline = self.end + rng.randint(7, 60) * DAY + rng.randint(0, 23) * 3600
            else:
                deadline = moments[-1] + rng.randint(1, 10) * DAY
        job = {
            "id": self.new_id(),
            "title": posting["title"],
            "department": posting["department"],
            "location": posting["location"],
            "employment_type": weighted(rng, EMPLOYMENT_WEIGHTS),
            "description": posting["description"],
            "required_skills": posting["skills"],
            "owner_id": owner_id,
            "created": created,
            "deadline": deadline,
            "rows": [],  # history and audit rows, written after the job's own row
        }
        job["open_periods"] = self._history(job, path, moments)
        return job

    def _history(self, job: dict, path: tuple[str, ...], moments: list[int]) -> list[list[int]]:
        """Status changes along ``path``: history rows, audit entries and the job's timestamps,
        computed by the status service's own rules. Returns the periods the job was open."""
        state = JobState(status="draft")
        creation = {
            "title": job["title"],
            "department": job["department"],
            "location": job["location"],
            "employment_type": job["employment_type"],
            "description": job["description"],
            "required_skills": job["required_skills"],
            "application_deadline": aware(job["deadline"]) if job["deadline"] else None,
            "owner_id": job["owner_id"],
            "status": "draft",
        }
        chain = AuditChain(self, job)
        chain.entry("create", job["created"], None, creation)
        periods: list[list[int]] = []
        for new_status, moment in zip(path, moments, strict=True):
            assert new_status in TRANSITIONS[state.status], (state.status, new_status)
            reason = self.rng.choice(REASONS[new_status])
            changes = plan_status_change(state, new_status, now=aware(moment))
            job["rows"].append(
                (
                    "job_status_history",
                    self.new_id(),
                    job["id"],
                    state.status,
                    new_status,
                    reason,
                    job["owner_id"],
                    self.writer.moment(moment),
                )
            )
            self.report.status_changes += 1
            new_values = {name: change["to"] for name, change in changes.items()}
            new_values["reason"] = reason
            chain.entry(
                "status_change",
                moment,
                {name: change["from"] for name, change in changes.items()},
                new_values,
            )
            if state.status == "open":
                periods[-1][1] = moment
            if new_status == "open":
                periods.append([moment, self.end])
            for name, change in changes.items():
                setattr(state, name, change["to"])
        job["state"] = state
        job["updated"] = moments[-1] if moments else job["created"]
        job["chain"] = chain
        return periods

    # --- applications -----------------------------------------------------------------------

    def skills_json(self, skills: list[str]) -> str:
        key = tuple(skills)
        found = self.json_cache.get(key)
        if found is None:
            found = self.json_cache[key] = as_json(skills)
        return found

    def score(self, found: int, required: int) -> Decimal | None:
        if not required:
            return None
        key = (found, required)
        if key not in self.scores:
            self.scores[key] = (Decimal(100) * found / required).quantize(
                Decimal("0.01"), ROUND_HALF_UP
            )
        return self.scores[key]

    def applications(self, job: dict, count: int, candidates: CandidatePool, daily) -> None:
        rng, writer = self.rng, self.writer
        periods = job["open_periods"]
        lengths = list(accumulate(end - start for start, end in periods))
        total = lengths[-1] if lengths else 0
        if not total:
            return
        skills = job["required_skills"]
        for index in rng.sample(range(candidates.size), count):
            candidate_id = candidates.get(index)
            offset = int(rng.random() * total)
            period = bisect_right(lengths, offset)
            start = periods[period][0]
            applied = start + offset - (lengths[period - 1] if period else 0)
            chosen = [s for s in skills if rng.random() < 0.55]
            if rng.random() < 0.3:
                extra = rng.choice(("Communication", "Teamwork", "English"))
                if extra not in skills:
                    chosen.append(extra)
            score = self.score(sum(1 for s in skills if s in chosen), len(skills))
            application_id = self.new_id()
            daily(applied)[1] += 1
            stage, moment = "applied", applied
            reached: dict[str, int] = {}
            events = [(None, "applied", applied, None)]
            while stage not in FINAL_STAGES:
                draw, target = rng.random(), None
                for candidate_stage, probability in STAGE_MOVES[stage]:
                    if draw < probability:
                        target = candidate_stage
                        break
                    draw -= probability
                if target is None:
                    break
                moment += int((0.5 + rng.random() * 9.5) * DAY)
                if moment >= self.end:
                    break
                if target in PIPELINE:
                    for step in PIPELINE[1 : PIPELINE.index(target) + 1]:
                        if step not in reached:
                            reached[step] = moment
                            daily(moment)[1 + PIPELINE.index(step)] += 1
                events.append((stage, target, moment, job["owner_id"]))
                stage = target
            writer.add(
                "applications",
                (
                    application_id,
                    job["id"],
                    candidate_id,
                    stage,
                    writer.score(score),
                    rng.choice(SOURCES),
                    None,
                    self.skills_json(chosen),
                    writer.moment(applied),
                    writer.moment(events[-1][2]),
                    writer.moment(reached.get("shortlisted")),
                    writer.moment(reached.get("interview")),
                    writer.moment(reached.get("offer")),
                    writer.moment(reached.get("hired")),
                ),
            )
            for from_stage, to_stage, changed, by in events:
                writer.add(
                    "application_stage_events",
                    (
                        self.new_id(),
                        application_id,
                        from_stage,
                        to_stage,
                        writer.moment(changed),
                        by,
                    ),
                )
            self.report.stage_events += len(events)
        self.report.applications += count

    # --- views and the daily rows -----------------------------------------------------------

    def views(self, job: dict, daily, popularity: float) -> None:
        """Anonymous views on each day the job was open (at least one per applicant)."""
        peak = max(1, int(popularity * 6))
        for start, end in job["open_periods"]:
            for number in range(start // DAY, (end - 1) // DAY + 1):
                daily(number * DAY)[0] += int(self.rng.random() * peak)

    def daily_rows(self, job: dict, counters: dict[int, list[int]]) -> int:
        views = 0
        for number in sorted(counters):
            row = counters[number]
            row[0] += row[1]
            if not any(row):
                continue
            views += row[0]
            stamp = self.writer.moment(min(number * DAY + DAY - 1, self.end - 1))
            self.writer.add(
                "job_analytics",
                (self.new_id(), job["id"], self.writer.day(number), *row, stamp, stamp),
            )
            self.report.analytics_rows += 1
        return views


@dataclass
class JobState:
    """What the status rules read and write, without an ORM object."""

    status: str
    published_at: datetime | None = None
    closed_at: datetime | None = None
    archived_at: datetime | None = None


class AuditChain:
    """A job's audit chain, written as the audit writer would."""

    def __init__(self, seeder: HistorySeeder, job: dict):
        self.seeder, self.job = seeder, job
        self.job_id, self.user_id = job["id"], job["owner_id"]
        self.seq, self.checksum = 0, None

    def entry(self, action: str, moment: int, old: dict | None, new: dict | None) -> None:
        self.seq += 1
        fields = {
            "id": self.seeder.new_id(),
            "job_id": self.job_id,
            "seq": self.seq,
            "action_type": action,
            "entity_type": "job",
            "old_values": audit.jsonable(old) if old is not None else None,
            "new_values": audit.jsonable(new) if new is not None else None,
            "user_id": self.user_id,
            "ip_address": None,
            "user_agent": SEED_AGENT,
            "timestamp": aware(moment),
        }
        checksum = audit.compute_checksum(fields, self.checksum, self.seeder.key)
        row = {**fields, "prev_checksum": self.checksum, "checksum": checksum}
        writer = self.seeder.writer
        row["old_values"] = as_json(row["old_values"]) if row["old_values"] is not None else None
        row["new_values"] = as_json(row["new_values"]) if row["new_values"] is not None else None
        row["timestamp"] = writer.moment(moment)
        self.job["rows"].append(("job_audit_log", *(row[name] for name in AUDIT_COLUMNS)))
        self.seeder.report.audit_entries += 1
        self.checksum = checksum


class CandidatePool:
    """The seeded candidate pool, inserted as each one first applies."""

    def __init__(self, seeder: HistorySeeder, size: int):
        self.seeder, self.size = seeder, size
        self.ids: dict[int, str] = {}
        self.tag = secrets.token_hex(4)  # e-mails stay unique when the seed runs again

    def get(self, index: int) -> str:
        found = self.ids.get(index)
        if found is None:
            first = FIRST_NAMES[index % len(FIRST_NAMES)]
            last = LAST_NAMES[(index // len(FIRST_NAMES)) % len(LAST_NAMES)]
            email = f"{first}.{last}.{index}.{self.tag}@candidates.example".lower()
            found = self.ids[index] = self.seeder.new_id()
            writer = self.seeder.writer
            writer.add(
                "candidates",
                (found, f"{first} {last}", email, None, writer.moment(self.seeder.start)),
            )
            self.seeder.report.candidates += 1
        return found


def write_job(seeder: HistorySeeder, job: dict, views: int, count: int) -> None:
    writer, state, chain = seeder.writer, job["state"], job["chain"]

    def stamp(value: datetime | None):
        return writer.moment(int(value.timestamp())) if value else None

    writer.add(
        "jobs",
        (
            job["id"],
            job["title"],
            job["department"],
            job["location"],
            job["employment_type"],
            job["description"],
            as_json(job["required_skills"]),
            state.status,
            job["owner_id"],
            writer.moment(job["deadline"]),
            views,
            count,
            writer.moment(job["created"]),
            writer.moment(job["updated"]),
            stamp(state.published_at),
            stamp(state.closed_at),
            stamp(state.archived_at),
            None,
            chain.seq,
            chain.checksum,
        ),
    )
    for table, *row in job["rows"]:
        writer.add(table, tuple(row))
