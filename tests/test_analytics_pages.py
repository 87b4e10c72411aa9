"""Analytics pages: ``/jobs/<id>/analytics`` (date-range form, chart data block, cards, CSV
export) and the ``/analytics`` overview, checked against the same oracle as the JSON API."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta

import pytest

from jobsmgmt.extensions import db
from jobsmgmt.models import Job
from jobsmgmt.services import analytics
from tests.analytics_data import NOW, TODAY, build

DATA_BLOCK = re.compile(r'<script type="application/json" id="analytics-data">(.*?)</script>', re.S)


@pytest.fixture
def world(app, factory, auth, monkeypatch):
    monkeypatch.setattr(analytics, "now", lambda: NOW)
    owner = factory.user("recruiter")
    world = build(owner)
    analytics.recompute_daily_analytics(db.session, TODAY - timedelta(days=400), TODAY)
    auth.login(owner.email)
    return world


def chart_data(html: str) -> dict:
    return json.loads(DATA_BLOCK.search(html).group(1))


def test_job_page_charts_and_cards_match_the_oracle(client, world):
    job_id = world.jobs["A"]["id"]
    start, end = TODAY - timedelta(days=44), TODAY
    page = client.get(f"/jobs/{job_id}/analytics?date_from={start}&date_to={end}")
    assert page.status_code == 200
    want = world.expect("A", start, end)
    data = chart_data(page.text)
    assert data["funnel"] == want["funnel"]
    assert data["trends"] == want["trends"]
    assert data["scores"] == want["quality_metrics"]["score_distribution"]
    for canvas in ("funnel-chart", "trends-chart", "score-chart"):
        assert f'id="{canvas}"' in page.text
    assert "/static/vendor/chartjs/chart.umd.min.js" in page.text
    assert "/static/js/analytics.js" in page.text
    rate = want["conversion_rates"]["application_to_shortlist"]
    assert f"{rate:.2f} %" in page.text
    assert f'value="{start}"' in page.text and f'value="{end}"' in page.text


def test_job_page_bad_range_is_422_with_the_default_range(client, world):
    job_id = world.jobs["A"]["id"]
    page = client.get(f"/jobs/{job_id}/analytics?date_from=2026-10-10&date_to=2026-10-01")
    assert page.status_code == 422
    assert "must not be after" in page.text
    assert len(chart_data(page.text)["trends"]) == 30
    assert client.get(f"/jobs/{job_id}/analytics?date_from=nope").status_code == 422
    missing = client.get("/jobs/00000000-0000-0000-0000-000000000999/analytics")
    assert missing.status_code == 404


def test_job_csv_export(client, world):
    job_id = world.jobs["B"]["id"]
    start, end = TODAY - timedelta(days=89), TODAY - timedelta(days=10)
    response = client.get(f"/jobs/{job_id}/analytics.csv?date_from={start}&date_to={end}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    want = world.expect("B", start, end)
    assert rows[0] == [
        "date",
        "views",
        "applications",
        "shortlisted",
        "interviews",
        "offers",
        "hires",
    ]
    assert rows[1:-1] == [[str(v) for v in t.values()] for t in want["trends"]]
    assert rows[-1] == ["total"] + [str(v) for v in want["funnel"].values()]


def test_overview(client, world):
    db.session.get(Job, world.jobs["C"]["id"]).application_count = 0
    for name in "ABD":
        db.session.get(Job, world.jobs[name]["id"]).application_count = len(world.apps[name])
    db.session.commit()
    page = client.get("/analytics")
    assert page.status_code == 200
    data = chart_data(page.text)
    assert data["summary"]["total_jobs"] == 4
    assert data["summary"]["on_hold"] == 1
    apps = [a for name in "ABD" for a in world.apps[name]]
    assert sum(data["pipeline"].values()) == len(apps)
    assert data["pipeline"]["hired"] == sum(1 for a in apps if a["reached_hired_at"])
    assert data["pipeline"]["interview"] == sum(
        1 for a in apps if a["reached_interview_at"] and not a["reached_offer_at"]
    )
    top = re.findall(r'<td><a href="/jobs/([^"]+)">', page.text)
    assert top[:3] == [world.jobs[n]["id"] for n in "ABD"]
    # time to fill by department: every job is in "Eng"; A, B and D have hires
    fills = [world.expect(n, TODAY, TODAY)["time_metrics"]["time_to_fill_days"] for n in "ABD"]
    mean = sum(fills) / 3
    match = re.search(
        r'<tr><td>Eng</td><td class="text-end">3</td><td class="text-end">([\d.]+)<', page.text
    )
    assert match and abs(float(match.group(1)) - mean) <= 0.01
