"""Logging for both editions, configured in one place by ``create_app``.

Hosted: one stream handler on standard output, as 12-factor platforms collect it. Desktop: the
same lines on standard error plus a rotating file, ``logs/jobsmgmt.log`` in the data directory
(5 files of 2 MB), so an agency can send the file when something went wrong. Both editions log
unhandled errors, failed background tasks, resumed bulk operations and, with ``ACCESS_LOG``, one
line per request. The migrations never reconfigure these loggers (see ``migrations/env.py``).
"""

from __future__ import annotations

import logging
import sys
import time
from logging.handlers import RotatingFileHandler
from pathlib import Path

from flask import Flask, g, request

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LOG_FILE = Path("logs") / "jobsmgmt.log"
MAX_BYTES = 2 * 1024 * 1024
BACKUP_COUNT = 4
access_log = logging.getLogger("jobsmgmt.access")


def _ours(handler: logging.Handler) -> bool:
    return getattr(handler, "_jobsmgmt", False)


def configure(
    *, edition: str, level: str = "INFO", data_dir: str | Path | None = None
) -> Path | None:
    """Install this edition's handlers on the root logger (replacing ours from an earlier call,
    so building the app twice never doubles lines); returns the log file's path (desktop)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if _ours(h)]:
        root.removeHandler(handler)
        handler.close()
    formatter = logging.Formatter(FORMAT)
    handlers: list[logging.Handler] = [
        logging.StreamHandler(sys.stdout if edition == "hosted" else sys.stderr)
    ]
    log_file = None
    if edition == "desktop" and data_dir:
        log_file = Path(data_dir) / LOG_FILE
        log_file.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handlers.append(
            RotatingFileHandler(
                log_file, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8"
            )
        )
    for handler in handlers:
        handler.setFormatter(formatter)
        handler._jobsmgmt = True
        root.addHandler(handler)
    root.setLevel(level)
    # Loggers created before a logging.config call elsewhere may have been disabled; ours must
    # never stay so.
    for name, logger in list(logging.Logger.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger) and name.split(".")[0] in ("jobsmgmt", "workers"):
            logger.disabled = False
    return log_file


def init_access_log(app: Flask) -> None:
    """One line per request: method, path, status, bytes, milliseconds, client address."""

    @app.before_request
    def start_timer():
        g.jobsmgmt_request_started = time.perf_counter()

    @app.after_request
    def log_request(response):
        started = g.get("jobsmgmt_request_started")
        elapsed = (time.perf_counter() - started) * 1000 if started else 0.0
        access_log.info(
            '%s "%s %s" %s %s %.1fms',
            request.remote_addr or "-",
            request.method,
            request.full_path.rstrip("?") if request.query_string else request.path,
            response.status_code,
            response.calculate_content_length() or "-",
            elapsed,
        )
        return response
