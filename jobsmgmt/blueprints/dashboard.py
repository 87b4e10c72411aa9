"""The dashboard page ``/`` and its CSV export: the same service and query model as the JSON
route, driven by a GET form so every filtered view is a shareable URL."""

from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

from flask import Blueprint, Response, render_template, request, stream_with_context
from flask_login import current_user
from pydantic import ValidationError

from ..auth import permission_required
from ..errors import validation_details
from ..extensions import db
from ..models import STATUSES
from ..portals import LABELS
from ..schemas.bulk import MAX_JOBS
from ..schemas.dashboard import DashboardQuery
from ..services import dashboard, policy, postings, users
from .labels import query_messages

bp = Blueprint("dashboard", __name__)
CSV_COLUMNS = (
    "id",
    "title",
    "department",
    "location",
    "status",
    "owner",
    "posted_date",
    "application_deadline",
    "application_count",
    "view_count",
)


def _query_args() -> dict:
    """The page's GET parameters as the query model wants them: repeated ``status`` boxes
    become one comma-separated value; empty fields are dropped."""
    args = {k: v for k, v in request.args.items() if k != "status" and v.strip()}
    statuses = [s for value in request.args.getlist("status") for s in value.split(",") if s]
    if statuses:
        args["status"] = ",".join(dict.fromkeys(s.strip() for s in statuses))
    return args


def _selected(args: dict) -> list[str]:
    """The bulk selection carried in the URL (``selected=id,id``), so it survives paging and
    filtering; at most the bulk limit, impossible ids dropped."""
    ids = [i.strip() for i in args.pop("selected", "").split(",") if i.strip()]
    ids = [i for i in ids if len(i) <= 64 and i.replace("-", "").isalnum()]
    return list(dict.fromkeys(ids))[:MAX_JOBS]


def _url(base: str, args: dict, **changes) -> str:
    merged = {k: v for k, v in {**args, **changes}.items() if v not in (None, "")}
    return base + ("?" + urlencode(merged) if merged else "")


@bp.get("/")
@permission_required(policy.READ)
def index():
    args = _query_args()
    selected_ids = _selected(args)
    errors = {}
    try:
        query = DashboardQuery.model_validate(args)
    except ValidationError as error:
        errors = query_messages(validation_details(error)["fields"])
        query, args = DashboardQuery(), {}
    result = dashboard.dashboard(
        db.session,
        dashboard.DashboardFilters.from_query(query, current_user.id),
        query.page,
        query.limit,
    )
    return render_template(
        "dashboard/index.html",
        result=result,
        query=query,
        selected=set(query.statuses()),
        statuses=STATUSES,
        owners=users.list_owners(db.session),
        departments=dashboard.facet_choices(db.session, "department"),
        locations=dashboard.facet_choices(db.session, "location"),
        selected_ids=selected_ids,
        posting_statuses=postings.statuses_of(db.session, [job["id"] for job in result.jobs]),
        portal_labels=LABELS,
        errors=errors,
        url=lambda **changes: _url("/", {**args, "selected": ",".join(selected_ids)}, **changes),
        csv_url=_url(
            "/dashboard.csv", {k: v for k, v in args.items() if k not in ("page", "limit")}
        ),
    ), (422 if errors else 200)


@bp.get("/dashboard.csv")
@permission_required(policy.READ)
def export_csv():
    """Every job of the filtered list (not just one page), streamed."""
    args = _query_args()
    _selected(args)
    query = DashboardQuery.model_validate(args)
    filters = dashboard.DashboardFilters.from_query(query, current_user.id)

    def generate():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        for row in dashboard.iter_rows(db.session, filters):
            writer.writerow(
                [
                    row["id"],
                    safe_cell(row["title"]),
                    safe_cell(row["department"]),
                    safe_cell(row["location"]),
                    row["status"],
                    safe_cell(row["owner"]["name"]),
                    _iso(row["posted_date"]),
                    _iso(row["application_deadline"]),
                    row["application_count"],
                    row["view_count"],
                ]
            )
            if buffer.tell() > 16_384:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    return Response(
        stream_with_context(generate()),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="jobs.csv"'},
    )


def _iso(moment) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment else ""


def safe_cell(text: str) -> str:
    """Neutralise spreadsheet formulas (CSV injection) in user-entered text."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
