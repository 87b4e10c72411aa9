"""Test data for analytics: jobs with applications, stage reaches, status history and views,
inserted directly with the models and mirrored as plain dicts for the independent oracle."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from jobsmgmt.extensions import db
from jobsmgmt.models import Application, Candidate, Job, JobAnalytics, JobStatusHistory
from tests.analytics_expectation import expected

NOW = datetime(2026, 10, 15, 14, 30, 15, tzinfo=UTC)
TODAY = NOW.date()


def at(days: float, hours: float = 0) -> datetime:
    return NOW - timedelta(days=days, hours=hours)


class World:
    """Jobs with applications, stage reaches, status history and views, inserted directly."""

    def __init__(self, owner):
        self.owner = owner
        self.jobs: dict[str, dict] = {}
        self.apps: dict[str, list[dict]] = {}
        self.history: dict[str, list[dict]] = {}
        self.views: dict[str, dict[date, int]] = {}
        self.counter = 0

    def job(self, name, status, published_at=None, closed_at=None, history=()):
        job = Job(
            title=name,
            department="Eng",
            location="Remote",
            status=status,
            owner_id=self.owner.id,
            published_at=published_at,
            closed_at=closed_at,
            created_at=at(100),
            updated_at=at(100),
        )
        db.session.add(job)
        db.session.flush()
        self.jobs[name] = {
            "id": job.id,
            "published_at": published_at,
            "closed_at": closed_at,
        }
        self.apps[name], self.views[name], self.history[name] = [], {}, []
        for from_status, to_status, changed_at in history:
            db.session.add(
                JobStatusHistory(
                    job_id=job.id,
                    from_status=from_status,
                    to_status=to_status,
                    changed_by=self.owner.id,
                    changed_at=changed_at,
                )
            )
            self.history[name].append({"to_status": to_status, "changed_at": changed_at})
        return job

    def application(self, name, applied_at, score=None, reached=()):
        """``reached``: datetimes for shortlisted, interview, offer, hired (prefix)."""
        self.counter += 1
        candidate = Candidate(name=f"C{self.counter}", email=f"c{self.counter}@example.com")
        db.session.add(candidate)
        db.session.flush()
        columns = [
            "reached_shortlisted_at",
            "reached_interview_at",
            "reached_offer_at",
            "reached_hired_at",
        ]
        values = dict(zip(columns, list(reached) + [None] * (4 - len(reached)), strict=True))
        stage = ["applied", "shortlisted", "interview", "offer", "hired"][len(reached)]
        source = APPLICATION_SOURCES[self.counter % len(APPLICATION_SOURCES)]
        db.session.add(
            Application(
                job_id=self.jobs[name]["id"],
                candidate_id=candidate.id,
                stage=stage,
                match_score=None if score is None else Decimal(str(score)),
                applied_at=applied_at,
                updated_at=applied_at,
                source=source,
                **values,
            )
        )
        self.apps[name].append(
            {
                "applied_at": applied_at,
                "match_score": None if score is None else Decimal(str(score)),
                "source": source,
                **values,
            }
        )

    def view(self, name, day: date, count: int):
        self.views[name][day] = count
        db.session.add(JobAnalytics(job_id=self.jobs[name]["id"], date=day, view_count=count))

    def expect(self, name, start, end):
        return expected(
            self.jobs[name], self.apps[name], self.history[name], self.views[name], start, end, NOW
        )


# Every source the analytics know, plus a missing and an unknown one (both count as "other").
APPLICATION_SOURCES = ("careers", "linkedin", "indeed", "naukri", "referral", None, "Job fair")


def build(owner, seed=7) -> World:
    rng = random.Random(seed)
    world = World(owner)
    # A: published 40 days ago, on hold days 20..15 ago, open again; applications from before
    # publication to today, every stage, scores at the bucket edges.
    published = at(40, 3.25)
    world.job(
        "A",
        "open",
        published_at=published,
        history=[
            (None, "open", published),
            ("open", "on_hold", at(20, 1)),
            ("on_hold", "open", at(15, 5.5)),
        ],
    )
    edges = [0, 9.99, 10, 50, 89.99, 90, 100, None, 33.33, 66.67]
    for i in range(60):
        applied = at(rng.uniform(0, 45))
        reached, moment = [], applied
        for _ in range(rng.choice([0, 0, 1, 2, 3, 4])):
            moment = min(moment + timedelta(hours=rng.uniform(1, 200)), NOW)
            reached.append(moment)
        world.application(
            "A",
            applied,
            edges[i % len(edges)] if i < 30 else rng.choice([None, round(rng.uniform(0, 100), 2)]),
            reached,
        )
    world.application("A", at(0, 0.5), 77.5, [at(0, 0.4), at(0, 0.3)])  # today
    for offset in range(0, 50, 3):
        world.view("A", TODAY - timedelta(days=offset), rng.randint(0, 40))
    # B: closed after two on-hold periods; the first hire came after both.
    published = at(90)
    world.job(
        "B",
        "closed",
        published_at=published,
        closed_at=at(10),
        history=[
            (None, "open", published),
            ("open", "on_hold", at(80)),
            ("on_hold", "open", at(75)),
            ("open", "on_hold", at(60, 12)),
            ("on_hold", "open", at(58)),
            ("open", "closed", at(10)),
        ],
    )
    for i in range(25):
        applied = at(rng.uniform(11, 89))
        hired = applied + timedelta(days=rng.uniform(1, 9)) if i % 4 == 0 else None
        reach = [applied + timedelta(hours=5), applied + timedelta(hours=30)]
        world.application(
            "B",
            applied,
            rng.choice([12.5, 45, 99.99, None]),
            reach + ([hired - timedelta(hours=1), hired] if hired else []),
        )
    world.view("B", TODAY - timedelta(days=30), 12)
    # C: a draft, never published, nothing at all.
    world.job("C", "draft")
    # D: on hold right now (since 3 days), so days_open stops growing.
    published = at(12)
    world.job(
        "D",
        "on_hold",
        published_at=published,
        history=[
            (None, "open", published),
            ("open", "on_hold", at(3)),
        ],
    )
    world.application("D", at(11.5), 55, [at(5), at(4.5), at(4), at(3.5)])
    world.application("D", at(11), 56)
    db.session.commit()
    return world
