"""Analytics computed independently, in plain Python, from raw rows (the tests' oracle).

Deliberately written differently from the service: day-by-day dictionaries, Fractions for every
ratio and a timeline walk for the on-hold time.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction

SCORE_BUCKETS = [f"{low}-{low + 9}" for low in range(0, 90, 10)] + ["90-100"]

STAGE_COLUMNS = {
    "applications": "applied_at",
    "shortlisted": "reached_shortlisted_at",
    "interviews": "reached_interview_at",
    "offers": "reached_offer_at",
    "hires": "reached_hired_at",
}


def round2(value: Fraction | None) -> float | None:
    if value is None:
        return None
    sign = -1 if value < 0 else 1
    return sign * math.floor(abs(value) * 100 + Fraction(1, 2)) / 100


def seconds(delta: timedelta) -> Fraction:
    return Fraction(delta.days * 86400 + delta.seconds) + Fraction(delta.microseconds, 10**6)


def active_seconds(history, start: datetime, end: datetime, now: datetime) -> Fraction:
    """Seconds in [start, end] when the job was not on hold: walk the status timeline."""
    total = seconds(end - start)
    timeline = sorted(history, key=lambda h: h["changed_at"])
    for i, entry in enumerate(timeline):
        segment_end = timeline[i + 1]["changed_at"] if i + 1 < len(timeline) else now
        if entry["to_status"] != "on_hold":
            continue
        a, b = max(start, entry["changed_at"]), min(end, segment_end)
        if b > a:
            total -= seconds(b - a)
    return total


def expected(job, apps, history, views, start: date, end: date, now: datetime) -> dict:
    """``job``: dict with id, published_at, closed_at; ``apps``: dicts with applied_at,
    reached_*_at, match_score (Decimal|None); ``views``: {date: count}."""
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    trends = []
    for day in days:
        row = {"date": day.isoformat(), "views": views.get(day, 0)}
        for key, column in STAGE_COLUMNS.items():
            row[key] = sum(
                1 for a in apps if a[column] is not None and a[column].astimezone(UTC).date() == day
            )
        trends.append(row)
    funnel = {k: sum(r[k] for r in trends) for k in ("views", *STAGE_COLUMNS)}

    def rate(numerator, divisor):
        return (
            0.0
            if funnel[divisor] == 0
            else round2(Fraction(100 * funnel[numerator], funnel[divisor]))
        )

    rates = {
        "view_to_application": rate("applications", "views"),
        "application_to_shortlist": rate("shortlisted", "applications"),
        "shortlist_to_interview": rate("interviews", "shortlisted"),
        "interview_to_offer": rate("offers", "interviews"),
        "offer_to_hire": rate("hires", "offers"),
        "application_to_hire": rate("hires", "applications"),
    }
    scores = sorted(
        Fraction(str(a["match_score"]))
        for a in apps
        if a["match_score"] is not None and start <= a["applied_at"].date() <= end
    )
    labels = SCORE_BUCKETS
    counts = dict.fromkeys(labels, 0)
    for score in scores:
        for label in labels:
            low, high = (int(x) for x in label.split("-"))
            if low <= score < high + 1 or (label == "90-100" and score == 100):
                counts[label] += 1
                break
    n = len(scores)
    if n:
        average = sum(scores) / n
        median = scores[n // 2] if n % 2 else (scores[n // 2 - 1] + scores[n // 2]) / 2
    else:
        average = median = None
    quality = {
        "avg_match_score": round2(average),
        "median_match_score": round2(median),
        "scored_applications": n,
        "score_distribution": [{"range": label, "count": counts[label]} for label in labels],
    }
    published = job["published_at"]
    applied = [a["applied_at"] for a in apps]
    hires = [a["reached_hired_at"] for a in apps if a["reached_hired_at"] is not None]
    to_first = to_fill = days_open = None
    if published is not None:
        if applied:
            to_first = round2(seconds(min(applied) - published) / 3600)
        if hires:
            to_fill = round2(active_seconds(history, published, min(hires), now) / 86400)
        days_open = round2(active_seconds(history, published, job["closed_at"] or now, now) / 86400)
    hired_in_range = [
        a
        for a in apps
        if a["reached_hired_at"] is not None and start <= a["reached_hired_at"].date() <= end
    ]
    avg_to_hire = None
    if hired_in_range:
        avg_to_hire = round2(
            sum(seconds(a["reached_hired_at"] - a["applied_at"]) for a in hired_in_range)
            / len(hired_in_range)
            / 86400
        )
    return {
        "success": True,
        "job_id": job["id"],
        "date_range": {"from": start.isoformat(), "to": end.isoformat()},
        "funnel": funnel,
        "conversion_rates": rates,
        "quality_metrics": quality,
        "time_metrics": {
            "time_to_first_application_hours": to_first,
            "time_to_fill_days": to_fill,
            "days_open": days_open,
            "avg_days_to_hire": avg_to_hire,
        },
        "trends": trends,
        "by_source": _by_source(apps, start, end),
    }


SOURCES = ("careers", "linkedin", "indeed", "naukri", "referral", "other")


def _by_source(apps, start: date, end: date) -> list[dict]:
    """Applications made in the range per source, and how many of them ever reached each
    later stage; missing or unknown sources are "other"."""
    rows = {s: dict.fromkeys(("applications", *STAGE_COLUMNS), 0) for s in SOURCES}
    for a in apps:
        if not start <= a["applied_at"].astimezone(UTC).date() <= end:
            continue
        source = a.get("source") if a.get("source") in SOURCES else "other"
        for key, column in STAGE_COLUMNS.items():
            rows[source][key] += a[column] is not None
    return [{"source": s, **rows[s]} for s in SOURCES]


def daily_rows(apps_by_job, views_by_job, start: date, end: date) -> dict:
    """{(job_id, date): counters} of days with any count, as the recompute should leave them."""
    rows = {}
    for job_id, apps in apps_by_job.items():
        for day_offset in range((end - start).days + 1):
            day = start + timedelta(days=day_offset)
            counts = {
                "view_count": views_by_job.get(job_id, {}).get(day, 0),
                "application_count": 0,
                "shortlist_count": 0,
                "interview_count": 0,
                "offer_count": 0,
                "hire_count": 0,
            }
            names = dict(zip(STAGE_COLUMNS.values(), list(counts)[1:], strict=True))
            for a in apps:
                for column, counter in names.items():
                    if a[column] is not None and a[column].date() == day:
                        counts[counter] += 1
            if any(counts.values()):
                rows[(job_id, day)] = counts
    return rows
