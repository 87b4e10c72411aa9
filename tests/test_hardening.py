"""Hardening (issue 13), on SQLite and PostgreSQL: trusted proxy hops, lockout without denial
of service, the security-event trail, honest view counts, bounded input, public-only thank-you
pages and ``Cache-Control: no-store`` on authenticated responses."""

from __future__ import annotations

import csv
import io
import itertools
import time
import uuid

import pytest
from sqlalchemy import func, select, text

from jobsmgmt.extensions import db
from jobsmgmt.models import Application, Job, JobAnalytics, JobView, SecurityEvent
from jobsmgmt.services import careers, integrity
from tests.conftest import PASSWORD, Factory, app_context, build_app, csrf_from
from tests.factories import set_job

_counter = itertools.count(1)


def open_job(factory, **fields) -> str:
    return factory.job(status="open", **fields).id


def rotated_ip() -> str:
    n = next(_counter)
    return f"198.51.{n // 250 % 250}.{n % 250 + 1}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request):
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")


def limited(url: str, **settings):
    """The app with rate limiting on (memory storage), as production runs it."""
    return app_context(
        build_app(url, RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="memory://", **settings)
    )


def login_post(client, email, password=PASSWORD, **environ):
    page = client.get("/login", **environ)
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": csrf_from(page.text)},
        **environ,
    )


# --- 3. trusted proxies -------------------------------------------------------------------


def test_spraying_with_rotated_forwarded_for_gets_429(db_url):
    """Default TRUSTED_PROXY_HOPS=0: the header is ignored, the peer's address counts."""
    with limited(db_url) as app:
        client = app.test_client()
        codes = [
            login_post(
                client,
                f"victim{i}@example.com",
                "wrong-password",
                headers={"X-Forwarded-For": rotated_ip()},
            ).status_code
            for i in range(40)
        ]
        assert codes == [401] * 30 + [429] * 10


def test_one_trusted_hop_takes_the_router_address(db_url):
    """TRUSTED_PROXY_HOPS=1: only the entry the router appended counts, so a client that
    prepends its own entries still shares one budget; another real client has its own."""
    with limited(db_url, TRUSTED_PROXY_HOPS=1) as app:
        client = app.test_client()
        codes = [
            login_post(
                client,
                f"victim{i}@example.com",
                "wrong-password",
                headers={"X-Forwarded-For": f"{rotated_ip()}, 203.0.113.7"},
            ).status_code
            for i in range(32)
        ]
        assert codes == [401] * 30 + [429] * 2
        other = login_post(
            client,
            "someone@example.com",
            "wrong-password",
            headers={"X-Forwarded-For": "192.0.2.1"},
        )
        assert other.status_code == 401


def test_spam_applications_with_rotated_forwarded_for_get_429(db_url):
    with limited(db_url) as app:
        job_id = open_job(Factory(app))
        client = app.test_client()
        codes = []
        for i in range(25):
            headers = {"X-Forwarded-For": rotated_ip()}
            form = client.get(f"/careers/{job_id}/apply", headers=headers)
            data = {
                "csrf_token": csrf_from(form.text) if form.status_code == 200 else "",
                "name": f"Spam {i}",
                "email": f"spam{i}@example.com",
            }
            codes.append(
                client.post(f"/careers/{job_id}/apply", data=data, headers=headers).status_code
            )
        assert codes == [302] * 20 + [429] * 5
        db.session.rollback()
        stored = db.session.scalar(select(func.count()).select_from(Application))
        assert stored == 20


# --- 4. lockout without denial of service -------------------------------------------------


def test_attacker_failures_do_not_lock_out_the_user_on_their_device(db_url):
    with limited(db_url) as app:
        user = Factory(app).user("recruiter")
        device = app.test_client()  # the real user's browser
        assert login_post(device, user.email).status_code == 302
        assert device.get_cookie("jobsmgmt_device") is not None
        page = device.get("/")
        device.post("/logout", data={"csrf_token": csrf_from(page.text)})

        attacker = app.test_client()
        codes = [login_post(attacker, user.email, "guess-" + str(i)).status_code for i in range(7)]
        assert codes == [401] * 5 + [429] * 2  # the attacker is throttled …
        stranger = app.test_client()  # … and so is any client without the device cookie
        assert login_post(stranger, user.email).status_code == 429
        assert login_post(device, user.email).status_code == 302  # the real user is not
        # Success resets the account's failures.
        assert login_post(attacker, user.email, "guess-again").status_code == 401
        db.session.rollback()
        kinds = db.session.scalars(
            select(SecurityEvent.event_type)
            .where(SecurityEvent.email == user.email)
            .order_by(SecurityEvent.seq)
        ).all()
        assert kinds == ["login"] + ["login_failed"] * 4 + ["login_failed", "lockout"] + [
            "login",
            "login_failed",
        ]


