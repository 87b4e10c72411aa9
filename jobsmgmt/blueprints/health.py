"""``GET /healthz``: is the database (and Redis, in the hosted edition) reachable."""

from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import text

from .. import queue
from ..extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    body = {"status": "ok", "database": "ok", "queue": "inline"}
    try:
        db.session.execute(text("SELECT 1"))
        db.session.rollback()
    except Exception:  # noqa: BLE001 - any failure means unreachable
        db.session.rollback()
        body.update(status="error", database="unreachable")
    body["queue"] = queue.health()
    if body["queue"] == "unreachable":
        body["status"] = "error"
    return jsonify(body), 200 if body["status"] == "ok" else 503
