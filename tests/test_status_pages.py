"""The status page ``/jobs/<id>/status``: only the allowed moves are offered, the change is made
through the same service as the API, conflicts get a clear message; viewers get 403."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from jobsmgmt.extensions import db
from jobsmgmt.models import Job, JobStatusHistory
from jobsmgmt.services import Actor, status
from tests.conftest import csrf_from

OPTION = re.compile(r'<option[^>]*value="([^"]+)"')
ALLOWED = {
    "draft": ["open", "archived"],
    "open": ["on_hold", "closed"],
    "on_hold": ["open", "closed"],
    "closed": ["open", "archived"],
    "archived": ["closed"],
}


def set_status(job_id: str, value: str) -> None:
    db.session.get(Job, job_id).status = value
    db.session.commit()


def offered(html: str) -> list[str]:
    select_html = html[html.index('name="status"') : html.index("</select>")]
    return OPTION.findall(select_html)


@pytest.mark.parametrize(
    "start, move", [("draft", "open"), ("open", "on_hold"), ("closed", "archived")]
)
def test_page_offers_allowed_moves_and_changes(client, factory, auth, start, move):
    recruiter = factory.user("recruiter")
    job_id = factory.job().id
    set_status(job_id, start)
    auth.login(recruiter.email)
    page = client.get(f"/jobs/{job_id}/status")
    assert page.status_code == 200
    assert offered(page.text) == ALLOWED[start]
    response = client.post(
        f"/jobs/{job_id}/status",
        data={
            "status": move,
            "reason": "budget approved",
            "current_status": start,
            "csrf_token": csrf_from(page.text),
        },
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert response.request.path == f"/jobs/{job_id}"
    label = {"on_hold": "on hold"}
    assert (
        f"Status changed from {label.get(start, start)} to {label.get(move, move)}."
        in response.text
    )
    db.session.rollback()
    assert db.session.get(Job, job_id).status == move
    history = db.session.scalars(
        select(JobStatusHistory).where(JobStatusHistory.job_id == job_id)
    ).one()
    assert (history.from_status, history.to_status, history.reason) == (
        start,
        move,
        "budget approved",
    )
    assert history.changed_by == recruiter.id


def test_disallowed_move_is_refused_with_the_allowed_list(client, factory, auth):
    recruiter = factory.user("recruiter")
    job_id = factory.job().id
    auth.login(recruiter.email)
    page = client.get(f"/jobs/{job_id}/status")
    response = client.post(
        f"/jobs/{job_id}/status",
        data={"status": "closed", "current_status": "draft", "csrf_token": csrf_from(page.text)},
        follow_redirects=True,
    )
    assert response.request.path == f"/jobs/{job_id}/status"
    assert "cannot move to closed; allowed: open, archived." in response.text
    db.session.rollback()
    assert db.session.get(Job, job_id).status == "draft"


def test_status_changed_meanwhile_is_a_clear_conflict(client, factory, auth):
    recruiter = factory.user("recruiter")
    owner = factory.user("recruiter")
    job_id = factory.job(owner=owner).id
    auth.login(recruiter.email)
    page = client.get(f"/jobs/{job_id}/status")
    assert offered(page.text) == ["open", "archived"]
    # Someone else opens the job while the form is on screen.
    status.change_status(db.session, job_id, "open", Actor(owner.id))
    response = client.post(
        f"/jobs/{job_id}/status",
        data={"status": "archived", "current_status": "draft", "csrf_token": csrf_from(page.text)},
        follow_redirects=True,
    )
    assert response.request.path == f"/jobs/{job_id}/status"
    assert "The job is now open (it was draft when you opened the form)" in response.text
    assert offered(response.text) == ["on_hold", "closed"]  # the choices of the new status
    db.session.rollback()
    assert db.session.get(Job, job_id).status == "open"
    count = select(func.count()).select_from(JobStatusHistory)
    assert db.session.scalar(count.where(JobStatusHistory.job_id == job_id)) == 1


def test_reason_too_long_is_a_form_error(client, factory, auth):
    recruiter = factory.user("recruiter")
    job_id = factory.job().id
    auth.login(recruiter.email)
    page = client.get(f"/jobs/{job_id}/status")
    response = client.post(
        f"/jobs/{job_id}/status",
        data={
            "status": "open",
            "reason": "x" * 1001,
            "current_status": "draft",
            "csrf_token": csrf_from(page.text),
        },
    )
    assert response.status_code == 200 and "invalid-feedback" in response.text
    db.session.rollback()
    assert db.session.get(Job, job_id).status == "draft"


def test_viewer_gets_403_and_unknown_job_404(client, factory, auth):
    job_id = factory.job().id
    viewer = factory.user("viewer")
    auth.login(viewer.email)
    assert client.get(f"/jobs/{job_id}/status").status_code == 403
    token = csrf_from(client.get(f"/jobs/{job_id}").text)
    posted = client.post(f"/jobs/{job_id}/status", data={"status": "open", "csrf_token": token})
    assert posted.status_code == 403
    db.session.rollback()
    assert db.session.get(Job, job_id).status == "draft"
    auth.logout()
    recruiter = factory.user("recruiter")
    auth.login(recruiter.email)
    assert client.get("/jobs/nope/status").status_code == 404
    detail = client.get(f"/jobs/{job_id}")
    assert f'href="/jobs/{job_id}/status"' in detail.text


def test_anonymous_is_sent_to_login(client, factory):
    job_id = factory.job().id
    response = client.get(f"/jobs/{job_id}/status")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_unstorable_input_is_refused_not_a_500(client, factory, auth):
    recruiter = factory.user("admin")
    job_id = factory.job().id
    auth.login(recruiter.email)
    page = client.get(f"/jobs/{job_id}/status")
    response = client.post(
        f"/jobs/{job_id}/status",
        data={
            "status": "open",
            "reason": "a\x00b",
            "current_status": "draft",
            "csrf_token": csrf_from(page.text),
        },
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "The reason contains characters that cannot be stored." in response.text
    db.session.rollback()
    assert db.session.get(Job, job_id).status == "draft"
    for url in (
        "/jobs/a%00b/status",
        "/jobs/a%00b/audit",
        "/jobs/" + "x" * 101 + "/audit",
        "/notifications/a%00b/read",
    ):
        method = client.post if url.endswith("/read") else client.get
        assert method(url, data={"csrf_token": csrf_from(page.text)}).status_code == 404, url
