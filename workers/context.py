"""An app context for task functions, whichever process runs them."""

from __future__ import annotations

from contextlib import contextmanager

from flask import has_app_context

_app = None


def worker_app():
    global _app
    if _app is None:
        from jobsmgmt import create_app

        _app = create_app()
    return _app


@contextmanager
def task_context():
    """Reuse the current app context (in-process worker, CLI) or build the worker's app (RQ)."""
    from jobsmgmt.extensions import db

    if has_app_context():
        try:
            yield
        finally:
            db.session.remove()
        return
    with worker_app().app_context():
        try:
            yield
        finally:
            db.session.remove()
