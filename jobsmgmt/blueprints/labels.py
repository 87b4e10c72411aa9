"""Words for codes on the pages: statuses, stages, fields, bulk outcomes and the messages for
query parameters a page could not use. The JSON API keeps the codes."""

from __future__ import annotations

import json
import re
from datetime import datetime

from ..models import utcnow
from .display import localtime

WORDS = {
    "on_hold": "On hold",
    "full_time": "Full time",
    "part_time": "Part time",
    "completed_with_errors": "Completed with errors",
    "no_change": "No change",
    "status_update": "Change status",
    "update_fields": "Update fields",
    "extend_deadline": "Extend the deadline",
    "post_external": "Post to job portals",
    "status_change": "Status change",
    "application_deadline": "Application deadline",
    "owner_id": "Owner",
    "employment_type": "Employment type",
    "required_skills": "Required skills",
    "published_at": "Published",
    "closed_at": "Closed",
    "archived_at": "Archived",
    "deleted_at": "Deleted",
    "bulk_operation_id": "Bulk operation",
    "undo_of": "Undo of",
    "postings": "Postings",
}

QUERY_MESSAGES = {
    "status": "Unknown status; choose among Draft, Open, On hold, Closed and Archived.",
    "owner": "Unknown owner; choose one from the list.",
    "sort": "Unknown sort column; choose one from the list.",
    "then": "Unknown secondary sort column; choose one from the list.",
    "order": "The order is either ascending or descending.",
    "then_order": "The order is either ascending or descending.",
    "page": "The page is a whole number from 1.",
    "limit": "Jobs per page: a whole number from 1 to 100.",
    "applications": "Applications: choose none, 1–10 or more than 10.",
    "department": "The department is too long or contains characters that cannot be used.",
    "location": "The location is too long or contains characters that cannot be used.",
    "search": "The search is too long or contains characters that cannot be used.",
    "date_from": "The start date must be a date such as 2026-01-31.",
    "date_to": "The end date must be a date such as 2026-01-31.",
}


def label(code) -> str:
    """``on_hold`` → ``On hold``; unknown codes: underscores to spaces, first letter capital."""
    if code is None:
        return "—"
    text = str(code)
    return WORDS.get(text) or text.replace("_", " ").capitalize()


def query_messages(fields: dict[str, str]) -> dict[str, str]:
    """Readable messages for invalid query parameters, by the parameter's label."""
    out = {}
    for name in fields:
        key = name.split(".")[0]
        out[label(key)] = QUERY_MESSAGES.get(key, "This value cannot be used.")
    return out


def is_expired(status: str, deadline: datetime | None, now: datetime | None = None) -> bool:
    """An open job whose deadline has passed (until the scheduler closes it)."""
    return status == "open" and deadline is not None and deadline <= (now or utcnow())


ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|\+00:00)$")
CODE_FIELDS = ("status", "employment_type", "stage", "from_stage", "to_stage")
PEOPLE_FIELDS = ("owner_id", "initiated_by", "changed_by", "user_id")


def show_value(value, field: str = "", names: dict | None = None) -> str:
    """A stored value as a page shows it: times in the user's zone, people by name, codes as
    words, lists joined with commas."""
    if value is None or value == "":
        return "—"
    if field in PEOPLE_FIELDS and isinstance(value, str):
        return (names or {}).get(value, "a removed user")
    if field in CODE_FIELDS and isinstance(value, str):
        return label(value)
    if isinstance(value, str) and ISO_UTC.match(value):
        try:
            return localtime(datetime.fromisoformat(value.replace("Z", "+00:00")))
        except ValueError:
            return value
    if isinstance(value, datetime):
        return localtime(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(show_value(item, field, names) for item in value) or "—"
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def people_in(*value_maps) -> set[str]:
    """The user ids that ``show_value`` will name, from dicts of field → value (or changes)."""
    ids = set()
    for values in value_maps:
        for field, value in (values or {}).items():
            if field not in PEOPLE_FIELDS:
                continue
            for item in value.values() if isinstance(value, dict) else [value]:
                if isinstance(item, str):
                    ids.add(item)
    return ids
