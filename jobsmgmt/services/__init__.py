"""Plain-Python services: every rule lives here, shared by pages, the API, the CLI and workers."""

from __future__ import annotations

from dataclasses import dataclass

from ..models import SYSTEM_USER_ID


@dataclass(frozen=True)
class Actor:
    """Who makes a change, and from where (for the audit log)."""

    user_id: str
    ip_address: str | None = None
    user_agent: str | None = None

    @classmethod
    def system(cls) -> Actor:
        return cls(user_id=SYSTEM_USER_ID, ip_address=None, user_agent="jobsmgmt-system")