def test_a_forged_device_cookie_is_not_trusted(db_url):
    with limited(db_url) as app:
        user = Factory(app).user("recruiter")
        attacker = app.test_client()
        attacker.set_cookie("jobsmgmt_device", "eyJlIjoieCJ9.forged.signature")
        codes = [login_post(attacker, user.email, "nope").status_code for _ in range(6)]
        assert codes == [401] * 5 + [429]


def wait_of(response) -> int:
    import re

    assert response.status_code == 429
    return int(re.search(r"Try again in (\d+) s", response.text).group(1))


def test_throttle_windows_grow(db_url):
    """The waits grow: after the short window's budget a short wait, after the long one's a
    long wait (as the page says)."""
    limits = {"LOGIN_LIMIT_PER_ACCOUNT": "2 per 2 seconds; 4 per hour"}
    with limited(db_url, **limits) as app:
        user = Factory(app).user("recruiter")
        client = app.test_client()
        assert [login_post(client, user.email, "x").status_code for _ in range(3)] == [
            401,
            401,
            429,
        ]
        first_wait = wait_of(login_post(client, user.email, "x"))
        assert 1 <= first_wait <= 3
        time.sleep(2.2)
        assert [login_post(client, user.email, "x").status_code for _ in range(3)] == [
            401,
            401,
            429,
        ]
        second_wait = wait_of(login_post(client, user.email, "x"))
        assert second_wait > 60


# --- 2. security events -------------------------------------------------------------------


def test_security_events_are_chained_listed_filtered_and_exported(app, client, factory, auth):
    admin = factory.user("admin")
    assert auth.login(admin.email, "wrong").status_code == 401
    assert auth.login(admin.email).status_code == 302
    page = client.get("/account/tokens")
    client.post("/account/tokens", data={"csrf_token": csrf_from(page.text), "name": "ci"})
    db.session.rollback()
    token_id = db.session.scalar(text("SELECT id FROM api_tokens WHERE name = 'ci'"))
    page = client.get("/account/tokens")
    client.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": csrf_from(page.text)})
    page = client.get("/admin/users")
    email = f"new-{uuid.uuid4().hex[:6]}@example.com"
    client.post(
        "/admin/users",
        data={
            "csrf_token": csrf_from(page.text),
            "email": email,
            "name": "New Person",
            "role": "viewer",
            "password": "long-enough-pw",
        },
    )
    db.session.rollback()
    new_id = db.session.scalar(text("SELECT id FROM users WHERE email = :e"), {"e": email})
    page = client.get("/admin/users")
    client.post(
        f"/admin/users/{new_id}",
        data={
            "csrf_token": csrf_from(page.text),
            f"{new_id}-role": "recruiter",
            f"{new_id}-active": "y",
        },
    )
    db.session.rollback()
    events = db.session.scalars(select(SecurityEvent).order_by(SecurityEvent.seq)).all()
    assert [e.event_type for e in events] == [
        "login_failed",
        "login",
        "token_created",
        "token_revoked",
        "user_created",
        "role_changed",
    ]
    assert [e.seq for e in events] == [1, 2, 3, 4, 5, 6]
    assert events[5].details == {
        "old": {"role": "viewer", "active": True},
        "new": {"role": "recruiter", "active": True},
    }
    assert all(e.actor_id == admin.id for e in events[2:])
    assert events[1].prev_checksum == events[0].checksum
    assert integrity.verify(db.session, b"test-audit-key").valid

    listing = client.get("/admin/security-events?event_type=login_failed")
    assert listing.status_code == 200
    assert (
        listing.text.count("login failed</span>") == 1
        and "token created</span>" not in listing.text
    )
    by_email = client.get(f"/admin/security-events?email={email}")
    assert "user created</span>" in by_email.text and "role changed</span>" in by_email.text
    assert "login failed</span>" not in by_email.text
    future = client.get("/admin/security-events?date_from=2999-01-01")
    assert "No events match." in future.text
    export = client.get("/admin/security-events.csv?event_type=token_created", buffered=True)
    assert export.status_code == 200 and export.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert [(r["seq"], r["event_type"], r["email"]) for r in rows] == [
        ("3", "token_created", admin.email)
    ]
    assert client.get("/admin/security-events?date_from=nonsense&event_type=x").status_code == 200

    # Tampering with an event breaks the chain: reported as job "security".
    db.session.execute(text("UPDATE security_events SET email = 'x@example.com' WHERE seq = 1"))
    db.session.execute(text("DELETE FROM security_events WHERE seq = 6"))
    db.session.commit()
    report = integrity.verify(db.session, b"test-audit-key")
    assert [(p.job_id, p.seq, p.kind) for p in report.problems] == [
        ("security", 1, "edited"),
        ("security", 6, "truncated"),
    ]


