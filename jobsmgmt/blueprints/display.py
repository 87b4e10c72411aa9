"""How pages show values to the signed-in user: times in the user's own time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_login import current_user


def user_zone():
    """The signed-in user's time zone (UTC for visitors or an unknown zone)."""
    name = current_user.timezone if current_user.is_authenticated else "UTC"
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def localtime(moment: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A UTC time shown in the user's time zone."""
    if moment is None:
        return "—"
    return moment.astimezone(user_zone()).strftime(fmt)
