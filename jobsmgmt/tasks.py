"""Background tasks: the ``@task`` decorator, the registry, and the app a task runs in.

A task is a plain function registered with ``@task`` beside the service it drives: ids in, one
service call, a plain result out, safe to run twice. ``queue.enqueue(function, *ids)`` sends the
function itself (RQ stores its import path; the in-process runner calls it), and the periodic
schedule (``schedule.py``) lists function objects, so a wrong name fails at import time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import Flask, current_app, has_app_context
from sqlalchemy.orm import Session

from .extensions import db

REGISTRY: dict[str, Callable] = {}
_bound_app: Flask | None = None
_stop = threading.Event()


def task(function: Callable) -> Callable:
    """Register ``function`` as a background task under its own name."""
    existing = REGISTRY.get(function.__name__)
    if existing is not None and existing.__qualname__ != function.__qualname__:
        raise ValueError(f"Two tasks are named {function.__name__}")
    REGISTRY[function.__name__] = function
    return function


def is_task(function: object) -> bool:
    return callable(function) and REGISTRY.get(getattr(function, "__name__", "")) is function


def bind_app(app: Flask) -> None:
    """Bind the one app of a worker process (done once at start-up by ``jobsmgmt worker``)."""
    global _bound_app
    _bound_app = app


@contextmanager
def task_session() -> Iterator[Session]:
    """The database session of one task run, in the current app context (in-process runner,
    CLI, a forked RQ work horse) or in the worker's bound app; closed afterwards."""
    if has_app_context():
        try:
            yield db.session
        finally:
            db.session.remove()
        return
    if _bound_app is None:
        raise RuntimeError("No app is bound for background tasks: start them with jobsmgmt worker")
    with _bound_app.app_context():
        try:
            yield db.session
        finally:
            db.session.remove()


def setting(name: str):
    """A setting of the app the task runs in (read by task functions, passed on to services)."""
    return current_app.config.get(name)


def request_stop() -> None:
    """The process running tasks is shutting down (``jobsmgmt worker``'s work horse on SIGTERM):
    long tasks end between two units of work and hand the rest back to the queue."""
    _stop.set()


def stop_requested() -> bool:
    """Whether this process was asked to stop (checked by long tasks between units of work)."""
    return _stop.is_set()