def test_security_events_page_is_admin_only(client, factory, auth):
    recruiter = factory.user("recruiter")
    auth.login(recruiter.email)
    assert client.get("/admin/security-events").status_code == 403
    assert client.get("/admin/security-events.csv").status_code == 403


def test_cli_records_user_and_token_creation(app, runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "cli@example.com",
            "--name",
            "Cli",
            "--role",
            "admin",
            "--password-stdin",
        ],
        input="a-long-password\n",
    )
    assert result.exit_code == 0, result.output
    assert runner.invoke(args=["users", "token", "cli@example.com"]).exit_code == 0
    db.session.rollback()
    rows = db.session.execute(
        select(SecurityEvent.event_type, SecurityEvent.user_agent).order_by(SecurityEvent.seq)
    ).all()
    assert [tuple(r) for r in rows] == [
        ("user_created", "jobsmgmt-cli"),
        ("token_created", "jobsmgmt-cli"),
    ]


# --- 5. honest views ----------------------------------------------------------------------

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36 v{}"
BOTS = (
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "curl/8.5.0",
    "python-requests/2.32",
    "",
)


def test_view_flood_counts_distinct_visitors_once(app, client, factory):
    job_id = open_job(factory)
    visitors = [(f"203.0.113.{i}", BROWSER.format(i)) for i in range(1, 6)]
    visitors.append(("203.0.113.1", BROWSER.format("other-browser")))  # same address, other UA
    for _ in range(15):
        for address, agent in visitors:
            page = client.get(
                f"/careers/{job_id}",
                headers={"User-Agent": agent},
                environ_base={"REMOTE_ADDR": address},
            )
            assert page.status_code == 200
        for agent in BOTS:
            client.get(f"/careers/{job_id}", headers={"User-Agent": agent})
    db.session.rollback()
    daily = db.session.scalar(
        select(func.sum(JobAnalytics.view_count)).where(JobAnalytics.job_id == job_id)
    )
    assert daily == 6  # six distinct (address, agent) pairs; bots never
    assert db.session.scalar(select(Job.view_count).where(Job.id == job_id)) == 0  # not yet
    assert careers.roll_up_view_counts() == 1
    db.session.rollback()
    assert db.session.scalar(select(Job.view_count).where(Job.id == job_id)) == 6
    assert careers.roll_up_view_counts() == 0  # already right: nothing rewritten
    stored = db.session.scalars(select(JobView.visitor).where(JobView.job_id == job_id)).all()
    assert len(stored) == 6 and all(len(v) == 64 and "203.0.113" not in v for v in stored)
    # The analytics API (API.md: views on day d = distinct counted views) agrees.
    body = client.get(
        f"/api/jobs-management/{job_id}/analytics", headers=factory.headers("viewer")
    ).json
    assert body["funnel"]["views"] == 6


def test_visitor_hash_is_salted_per_day():
    from datetime import date

    one = careers.visitor_hash(b"k", "203.0.113.9", "UA", date(2026, 12, 1))
    assert one == careers.visitor_hash(b"k", "203.0.113.9", "UA", date(2026, 12, 1))
    assert one != careers.visitor_hash(b"k", "203.0.113.9", "UA", date(2026, 12, 2))
    assert one != careers.visitor_hash(b"other", "203.0.113.9", "UA", date(2026, 12, 1))
    assert careers.is_bot("Mozilla/5.0 (compatible; bingbot/2.0)") and careers.is_bot(None)
    assert not careers.is_bot(BROWSER.format(1))


