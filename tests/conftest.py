"""Fixtures: the app on SQLite and on a real PostgreSQL, a real Redis, clients and factories.

PostgreSQL and Redis come from ``TEST_DATABASE_URL`` / ``TEST_REDIS_URL`` (defaults: the
machine's own servers). Absent locally, their tests skip with the reason; under ``CI=true``
they fail instead, so CI can never pass without really using them.
"""

from __future__ import annotations

import contextvars
import hashlib
import os
import re
import shutil
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from jobsmgmt import create_app
from jobsmgmt.config import Settings, normalise_database_url
from jobsmgmt.database import set_write_intent
from jobsmgmt.extensions import db
from jobsmgmt.models import SYSTEM_USER_ID
from tests.factories import PASSWORD, Factory

IN_CI = os.environ.get("CI", "").lower() == "true"
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def pytest_collection_modifyitems(items):
    """Mark each test by what it really uses, so ``-m`` selects by need: ``postgres`` (the
    PostgreSQL fixtures, directly or through the ``app`` parameter), ``redis``, ``browser``
    (tests/browser/), and ``slow`` for the ones that start servers or browsers."""
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        params = getattr(getattr(item, "callspec", None), "params", {})
        if params.get("app") == "postgresql" or names & {"pg_database", "pg_url", "pg_app"}:
            item.add_marker(pytest.mark.postgres)
        if "redis_url" in names:
            item.add_marker(pytest.mark.redis)
        if "browser" in Path(str(item.fspath)).parts:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)


def unavailable(reason: str):
    """Skip locally; fail under CI=true, where the service must be there."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true requires it)")
    pytest.skip(reason)


# SETUP_PAGE off: most tests start from a database with nobody in it, where the desktop edition
# would send /login to the one-time setup page (tests/test_desktop_setup.py turns it on).
TEST_OVERRIDES = {
    "TESTING": True,
    "RATELIMIT_ENABLED": False,
    "PROXY_FIX": False,
    "SETUP_PAGE": False,
}


def make_settings(database_url: str, redis_url: str | None = None) -> Settings:
    return Settings(
        edition="hosted" if not database_url.startswith("sqlite") else "desktop",
        database_url=database_url,
        redis_url=redis_url,
        secret_key="test-secret-key",
        audit_key="test-audit-key",
        data_dir=None,
        portal_sandbox=True,
        session_cookie_secure=False,
        rq_queue=f"jobsmgmt-test-{uuid.uuid4().hex[:8]}",
    )


class IsolatedClient(FlaskClient):
    """A test client whose requests run as in production: each in a fresh context (its own app
    context, ``g`` and database session), after the test's own pending work is committed."""

    def open(self, *args, **kwargs):
        if has_app_context():
            db.session.commit()
        return contextvars.Context().run(super().open, *args, **kwargs)


def build_app(database_url: str, redis_url: str | None = None, **extra):
    """The app on ``database_url`` with the test settings; ``extra`` overrides Flask config."""
    app = create_app(make_settings(database_url, redis_url), **{**TEST_OVERRIDES, **extra})
    app.test_client_class = IsolatedClient
    return app


@contextmanager
def app_context(app):
    """The test's own app context; its reads never take SQLite's write lock."""
    with app.app_context():
        set_write_intent(False)
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()
            set_write_intent(True)


def upgrade_database(database_url: str) -> None:
    from flask_migrate import upgrade

    app = create_app(make_settings(database_url), **TEST_OVERRIDES)
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        db.engine.dispose()


# --- SQLite -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    upgrade_database(f"sqlite:///{path}")
    return path


@pytest.fixture
def sqlite_url(sqlite_template, tmp_path) -> str:
    path = tmp_path / "jobsmgmt.db"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def sqlite_app(sqlite_url):
    with app_context(build_app(sqlite_url)) as app:
        yield app


# --- PostgreSQL ---------------------------------------------------------------------------


def _admin_url() -> str:
    return normalise_database_url(TEST_DATABASE_URL)


