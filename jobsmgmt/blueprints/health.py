"""``GET /healthz``: is the database (and Redis, in the hosted edition) reachable."""

from __future__ import annotations

from flask import Blueprint, jsonify

from .. import queue
from ..database import reachable
from ..extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    body = {"status": "ok", "database": "ok", "queue": "inline"}
    if not reachable(db.session):
        body.update(status="error", database="unreachable")
    body["queue"] = queue.health()
    if body["queue"] == "unreachable":
        body["status"] = "error"
    return jsonify(body), 200 if body["status"] == "ok" else 503
