"""The dashboard page ``/``."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from ..auth import permission_required
from ..extensions import db
from ..services import jobs, policy

bp = Blueprint("dashboard", __name__)


@bp.get("/")
@permission_required(policy.READ)
def index():
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    rows, total = jobs.list_jobs(db.session, page=page, limit=20)
    return render_template(
        "dashboard/index.html", jobs=rows, total=total, page=page, pages=max(-(-total // 20), 1)
    )
