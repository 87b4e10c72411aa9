"""``GET /healthz`` per API.md."""

from __future__ import annotations

from tests.conftest import app_context, build_app


def test_desktop_edition_is_inline(sqlite_app):
    response = sqlite_app.test_client().get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "queue": "inline"}


def test_hosted_edition_with_real_postgres_and_redis(pg_url, redis_url):
    with app_context(build_app(pg_url, REDIS_URL=redis_url)) as app:
        response = app.test_client().get("/healthz")
        assert response.status_code == 200
        assert response.json == {"status": "ok", "database": "ok", "queue": "ok"}


def test_unreachable_redis_is_503(sqlite_url):
    with app_context(build_app(sqlite_url, REDIS_URL="redis://127.0.0.1:1/0")) as app:
        response = app.test_client().get("/healthz")
        assert response.status_code == 503
        assert response.json["queue"] == "unreachable" and response.json["database"] == "ok"


def test_unreachable_database_is_503(tmp_path):
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    with app_context(build_app(url)) as app:
        response = app.test_client().get("/healthz")
        assert response.status_code == 503
        assert response.json["database"] == "unreachable"