@pytest.fixture(scope="session")
def pg_database():
    """A fresh database for this test run, migrated once, dropped at the end."""
    try:
        admin = create_engine(_admin_url(), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001
        unavailable(f"PostgreSQL not reachable at {TEST_DATABASE_URL}: {error.__class__.__name__}")
        return
    name = f"jobsmgmt_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = re.sub(r"/[^/]*$", f"/{name}", _admin_url())
    try:
        upgrade_database(url)
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def truncate_all(url: str) -> None:
    engine = create_engine(url)
    tables = [t.name for t in db.metadata.sorted_tables]
    with engine.begin() as connection:
        connection.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " CASCADE"))
        connection.execute(
            text(
                "INSERT INTO users (id, email, name, role, password_hash, is_active, is_system, "
                "timezone, created_at) VALUES (:id, 'system@jobsmgmt.invalid', 'System', 'admin', "
                "NULL, false, true, 'UTC', now())"
            ),
            {"id": SYSTEM_USER_ID},
        )
    engine.dispose()


@pytest.fixture
def pg_url(pg_database) -> str:
    truncate_all(pg_database)
    return pg_database


@pytest.fixture
def pg_app(pg_url):
    with app_context(build_app(pg_url)) as app:
        yield app


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request):
    """The app on each database in turn."""
    return request.getfixturevalue("sqlite_app" if request.param == "sqlite" else "pg_app")


# --- Redis --------------------------------------------------------------------------------


_REDIS_CLAIMS: dict[str, object] = {}


def claim_redis_database(url: str) -> str | None:
    """Claim the Redis database ``url`` names for this process (a pytest session) until it ends:
    None once claimed (claiming again is a no-op), else why not. Tests on Redis flush their
    database before and after each test, so two sessions on one database (the default one, say)
    wipe each other's keys mid-test: a deploy test's periodic registrations vanished that way
    (``NoSuchJobError: No such job: rq:job:jobsmgmt-periodic-...`` after another session's
    ``FLUSHDB``). The claim is an exclusive lock on a file named after the URL, so it holds for
    the sessions of one machine, and a session that dies releases it."""
    if url in _REDIS_CLAIMS:
        return None
    try:
        import fcntl
    except ImportError:  # Windows: no claim, as before
        return None
    digest = hashlib.sha256(url.encode()).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / f"jobsmgmt-tests-redis-{digest}.lock"
    handle = open(path, "a+")  # noqa: SIM115 - held open for the session: the open file is the lock
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.seek(0)
        holder = handle.read().strip() or "unknown"
        handle.close()
        return (
            f"Redis database {url} is in use by another test session (pid {holder}), which "
            "flushes it: set TEST_REDIS_URL to a database of your own"
        )
    handle.seek(0)
    handle.truncate()
    handle.write(str(os.getpid()))
    handle.flush()
    _REDIS_CLAIMS[url] = handle
    return None


@contextmanager
def redis_database(url: str):
    """The Redis database ``url`` names, claimed for this session and empty, for one test."""
    from redis import Redis

    try:
        connection = Redis.from_url(url, socket_connect_timeout=2)
        connection.ping()
    except Exception as error:  # noqa: BLE001
        unavailable(f"Redis not reachable at {url}: {error.__class__.__name__}")
    refused = claim_redis_database(url)
    if refused:
        connection.close()
        unavailable(refused)
    connection.flushdb()
    try:
        yield url
    finally:
        connection.flushdb()
        connection.close()


@pytest.fixture
def redis_url() -> str:
    with redis_database(TEST_REDIS_URL) as url:
        yield url


# --- clients and factories ----------------------------------------------------------------


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def factory(app):
    return Factory(app)


CSRF_PATTERN = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|'
    r'name="csrf_token" value="([^"]+)"'
)


def csrf_from(html: str) -> str:
    match = CSRF_PATTERN.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1) or match.group(2)


class AuthActions:
    def __init__(self, client):
        self.client = client

    def login(self, email: str, password: str = PASSWORD):
        page = self.client.get("/login")
        return self.client.post(
            "/login",
            data={"email": email, "password": password, "csrf_token": csrf_from(page.text)},
        )

    def logout(self):
        page = self.client.get("/")
        return self.client.post("/logout", data={"csrf_token": csrf_from(page.text)})


@pytest.fixture
def auth(client):
    return AuthActions(client)