def test_careers_pages_are_rate_limited(db_url):
    with limited(db_url, CAREERS_PAGE_LIMIT="10 per minute") as app:
        job_id = open_job(Factory(app))
        client = app.test_client()
        codes = [
            client.get(f"/careers/{job_id}", headers={"X-Forwarded-For": rotated_ip()}).status_code
            for _ in range(12)
        ]
        assert codes == [200] * 10 + [429] * 2
        assert client.get("/careers").status_code == 429


# --- 6. bounded input, public thank-you pages, no-store ------------------------------------

MANY = 70_000


def test_seventy_thousand_ids_are_refused_before_any_query(app, client, factory, auth):
    ids = [str(uuid.uuid4()) for _ in range(MANY)]
    admin = factory.user("admin")
    headers = factory.headers("admin")
    api = client.post(
        "/api/jobs-management/bulk-update",
        json={"job_ids": ids, "operation": "delete", "dry_run": True},
        headers=headers,
    )
    assert api.status_code == 422 and "job_ids" in str(api.json["error"]["details"])
    auth.login(admin.email)
    page = client.get("/bulk")
    token = csrf_from(page.text)
    joined = client.get("/bulk", query_string={"job_ids": ",".join(ids)})
    assert joined.status_code == 422 and "at most 50 jobs" in joined.text
    repeated = client.get("/bulk", query_string=[("job_ids", i) for i in ids[:5000]])
    assert repeated.status_code == 422 and "at most 50 jobs" in repeated.text
    posted = client.post(
        "/bulk",
        data={"csrf_token": token, "operation": "delete", "job_ids": ",".join(ids)},
    )
    assert posted.status_code in (413, 422), posted.status_code
    assert "too large" in posted.text or "at most 50 jobs" in posted.text
    statuses = client.get("/", query_string=[("status", "open")] * MANY)
    assert statuses.status_code in (200, 422)
    fifty = client.get("/bulk", query_string={"job_ids": ",".join(ids[:50])})
    assert fifty.status_code == 200


def test_applied_page_only_for_public_jobs(client, factory):
    public = open_job(factory)
    closed = open_job(factory)
    set_job(closed, status="closed")
    draft = factory.job(title="Secret Draft Title").id
    archived = factory.job(title="Archived Secret Title").id
    set_job(archived, status="archived")
    assert client.get(f"/careers/{public}/applied").status_code == 200
    assert client.get(f"/careers/{closed}/applied").status_code == 200
    for job_id, title in ((draft, "Secret Draft Title"), (archived, "Archived Secret Title")):
        page = client.get(f"/careers/{job_id}/applied")
        assert page.status_code == 404 and title not in page.text
        apply = client.get(f"/careers/{job_id}/apply")
        assert apply.status_code == 404 and title not in apply.text


def test_authenticated_responses_are_not_stored(client, factory, auth):
    job_id = open_job(factory)
    headers = factory.headers("viewer")
    api = client.get(f"/api/jobs/{job_id}", headers=headers)
    assert api.headers["Cache-Control"] == "no-store"
    assert "no-store" not in client.get(f"/careers/{job_id}").headers.get("Cache-Control", "")
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    user = factory.user("recruiter")
    auth.login(user.email)
    for url in ("/", f"/jobs/{job_id}", "/dashboard.csv", f"/jobs/{job_id}/audit"):
        response = client.get(url, buffered=True)  # the CSV streams: read it to the end
        assert response.headers["Cache-Control"] == "no-store", url


def test_proxy_hops_setting(monkeypatch):
    from jobsmgmt.config import ConfigError, load_settings

    monkeypatch.setenv("DATABASE_URL", "postgresql://x/y")
    monkeypatch.setenv("SECRET_KEY", "s")
    monkeypatch.setenv("AUDIT_KEY", "a")
    monkeypatch.delenv("TRUSTED_PROXY_HOPS", raising=False)
    assert load_settings().flask_config()["TRUSTED_PROXY_HOPS"] == 0
    monkeypatch.setenv("TRUSTED_PROXY_HOPS", "1")
    assert load_settings().flask_config()["TRUSTED_PROXY_HOPS"] == 1
    monkeypatch.setenv("TRUSTED_PROXY_HOPS", "lots")
    with pytest.raises(ConfigError):
        load_settings()
