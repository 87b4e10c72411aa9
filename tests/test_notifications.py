"""Notifications: written with a status change by someone other than the owner, listed on
``/notifications``, counted in the navbar badge, marked read one by one or all at once."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import event, select

from jobsmgmt.extensions import db
from jobsmgmt.models import Notification
from jobsmgmt.services import Actor, notifications, status
from jobsmgmt.services.errors import NotFound
from tests.conftest import csrf_from

BADGE = re.compile(r'aria-label="(\d+) unread"')


def badge(html: str) -> int:
    match = BADGE.search(html)
    return int(match.group(1)) if match else 0


def test_status_change_by_someone_else_notifies_the_owner(app, factory):
    owner = factory.user("recruiter")
    colleague = factory.user("recruiter", name="Colin Colleague")
    job_id = factory.job(owner=owner, title="Nurse").id
    status.change_status(db.session, job_id, "open", Actor(owner.id))  # own change: nothing
    assert notifications.unread_count(db.session, owner.id) == 0
    status.change_status(db.session, job_id, "on_hold", Actor(colleague.id), reason="budget")
    status.change_status(db.session, job_id, "closed", Actor.system())  # the scheduler
    status.change_status(db.session, job_id, "closed", Actor(colleague.id))  # no change
    assert notifications.unread_count(db.session, owner.id) == 2
    assert notifications.unread_count(db.session, colleague.id) == 0
    rows, total = notifications.list_for_user(db.session, owner.id)
    assert total == 2
    assert [n.message for n in rows] == [
        "System moved “Nurse” from on hold to closed.",
        "Colin Colleague moved “Nurse” from open to on hold. Reason: budget",
    ]
    assert all(n.job_id == job_id and n.link == f"/jobs/{job_id}" for n in rows)


def test_notification_is_part_of_the_change_transaction(app, factory):
    """commit=False leaves status, history, audit and notification to the caller: a rollback
    drops them all together."""
    owner = factory.user("recruiter")
    other = factory.user("recruiter")
    job_id = factory.job(owner=owner).id
    result = status.change_status(db.session, job_id, "open", Actor(other.id), commit=False)
    assert result.changed and result.previous_status == "draft"
    db.session.rollback()
    assert notifications.unread_count(db.session, owner.id) == 0
    assert status.change_status(db.session, job_id, "open", Actor(other.id)).changed


def test_mark_read_one_and_all(app, factory):
    owner = factory.user("recruiter")
    stranger = factory.user("recruiter")
    for i in range(3):
        notifications.notify(db.session, owner.id, "test", f"message {i}")
    db.session.commit()
    first = notifications.list_for_user(db.session, owner.id)[0][0]
    assert notifications.mark_read(db.session, owner.id, first.id) == 1
    assert notifications.mark_read(db.session, owner.id, first.id) == 0  # already read
    assert notifications.unread_count(db.session, owner.id) == 2
    with pytest.raises(NotFound):
        notifications.mark_read(db.session, stranger.id, first.id)
    assert notifications.mark_read(db.session, owner.id) == 2
    assert notifications.unread_count(db.session, owner.id) == 0
    unread, total = notifications.list_for_user(db.session, owner.id, unread_only=True)
    assert (unread, total) == ([], 0)


def test_page_badge_and_marking(client, factory, auth):
    owner = factory.user("recruiter")
    colleague = factory.user("recruiter")
    job_id = factory.job(owner=owner, title="<script>alert(1)</script>").id
    for move in ("open", "on_hold", "open"):
        status.change_status(db.session, job_id, move, Actor(colleague.id))
    auth.login(owner.email)

    page = client.get("/notifications")
    assert page.status_code == 200
    assert badge(page.text) == 3
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert page.text.count("Mark as read</button>") == 3

    first = db.session.scalars(
        select(Notification)
        .where(Notification.user_id == owner.id)
        .order_by(Notification.created_at.desc())
    ).first()
    one = client.post(
        f"/notifications/{first.id}/read",
        data={"csrf_token": csrf_from(page.text), "next_page": "1"},
        follow_redirects=True,
    )
    assert one.status_code == 200 and badge(one.text) == 2
    assert one.text.count("Mark as read</button>") == 2

    all_read = client.post(
        "/notifications/read-all", data={"csrf_token": csrf_from(one.text)}, follow_redirects=True
    )
    assert "Marked 2 notifications as read." in all_read.text
    assert badge(all_read.text) == 0
    assert "Mark as read</button>" not in all_read.text

    assert client.post("/notifications/read-all").status_code == 400  # no CSRF token
    assert (
        client.post(
            "/notifications/nope/read", data={"csrf_token": csrf_from(page.text)}
        ).status_code
        == 404
    )


def test_someone_elses_notification_is_404(client, factory, auth):
    owner = factory.user("recruiter")
    other = factory.user("viewer")
    notifications.notify(db.session, owner.id, "test", "private")
    db.session.commit()
    note = db.session.scalars(select(Notification)).one()
    auth.login(other.email)
    token = csrf_from(client.get("/notifications").text)
    response = client.post(f"/notifications/{note.id}/read", data={"csrf_token": token})
    assert response.status_code == 404
    db.session.rollback()
    assert db.session.get(Notification, note.id).read_at is None


def test_badge_is_one_count_query_for_logged_in_users_only(app, client, factory, auth):
    user = factory.user("recruiter")
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        client.get("/login")
        assert not [s for s in statements if "notifications" in s]
        auth.login(user.email)
        statements.clear()
        client.get("/")
        counts = [s for s in statements if "notifications" in s]
        assert len(counts) == 1 and "count(" in counts[0].lower()
    finally:
        event.remove(db.engine, "before_cursor_execute", record)


def test_anonymous_is_sent_to_login(client):
    response = client.get("/notifications")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
