"""API authentication and the role policy: tokens, 401, 403 for viewers on every change,
CSRF on cookie-authenticated JSON changes."""

from __future__ import annotations

import pytest

from jobsmgmt.blueprints.api.base import ROUTES
from jobsmgmt.extensions import db
from jobsmgmt.services import users
from tests.conftest import csrf_from

MUTATING = ("POST", "PUT", "PATCH", "DELETE")


def _url(rule: str, job_id: str) -> str:
    import re

    return "/api" + re.sub(r"<[^>]+>", job_id, rule)


def test_no_credentials_is_401_on_every_protected_route(client, factory):
    job = factory.job()
    protected = [doc for doc in ROUTES if doc.permission is not None]
    assert protected
    for doc in protected:
        response = client.open(_url(doc.rule, job.id), method=doc.method, json={})
        assert response.status_code == 401, (doc.method, doc.rule)
        assert response.json["error"]["code"] == "unauthorized"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_bad_tokens_are_401(client, factory):
    user = factory.user("recruiter")
    row, token = users.create_token(db.session, user.id)
    job = factory.job()
    for header in ("Bearer nope", "Basic abc", "Bearer ", token):
        response = client.get(f"/api/jobs/{job.id}", headers={"Authorization": header})
        assert response.status_code == 401, header
    ok = client.get(f"/api/jobs/{job.id}", headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200
    users.revoke_token(db.session, user.id, row.id)
    revoked = client.get(f"/api/jobs/{job.id}", headers={"Authorization": f"Bearer {token}"})
    assert revoked.status_code == 401


def test_tokens_are_stored_hashed(factory):
    user = factory.user("recruiter")
    row, token = users.create_token(db.session, user.id)
    assert token not in (row.token_hash, row.prefix) and len(row.token_hash) == 64


def test_viewer_gets_403_on_every_change(client, factory):
    viewer = factory.headers("viewer")
    job = factory.job()
    changes = [doc for doc in ROUTES if doc.method in MUTATING]
    assert changes
    for doc in changes:
        response = client.open(_url(doc.rule, job.id), method=doc.method, json={}, headers=viewer)
        assert response.status_code == 403, (doc.method, doc.rule)
        assert response.json["error"]["code"] == "forbidden"
    assert client.get(f"/api/jobs/{job.id}", headers=viewer).status_code == 200


def test_deactivated_user_token_stops_working(client, factory):
    user = factory.user("recruiter")
    token = factory.token(user)
    job = factory.job()
    users.set_role(db.session, user.id, "recruiter", active=False)
    response = client.get(f"/api/jobs/{job.id}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


@pytest.mark.parametrize("app", ["sqlite"], indirect=True)
def test_cookie_session_needs_csrf_header_for_json_changes(client, auth, factory):
    user = factory.user("recruiter")
    auth.login(user.email)
    without = client.post("/api/jobs", json={"title": "From the browser"})
    assert without.status_code == 400
    assert without.json["error"]["code"] == "csrf_failed"
    token = csrf_from(client.get("/jobs/new").text)
    with_header = client.post(
        "/api/jobs", json={"title": "From the browser"}, headers={"X-CSRFToken": token}
    )
    assert with_header.status_code == 201
    assert client.get(f"/api/jobs/{with_header.json['job']['id']}").status_code == 200
