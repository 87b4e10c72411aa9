"""The dashboard page ``/`` and its CSV export: the GET filter form (shareable URLs, repeated
status boxes), sortable headers, pagination, summary cards, per-row actions, the bulk selection
form, escaping, and 4xx (never 500) on bad filters."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import pytest

from jobsmgmt.extensions import db
from jobsmgmt.models import Job

BASE = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
ROW_IDS = re.compile(r'<tr data-job-id="([^"]+)"')


@pytest.fixture
def seeded(client, factory, auth):
    owner = factory.user("recruiter", name="Page Owner")
    other = factory.user("recruiter", name="Other Owner")
    specs = [
        ("Backend Engineer", "Engineering", "open", owner, 5),
        ("Frontend Engineer", "Engineering", "draft", other, 2),
        ("Data 100% Analyst", "Data", "on_hold", owner, 9),
        ("<script>alert(1)</script>", "Security", "closed", other, 0),
    ] + [(f"Filler {i:02d}", "Ops", "archived", owner, i) for i in range(25)]
    ids = {}
    for i, (title, department, status, who, applications) in enumerate(specs):
        job = Job(
            title=title,
            department=department,
            location="Remote",
            status=status,
            owner_id=who.id,
            application_count=applications,
            created_at=BASE + timedelta(hours=i),
            updated_at=BASE,
        )
        db.session.add(job)
        db.session.flush()
        ids[title] = job.id
    db.session.commit()
    auth.login(owner.email)
    return ids, owner, other


def row_ids(html: str) -> list[str]:
    return ROW_IDS.findall(html)


def test_page_shows_summary_rows_actions_and_bulk_form(client, seeded):
    ids, owner, other = seeded
    page = client.get("/")
    assert page.status_code == 200
    html = page.text
    assert re.search(r'data-summary="total_jobs".*?summary-count">29<', html, re.S)
    assert re.search(r'data-summary="archived".*?summary-count">25<', html, re.S)
    assert len(row_ids(html)) == 20  # default page size
    job_id = ids["Filler 24"]  # the newest: first on the default page
    for link in ("analytics", "status", "postings", "audit"):
        assert f'href="/jobs/{job_id}/{link}"' in html
    assert '<form method="get" action="/bulk" id="bulk-form"' in html
    assert f'name="job_ids" value="{job_id}"' in html
    assert 'id="select-all"' in html
    assert "page=2" in html  # pagination link
    assert 'src="/static/js/dashboard.js"' in html
    escaped = client.get("/?search=alert").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in escaped
    assert "<script>alert(1)" not in escaped


def test_filters_by_repeated_status_boxes_and_search(client, seeded):
    ids, owner, other = seeded
    html = client.get("/?status=open&status=on_hold&search=&department=").text
    assert set(row_ids(html)) == {ids["Backend Engineer"], ids["Data 100% Analyst"]}
    assert 'value="open" id="status-open" checked' in html
    html = client.get("/", query_string={"search": "100%"}).text
    assert row_ids(html) == [ids["Data 100% Analyst"]]
    html = client.get("/", query_string={"owner": "me", "status": "draft,closed"}).text
    assert row_ids(html) == []
    assert "No jobs match these filters." in html
    html = client.get("/", query_string={"owner": other.id, "sort": "title", "order": "asc"}).text
    assert row_ids(html) == [ids["<script>alert(1)</script>"], ids["Frontend Engineer"]]


def test_sort_headers_and_pagination_keep_the_filters(client, seeded):
    ids, owner, other = seeded
    html = client.get("/?status=archived&sort=applications&order=desc&limit=10").text
    assert len(row_ids(html)) == 10
    assert 'aria-sort="descending"' in html
    # the header link flips the order and keeps the filters
    link = re.search(r'class="sort-link active" href="/\?([^"]+)"', html).group(1)
    assert parse_qs(link.replace("&amp;", "&")) == {
        "sort": ["applications"],
        "order": ["asc"],
        "limit": ["10"],
        "status": ["archived"],
    }
    second = client.get("/?status=archived&sort=applications&order=desc&limit=10&page=2").text
    first_ids, second_ids = row_ids(html), row_ids(second)
    assert not set(first_ids) & set(second_ids)
    filler = sorted(((i, ids[f"Filler {i:02d}"]) for i in range(25)), reverse=True)
    assert first_ids + second_ids == [job_id for _, job_id in filler][:20]


def test_bad_filters_get_a_clear_422_page(client, seeded):
    page = client.get("/?status=bogus&limit=1000")
    assert page.status_code == 422
    assert "could not be used" in page.text
    assert "Jobs per page: a whole number from 1 to 100." in page.text
    assert "Unknown status; choose among Draft" in page.text
    assert "String should match pattern" not in page.text
    assert client.get("/?page=abc").status_code == 422


def test_csv_export_has_all_filtered_rows(client, seeded):
    ids, owner, other = seeded
    response = client.get(
        "/dashboard.csv?status=archived&sort=title&order=asc&page=3", buffered=True
    )
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:3] == ["id", "title", "department"]
    assert [r[1] for r in rows[1:]] == [f"Filler {i:02d}" for i in range(25)]  # not one page
    assert client.get("/dashboard.csv?sort=nope").status_code == 422
    everything = client.get("/dashboard.csv", buffered=True).get_data(as_text=True)
    assert "<script>alert(1)</script>" in everything  # plain text in CSV, not HTML


def test_csv_neutralises_formulas(client, factory, auth):
    owner = factory.user("recruiter")
    db.session.add(Job(title="=HYPERLINK(1)", owner_id=owner.id, status="open"))
    db.session.commit()
    auth.login(owner.email)
    rows = list(
        csv.reader(io.StringIO(client.get("/dashboard.csv", buffered=True).get_data(as_text=True)))
    )
    assert rows[1][1] == "'=HYPERLINK(1)"


def test_login_required_and_viewer_can_read(client, factory, auth):
    assert client.get("/").status_code == 302
    viewer = factory.user("viewer")
    auth.login(viewer.email)
    page = client.get("/")
    assert page.status_code == 200
    assert 'id="bulk-submit"' not in page.text
