"""Form fields the job and bulk pages share: a deadline typed in the user's own time zone and
stored in UTC, and the choice of owner."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask_login import current_user
from sqlalchemy.orm import Session
from wtforms import DateTimeLocalField
from wtforms.validators import Optional

from ..services import users
from .display import user_zone
from .form_checks import sane_year


class DeadlineField(DateTimeLocalField):
    """An application deadline in the user's time zone; ``utc()`` is what services take."""

    def __init__(self, label: str = "Application deadline", **kwargs):
        kwargs.setdefault("format", "%Y-%m-%dT%H:%M")
        kwargs.setdefault("validators", [Optional(), sane_year])
        kwargs.setdefault("description", "In your time zone")
        super().__init__(label, **kwargs)

    def utc(self) -> datetime | None:
        if self.data is None:
            return None
        zone = ZoneInfo(current_user.timezone or "UTC")
        return self.data.replace(tzinfo=zone).astimezone(UTC)

    def show(self, moment: datetime | None) -> None:
        """Fill the field with a stored UTC time, as the user's local time."""
        self.data = moment.astimezone(user_zone()).replace(tzinfo=None) if moment else None


def owner_choices(session: Session) -> list[tuple[str, str]]:
    """Who may own a job: active admins and recruiters."""
    return [(u.id, f"{u.name} ({u.role})") for u in users.list_owners(session)]
