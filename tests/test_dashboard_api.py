"""The dashboard JSON (API.md §3 ``GET /dashboard``) against a plain-Python expectation, on
SQLite and PostgreSQL: filters, sorts, search escaping, pagination and the summary."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from jobsmgmt.extensions import db
from jobsmgmt.models import Job

URL = "/api/jobs-management/dashboard"
BASE = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
JOB_KEYS = {
    "id",
    "title",
    "department",
    "location",
    "status",
    "owner",
    "posted_date",
    "application_deadline",
    "view_count",
    "application_count",
}


def iso(moment):
    return None if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def insert_jobs(owner, other, specs):
    """Insert job rows directly; returns them as plain dicts (the expectation's raw data)."""
    rows = []
    for i, spec in enumerate(specs):
        values = {
            "title": f"Job {i:02d}",
            "department": "Engineering",
            "location": "Remote",
            "status": "draft",
            "owner_id": owner.id,
            "created_at": BASE + timedelta(hours=i),
            "view_count": (i * 7) % 5,
            "application_count": (i * 3) % 4,
            **spec,
        }
        if values.pop("other_owner", False):
            values["owner_id"] = other.id
        values["updated_at"] = values["created_at"]
        job = Job(**values)
        db.session.add(job)
        rows.append(job)
    db.session.commit()
    names = {owner.id: owner.name, other.id: other.name}
    return [
        {
            "id": j.id,
            "title": j.title,
            "department": j.department,
            "location": j.location,
            "status": j.status,
            "owner": {"id": j.owner_id, "name": names[j.owner_id]},
            "posted_date": j.published_at,
            "application_deadline": j.application_deadline,
            "view_count": j.view_count,
            "application_count": j.application_count,
            "created_at": j.created_at,
            "deleted": j.deleted_at is not None,
        }
        for j in rows
    ]


SPECS = [
    {"title": "Backend Engineer", "status": "open", "published_at": BASE + timedelta(days=1)},
    {"title": "Frontend Engineer", "status": "open", "published_at": BASE + timedelta(days=3)},
    {
        "title": "Data Analyst",
        "department": "Data",
        "location": "Berlin",
        "status": "on_hold",
        "published_at": BASE + timedelta(days=2),
        "other_owner": True,
    },
    {
        "title": "100% Remote SRE",
        "status": "closed",
        "published_at": BASE + timedelta(days=5),
        "application_deadline": BASE + timedelta(days=40),
    },
    {"title": "100 Remote SRE", "status": "closed", "published_at": BASE + timedelta(days=5)},
    {
        "title": "snake_case dev",
        "department": "Platform",
        "status": "draft",
        "application_deadline": BASE + timedelta(days=10),
    },
    {
        "title": "snakeXcase dev",
        "department": "Platform",
        "status": "draft",
        "application_deadline": BASE + timedelta(days=20),
        "other_owner": True,
    },
    {
        "title": "Back\\slash wizard",
        "location": "Lisbon",
        "status": "archived",
        "published_at": BASE + timedelta(days=4),
    },
    {"title": "Backslash wizard", "location": "LISBON office", "status": "archived"},
    {"title": "Deleted job", "status": "closed", "deleted_at": BASE + timedelta(days=9)},
    {
        "title": "Sales Lead",
        "department": "Sales",
        "location": "Madrid",
        "status": "open",
        "published_at": BASE + timedelta(days=1),
        "application_deadline": BASE + timedelta(days=5),
    },
    {"title": "Zeta tester", "department": "QA", "status": "draft", "other_owner": True},
]

SORT_KEYS = {
    "posted_date": "posted_date",
    "created_at": "created_at",
    "title": "title",
    "applications": "application_count",
    "views": "view_count",
    "deadline": "application_deadline",
}


def expected(
    rows, *, statuses=(), department=None, owner=None, search=None, sort="created_at", order="desc"
):
    """The dashboard's list computed in plain Python."""
    live = [r for r in rows if not r["deleted"]]
    if statuses:
        live = [r for r in live if r["status"] in statuses]
    if department is not None:
        live = [r for r in live if r["department"] == department]
    if owner is not None:
        live = [r for r in live if r["owner"]["id"] == owner]
    if search:
        needle = search.lower()
        live = [
            r
            for r in live
            if any(needle in r[k].lower() for k in ("title", "department", "location"))
        ]
    key = SORT_KEYS[sort]
    present = [r for r in live if r[key] is not None]
    missing = [r for r in live if r[key] is None]
    reverse = order == "desc"
    present.sort(key=lambda r: (r[key], r["id"]), reverse=reverse)
    missing.sort(key=lambda r: r["id"], reverse=reverse)
    return present + missing


def as_json(row):
    out = {k: row[k] for k in JOB_KEYS}
    out["posted_date"] = iso(row["posted_date"])
    out["application_deadline"] = iso(row["application_deadline"])
    return out


@pytest.fixture
def seeded(app, factory):
    owner = factory.user("recruiter", name="Owner One")
    other = factory.user("recruiter", name="Owner Two")
    headers = {"Authorization": f"Bearer {factory.token(owner)}"}
    return insert_jobs(owner, other, SPECS), owner, other, headers


def test_fields_default_order_and_summary(client, seeded):
    rows, owner, other, headers = seeded
    response = client.get(URL, headers=headers)
    assert response.status_code == 200, response.json
    body = response.json
    assert set(body) == {"success", "jobs", "pagination", "summary"}
    assert body["success"] is True
    assert all(set(job) == JOB_KEYS for job in body["jobs"])
    assert body["jobs"] == [as_json(r) for r in expected(rows)]
    assert body["pagination"] == {"total": 11, "page": 1, "limit": 20, "pages": 1}
    assert body["summary"] == {
        "total_jobs": 11,
        "draft": 3,
        "open": 3,
        "on_hold": 1,
        "closed": 2,
        "archived": 2,
    }


@pytest.mark.parametrize(
    "params, kwargs",
    [
        ({"status": "open"}, {"statuses": ("open",)}),
        ({"status": "open,closed"}, {"statuses": ("open", "closed")}),
        ({"status": "draft, archived"}, {"statuses": ("draft", "archived")}),
        ({"department": "Platform"}, {"department": "Platform"}),
        ({"search": "engineer"}, {"search": "engineer"}),
        ({"search": "LISBON"}, {"search": "lisbon"}),
        ({"search": "dat"}, {"search": "dat"}),
        ({"search": "%"}, {"search": "%"}),
        ({"search": "100%"}, {"search": "100%"}),
        ({"search": "_"}, {"search": "_"}),
        ({"search": "e_c"}, {"search": "e_c"}),
        ({"search": "\\"}, {"search": "\\"}),
        ({"search": "k\\s"}, {"search": "k\\s"}),
        ({"search": "nothing-matches"}, {"search": "nothing-matches"}),
        (
            {"status": "open", "search": "engineer", "sort": "title", "order": "asc"},
            {"statuses": ("open",), "search": "engineer", "sort": "title", "order": "asc"},
        ),
        ({"department": "", "search": ""}, {}),  # empty text: no filter
    ],
)
def test_filters(client, seeded, params, kwargs):
    rows, owner, other, headers = seeded
    response = client.get(URL, query_string=params, headers=headers)
    assert response.status_code == 200, response.json
    want = expected(rows, **kwargs)
    assert [j["id"] for j in response.json["jobs"]] == [r["id"] for r in want]
    assert response.json["pagination"]["total"] == len(want)
    assert response.json["summary"]["total_jobs"] == 11  # unfiltered


def test_search_specials_are_literal(client, seeded):
    rows, owner, other, headers = seeded

    def titles(term):
        response = client.get(URL, query_string={"search": term}, headers=headers)
        assert response.status_code == 200
        return sorted(j["title"] for j in response.json["jobs"])

    assert titles("%") == ["100% Remote SRE"]
    assert titles("_") == ["snake_case dev"]
    assert titles("\\") == ["Back\\slash wizard"]
    assert titles("e_c") == ["snake_case dev"]
    assert titles("0 r") == ["100 Remote SRE"]


def test_owner_filter(client, seeded):
    rows, owner, other, headers = seeded
    mine = client.get(URL, query_string={"owner": "me"}, headers=headers).json
    assert [j["id"] for j in mine["jobs"]] == [r["id"] for r in expected(rows, owner=owner.id)]
    theirs = client.get(URL, query_string={"owner": other.id}, headers=headers).json
    assert [j["id"] for j in theirs["jobs"]] == [r["id"] for r in expected(rows, owner=other.id)]
    assert {j["owner"]["name"] for j in theirs["jobs"]} == {"Owner Two"}
    nobody = client.get(
        URL, query_string={"owner": "00000000-0000-0000-0000-00000000abcd"}, headers=headers
    ).json
    assert nobody["jobs"] == [] and nobody["pagination"]["total"] == 0


@pytest.mark.parametrize("sort", list(SORT_KEYS))
@pytest.mark.parametrize("order", ["asc", "desc"])
def test_sorts(client, seeded, sort, order):
    rows, owner, other, headers = seeded
    response = client.get(URL, query_string={"sort": sort, "order": order}, headers=headers)
    assert response.status_code == 200
    assert response.json["jobs"] == [as_json(r) for r in expected(rows, sort=sort, order=order)]


def test_pagination(client, seeded):
    rows, owner, other, headers = seeded
    want = [r["id"] for r in expected(rows, sort="title", order="asc")]
    got = []
    for page in (1, 2, 3):
        body = client.get(
            URL,
            query_string={"sort": "title", "order": "asc", "page": page, "limit": 4},
            headers=headers,
        ).json
        assert body["pagination"] == {"total": 11, "page": page, "limit": 4, "pages": 3}
        got += [j["id"] for j in body["jobs"]]
    assert got == want
    past = client.get(URL, query_string={"page": 9, "limit": 4}, headers=headers).json
    assert past["jobs"] == [] and past["pagination"]["total"] == 11
    assert client.get(URL, query_string={"limit": 100}, headers=headers).status_code == 200
    assert (
        client.get(URL, query_string={"limit": 1}, headers=headers).json["jobs"][0]["id"]
        == (expected(rows)[0]["id"])
    )


@pytest.mark.parametrize(
    "params",
    [
        {"status": "bogus"},
        {"status": ""},  # the document's pattern has no empty list (issue 13)
        {"sort": ""},
        {"search": "x" * 199 + "  "},  # the length as sent (issue 13)
        {"status": "open,,closed"},
        {"status": "open,bogus"},
        {"sort": "salary"},
        {"order": "up"},
        {"page": "0"},
        {"page": "abc"},
        {"page": "1.5"},
        {"limit": "0"},
        {"limit": "101"},
        {"owner": "someone"},
        {"search": "x" * 201},
        {"search": "a\x00b"},
        {"colour": "red"},
    ],
)
def test_bad_values_are_422(client, seeded, params):
    rows, owner, other, headers = seeded
    response = client.get(URL, query_string=params, headers=headers)
    assert response.status_code == 422, (params, response.json)
    assert response.json["success"] is False
    assert response.json["error"]["code"] == "validation_error"
    assert response.json["error"]["details"]["fields"]


def test_auth(client, factory):
    assert client.get(URL).status_code == 401
    assert client.get(URL, headers=factory.headers("viewer")).status_code == 200


def test_empty_database(client, factory):
    body = client.get(URL, headers=factory.headers("viewer")).json
    assert body["jobs"] == []
    assert body["pagination"] == {"total": 0, "page": 1, "limit": 20, "pages": 0}
    assert body["summary"] == {
        "total_jobs": 0,
        "draft": 0,
        "open": 0,
        "on_hold": 0,
        "closed": 0,
        "archived": 0,
    }


def test_rare_search_among_many_jobs(client, factory, app):
    """A search matching few of many jobs takes the "rare" query plan: same answer."""
    owner = factory.user("recruiter", name="Many Owner")
    specs = [
        {"title": f"Filler {i:03d}", "published_at": BASE + timedelta(days=i % 7)}
        for i in range(60)
    ]
    specs[17]["title"] = "Rare_Unicorn wrangler"
    specs[42]["location"] = "rare_unicorn island"
    rows = insert_jobs(owner, owner, specs)
    headers = {"Authorization": f"Bearer {factory.token(owner)}"}
    for sort in ("created_at", "posted_date", "title"):
        params = {"search": "RARE_UNICORN", "sort": sort}
        body = client.get(URL, query_string=params, headers=headers).json
        want = expected(rows, search="rare_unicorn", sort=sort)
        assert len(want) == 2
        assert [j["id"] for j in body["jobs"]] == [r["id"] for r in want]
        assert body["pagination"]["total"] == 2


@pytest.mark.parametrize("sort", ["posted_date", "deadline"])
@pytest.mark.parametrize("order", ["asc", "desc"])
@pytest.mark.parametrize("limit", [2, 3, 5])
def test_pages_across_the_missing_dates(client, seeded, sort, order, limit):
    """Dated jobs first, then the undated ones; pages cut anywhere across that boundary."""
    rows, owner, other, headers = seeded
    want = [r["id"] for r in expected(rows, sort=sort, order=order)]
    got = []
    for page in range(1, 8):
        params = {"sort": sort, "order": order, "limit": limit, "page": page}
        got += [j["id"] for j in client.get(URL, query_string=params, headers=headers).json["jobs"]]
    assert got == want


def test_deep_pages_use_the_same_order(client, factory, monkeypatch):
    """Pages past the deferred-join offset list exactly what the plain query would."""
    from jobsmgmt.services import dashboard

    owner = factory.user("recruiter", name="Deep Owner")
    specs = [
        {
            "title": f"Job {i % 9}",
            "published_at": None if i % 4 == 0 else BASE + timedelta(days=i % 5),
        }
        for i in range(40)
    ]
    rows = insert_jobs(owner, owner, specs)
    headers = {"Authorization": f"Bearer {factory.token(owner)}"}
    monkeypatch.setattr(dashboard, "DEFERRED_OFFSET", 4)
    for sort in ("title", "posted_date", "created_at"):
        for order in ("asc", "desc"):
            got = []
            for page in range(1, 8):
                params = {"sort": sort, "order": order, "limit": 6, "page": page}
                body = client.get(URL, query_string=params, headers=headers).json
                got += [j["id"] for j in body["jobs"]]
            assert got == [r["id"] for r in expected(rows, sort=sort, order=order)], (sort, order)


@pytest.mark.parametrize("trigram_min", [3, 99])
@pytest.mark.parametrize("distinct", [False, True])
def test_counted_search_matches_plain_python(client, factory, monkeypatch, trigram_min, distinct):
    """Totals from the facet and owner counts, searches through the trigram index (and, with
    ``trigram_min`` 99, the plain scan short terms fall back to) against plain Python, over
    random jobs and many filter/sort/search/page combinations, after edits and soft deletes;
    with ``distinct``, every title carries a requisition number (real postings)."""
    import random

    from jobsmgmt.services import dashboard

    monkeypatch.setattr(dashboard, "TRIGRAM_MIN", trigram_min)
    # a short term's few matches are fetched first, more are found walking the sort index
    monkeypatch.setattr(dashboard, "FEW_SCANNED", 0 if distinct else 100)
    rng = random.Random(7)
    owner = factory.user("recruiter", name="Owner One")
    other = factory.user("recruiter", name="Owner Two")
    words = ["Data", "data_ops", "Sales", "100% Remote", "Back\\end", "Lisbon", "Ops", "Engineer"]
    words.append('A "Best" Team')
    specs = []
    for i in range(90):
        specs.append(
            {
                "title": f"{rng.choice(['Senior ', 'Junior ', ''])}{rng.choice(words)} "
                + (f"#R{rng.randrange(10_000, 100_000)}" if distinct else f"{i % 7}"),
                "department": rng.choice(["Data", "Sales", "Engineering", "Ops"]),
                "location": rng.choice(["Lisbon", "Berlin", "Remote", "LISBON office"]),
                "status": rng.choice(STATUS_CHOICES),
                "published_at": rng.choice([None, BASE + timedelta(days=rng.randrange(30))]),
                "application_deadline": rng.choice(
                    [None, BASE + timedelta(days=rng.randrange(60))]
                ),
                "other_owner": rng.random() < 0.4,
                "deleted_at": BASE if rng.random() < 0.1 else None,
            }
        )
    rows = insert_jobs(owner, other, specs)
    # edits after insertion move the counts; the expectation follows the same edits
    for row in rng.sample([r for r in rows if not r["deleted"]], 10):
        job = db.session.get(Job, row["id"])
        job.title, job.location = row["title"], row["location"] = ("Moved Data", "Madrid")
    for row in rng.sample([r for r in rows if not r["deleted"]], 5):
        db.session.get(Job, row["id"]).deleted_at = BASE
        row["deleted"] = True
    db.session.commit()
    headers = {"Authorization": f"Bearer {factory.token(owner)}"}
    terms = ["", "data", "DATA", "lisbon", "%", "_", "\\", "100% r", "o", "madrid", "zzz"]
    terms += ["#r1", "a_o", "k\\e", '"', 'a "b']
    # PostgreSQL's search rows join the fields with U+001F: a term holding it spans no field
    terms += ["ta\x1fli", "a\x1fl"]
    cases = 0
    for term in terms:
        for statuses in ((), ("open",), ("open", "closed"), ("draft", "archived", "on_hold")):
            for department in (None, "Data"):
                for who in (None, owner.id):
                    sort = rng.choice(list(SORT_KEYS))
                    order = rng.choice(["asc", "desc"])
                    params = {"search": term, "sort": sort, "order": order, "limit": 7}
                    if statuses:
                        params["status"] = ",".join(statuses)
                    if department:
                        params["department"] = department
                    if who:
                        params["owner"] = who
                    want = expected(
                        rows,
                        statuses=statuses,
                        department=department,
                        owner=who,
                        search=term or None,
                        sort=sort,
                        order=order,
                    )
                    page = rng.choice([1, 1, 2])
                    body = client.get(
                        URL, query_string={**params, "page": page}, headers=headers
                    ).json
                    assert body["pagination"]["total"] == len(want), params
                    got = [j["id"] for j in body["jobs"]]
                    assert got == [r["id"] for r in want][(page - 1) * 7 : page * 7], params
                    cases += 1
    assert cases == len(terms) * 16


STATUS_CHOICES = ["draft", "open", "on_hold", "closed", "archived"]
