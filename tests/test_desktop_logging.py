"""Logging in both editions: the start-up migrations leave the app's loggers alone, the desktop
edition writes ``logs/jobsmgmt.log`` in its data directory (errors, failed tasks, one access line
per request), the hosted edition writes to standard output."""

from __future__ import annotations

import logging

import pytest

from jobsmgmt import create_app, logs, queue
from jobsmgmt.desktop import prepare
from jobsmgmt.extensions import db

APP_VARIABLES = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "AUDIT_KEY", "BULK_JOB_DELAY_MS")


@pytest.fixture
def desktop_env(tmp_path, monkeypatch):
    for name in APP_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    data_dir = tmp_path / "data"
    monkeypatch.setenv("JOBSMGMT_DATA_DIR", str(data_dir))
    yield data_dir
    _drop_our_handlers()


def _drop_our_handlers():
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "_jobsmgmt", False)]:
        root.removeHandler(handler)
        handler.close()


def test_errors_in_a_request_and_a_task_reach_the_log_file_after_startup_migrations(
    desktop_env,
):
    app = create_app()

    @app.get("/boom")
    def boom():
        raise RuntimeError("boom in a request")

    def explode():
        raise ValueError("boom in a background task")

    with app.app_context():
        prepared = prepare(app, demo_agency=False)  # runs migrations/env.py
        assert prepared.upgrade is not None and prepared.upgrade.from_revisions == ()
        db.engine.dispose()
    # The migrations reconfigured nothing: the app's loggers still work.
    for name in ("jobsmgmt.errors", "jobsmgmt.queue", "jobsmgmt.schedule", "jobsmgmt.access"):
        assert not logging.getLogger(name).disabled, name
    assert logging.getLogger().level == logging.INFO

    response = app.test_client().get("/boom?x=1")
    assert response.status_code == 500
    runner = queue.in_process_runner(app)
    runner.submit(explode, ())
    assert runner.join(timeout=30)
    runner.stop()

    text = (desktop_env / "logs" / "jobsmgmt.log").read_text()
    assert "ERROR jobsmgmt.errors: Unhandled error on GET /boom" in text
    assert "RuntimeError: boom in a request" in text  # with its traceback
    assert "ERROR jobsmgmt.queue: Background task explode() failed" in text
    assert "ValueError: boom in a background task" in text
    assert 'INFO jobsmgmt.access: 127.0.0.1 "GET /boom?x=1" 500' in text
    assert "Running upgrade 0005 -> 0006" in text  # the migrations log there too
    assert "Database migrated from empty to" in text


def test_building_the_app_twice_does_not_double_the_lines(desktop_env):
    create_app()
    create_app()
    logging.getLogger("jobsmgmt.tests").warning("only once, please")
    text = (desktop_env / "logs" / "jobsmgmt.log").read_text()
    assert text.count("only once, please") == 1
    ours = [h for h in logging.getLogger().handlers if getattr(h, "_jobsmgmt", False)]
    assert len(ours) == 2  # standard error and the file


def test_the_log_file_rotates(desktop_env, monkeypatch):
    monkeypatch.setattr(logs, "MAX_BYTES", 2000)
    path = logs.configure(edition="desktop", level="INFO", data_dir=desktop_env)
    for number in range(100):
        logging.getLogger("jobsmgmt.tests").info("line %03d %s", number, "x" * 40)
    rotated = sorted(p.name for p in path.parent.iterdir())
    assert rotated[:2] == ["jobsmgmt.log", "jobsmgmt.log.1"]
    assert len(rotated) == logs.BACKUP_COUNT + 1  # the oldest are dropped
    assert "line 099" in path.read_text()


def test_hosted_logs_to_standard_output(capsys):
    try:
        assert logs.configure(edition="hosted", level="INFO") is None
        logging.getLogger("jobsmgmt.errors").error("hosted error line")
        captured = capsys.readouterr()
        assert "ERROR jobsmgmt.errors: hosted error line" in captured.out
        assert "hosted error line" not in captured.err
    finally:
        _drop_our_handlers()
