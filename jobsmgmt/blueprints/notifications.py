"""``/notifications``: a user's notifications, marked read one by one or all at once."""

from __future__ import annotations

import logging

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from ..auth import permission_required
from ..extensions import db
from ..services import notifications, policy
from .paging import MAX_PAGE, page_arg, pages_for

bp = Blueprint("notifications", __name__, url_prefix="/notifications")
log = logging.getLogger(__name__)
PAGE_SIZE = 20


@bp.app_context_processor
def unread_badge():
    """``unread_notifications()`` for the navbar: one COUNT, run only when a logged-in page
    asks for it."""

    def unread_notifications() -> int:
        if not current_user.is_authenticated:
            return 0
        try:
            return notifications.unread_count(db.session, current_user.id)
        except SQLAlchemyError:  # an error page must still render
            log.warning("Could not count unread notifications", exc_info=True)
            return 0

    return {"unread_notifications": unread_notifications}


@bp.get("")
@permission_required(policy.READ)
def index():
    page = page_arg()
    unread_only = request.args.get("unread") == "1"
    rows, total = notifications.list_for_user(
        db.session, current_user.id, page, PAGE_SIZE, unread_only=unread_only
    )
    return render_template(
        "notifications/index.html",
        notifications=rows,
        total=total,
        page=page,
        pages=pages_for(total, PAGE_SIZE),
        unread_only=unread_only,
    )


@bp.post("/<notification_id>/read")
@permission_required(policy.READ)
def mark_one(notification_id: str):
    notifications.mark_read(db.session, current_user.id, notification_id)
    return redirect(_safe_next())


@bp.post("/<notification_id>/open")
@permission_required(policy.READ)
def open_one(notification_id: str):
    """Following a notification's link marks it read."""
    link = notifications.open_notification(db.session, current_user.id, notification_id)
    if link and link.startswith("/") and not link.startswith("//") and "\\" not in link:
        return redirect(link)
    return redirect(_safe_next())


@bp.post("/read-all")
@permission_required(policy.READ)
def mark_all():
    count = notifications.mark_read(db.session, current_user.id)
    flash(f"Marked {count} notification{'s' if count != 1 else ''} as read.", "success")
    return redirect(url_for(".index"))


def _safe_next() -> str:
    """Back to the same list page (only a page number is taken from the form)."""
    page = request.form.get("next_page", type=int) or 1
    return url_for(".index", page=min(max(page, 1), MAX_PAGE))
