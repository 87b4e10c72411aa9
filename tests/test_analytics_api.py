"""Job analytics JSON (API.md §3 ``/{job_id}/analytics``) against the independent calculation
of ``analytics_expectation``, on SQLite and PostgreSQL: several jobs and ranges, empty ranges,
on-hold periods, ranges crossing the publication, past days read from ``job_analytics`` (made by
the daily recompute) and today counted exactly."""

from __future__ import annotations

from datetime import timedelta

import pytest

from jobsmgmt.extensions import db
from jobsmgmt.models import Job, JobAnalytics
from jobsmgmt.services import analytics
from tests.analytics_data import NOW, TODAY, build
from tests.analytics_expectation import SCORE_BUCKETS

URL = "/api/jobs-management/{}/analytics"


@pytest.fixture
def world(app, factory, monkeypatch):
    monkeypatch.setattr(analytics, "now", lambda: NOW)
    owner = factory.user("recruiter")
    world = build(owner)
    # Past days come from job_analytics: make them with the daily recompute.
    analytics.recompute_daily_analytics(db.session, TODAY - timedelta(days=400), TODAY)
    world.headers = {"Authorization": f"Bearer {factory.token(owner)}"}
    return world


RANGES = [
    (None, None),  # the 30 days ending today
    (TODAY - timedelta(days=6), TODAY),
    (TODAY - timedelta(days=60), TODAY - timedelta(days=31)),  # crosses A's publication
    (TODAY - timedelta(days=200), TODAY - timedelta(days=190)),  # empty
    (TODAY, TODAY),
    (TODAY - timedelta(days=2), TODAY + timedelta(days=3)),  # ends in the future
    (TODAY - timedelta(days=365), TODAY),  # the longest range
    (TODAY - timedelta(days=20), TODAY - timedelta(days=15)),  # A's on-hold period
]


@pytest.mark.parametrize("name", ["A", "B", "C", "D"])
def test_matches_independent_calculation(client, world, name):
    job_id = world.jobs[name]["id"]
    for start, end in RANGES:
        params = {}
        if start:
            params = {"date_from": start.isoformat(), "date_to": end.isoformat()}
        response = client.get(URL.format(job_id), query_string=params, headers=world.headers)
        assert response.status_code == 200, response.json
        want = world.expect(name, start or TODAY - timedelta(days=29), end or TODAY)
        assert response.json == want, (name, start, end)


def test_shape_and_known_values(client, world):
    body = client.get(URL.format(world.jobs["D"]["id"]), headers=world.headers).json
    assert len(body["trends"]) == 30 and body["trends"][-1]["date"] == TODAY.isoformat()
    assert [b["range"] for b in body["quality_metrics"]["score_distribution"]] == SCORE_BUCKETS
    assert body["funnel"] == {
        "views": 0,
        "applications": 2,
        "shortlisted": 1,
        "interviews": 1,
        "offers": 1,
        "hires": 1,
    }
    assert body["conversion_rates"]["application_to_shortlist"] == 50.0
    assert body["conversion_rates"]["view_to_application"] == 0.0  # no views: divisor 0
    assert body["quality_metrics"]["median_match_score"] == 55.5
    metrics = body["time_metrics"]
    assert metrics["days_open"] == 9.0  # 12 days published − 3 days on hold (still on hold)
    assert metrics["time_to_fill_days"] == 8.5  # hired 3.5 days ago, before the hold
    assert metrics["time_to_first_application_hours"] == 12.0
    assert metrics["avg_days_to_hire"] == 8.0
    empty = client.get(URL.format(world.jobs["C"]["id"]), headers=world.headers).json
    assert empty["time_metrics"] == dict.fromkeys(metrics, None)
    assert empty["quality_metrics"]["avg_match_score"] is None


def test_today_is_exact_not_read_from_rows(client, world):
    """A stale or missing row for today does not matter; past days do come from the rows."""
    job_id = world.jobs["A"]["id"]
    row = db.session.query(JobAnalytics).filter_by(job_id=job_id, date=TODAY).one()
    row.application_count = 999
    db.session.commit()
    params = {"date_from": TODAY.isoformat(), "date_to": TODAY.isoformat()}
    body = client.get(URL.format(job_id), query_string=params, headers=world.headers).json
    assert body == world.expect("A", TODAY, TODAY)
    yesterday = TODAY - timedelta(days=1)
    row = db.session.query(JobAnalytics).filter_by(job_id=job_id, date=yesterday).first()
    if row is None:
        row = JobAnalytics(job_id=job_id, date=yesterday)
        db.session.add(row)
    row.application_count = 999
    db.session.commit()
    params = {"date_from": yesterday.isoformat(), "date_to": yesterday.isoformat()}
    body = client.get(URL.format(job_id), query_string=params, headers=world.headers).json
    assert body["funnel"]["applications"] == 999


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "2026-10-10", "date_to": "2026-10-09"},
        {"date_from": "2025-10-14", "date_to": "2026-10-15"},  # 367 days
        {"date_from": "2026-13-01"},
        {"date_to": "yesterday"},
        {"range": "30d"},
        {"date_to": "0001-01-05"},
        {"date_from": "9999-12-30", "date_to": "9999-12-31"},
        {"date_from": "1969-12-31", "date_to": "1970-01-05"},
    ],
)
def test_bad_values_are_422(client, world, params):
    response = client.get(
        URL.format(world.jobs["A"]["id"]), query_string=params, headers=world.headers
    )
    assert response.status_code == 422, response.json
    assert response.json["error"]["code"] == "validation_error"


def test_limits_and_errors(client, world, factory):
    job_id = world.jobs["A"]["id"]
    full = {"date_from": "2025-10-15", "date_to": "2026-10-15"}  # exactly 366 days
    body = client.get(URL.format(job_id), query_string=full, headers=world.headers).json
    assert len(body["trends"]) == 366
    only_to = client.get(
        URL.format(job_id), query_string={"date_to": "2026-09-30"}, headers=world.headers
    ).json
    assert only_to["date_range"] == {"from": "2026-09-01", "to": "2026-09-30"}
    missing = client.get(URL.format("00000000-0000-0000-0000-000000000999"), headers=world.headers)
    assert missing.status_code == 404
    assert client.get(URL.format(job_id)).status_code == 401
    assert client.get(URL.format(job_id), headers=factory.headers("viewer")).status_code == 200
    job = db.session.get(Job, world.jobs["C"]["id"])
    job.deleted_at = NOW
    db.session.commit()
    assert client.get(URL.format(job.id), headers=world.headers).status_code == 404
