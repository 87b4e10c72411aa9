"""Job portals: one adapter interface (``base``), LinkedIn, Indeed, Naukri, and the sandbox.

``settings_for(portal, config)`` turns the app's configuration (the ``*_API_BASE`` and
credential variables, and ``PORTAL_SANDBOX``) into one portal's :class:`PortalSettings`: with the
sandbox on, a portal whose base URL is unset points at the sandbox with its credentials.
"""

from __future__ import annotations

from .base import (
    LABELS,
    Listing,
    NotConfigured,
    Outcome,
    PortalAdapter,
    PortalError,
    PortalSettings,
)
from .indeed import IndeedAdapter
from .linkedin import LinkedInAdapter
from .naukri import NaukriAdapter

ADAPTERS: dict[str, type[PortalAdapter]] = {
    "linkedin": LinkedInAdapter,
    "indeed": IndeedAdapter,
    "naukri": NaukriAdapter,
}

__all__ = [
    "ADAPTERS",
    "LABELS",
    "Listing",
    "NotConfigured",
    "Outcome",
    "PortalAdapter",
    "PortalError",
    "PortalSettings",
    "adapter_for",
    "settings_for",
]


def _float(value, default: float) -> float:
    try:
        return float(value) if value not in (None, "") else default
    except ValueError:
        return default


def settings_for(
    portal: str, variables: dict, *, sandbox_url: str | None = None, public_url: str = ""
) -> PortalSettings:
    """One portal's settings from the ``PORTALS`` variables; ``sandbox_url`` (the sandbox's
    /sandbox root, when ``PORTAL_SANDBOX`` is on) fills in a portal whose base URL is unset."""
    from . import sandbox

    v = {k: val for k, val in (variables or {}).items() if val not in (None, "")}
    prefix = portal.upper()
    base = v.get(f"{prefix}_API_BASE")
    use_sandbox = base is None and bool(sandbox_url)
    if use_sandbox:
        base = f"{sandbox_url.rstrip('/')}/{portal}"
    defaults = sandbox.CREDENTIALS[portal] if use_sandbox else {}
    if portal == "naukri":
        credentials = {"api_key": v.get("NAUKRI_API_KEY") or defaults.get("api_key")}
    else:
        credentials = {
            "client_id": v.get(f"{prefix}_CLIENT_ID") or defaults.get("client_id"),
            "client_secret": v.get(f"{prefix}_CLIENT_SECRET") or defaults.get("client_secret"),
        }
    return PortalSettings(
        portal=portal,
        base_url=base,
        credentials=credentials,
        connect_timeout=_float(v.get("PORTAL_CONNECT_TIMEOUT"), 5.0),
        read_timeout=_float(v.get("PORTAL_READ_TIMEOUT"), 20.0),
        retries=int(_float(v.get("PORTAL_RETRIES"), 4)),
        backoff_factor=_float(v.get("PORTAL_BACKOFF"), 0.5),
        organization_id=v.get("LINKEDIN_ORGANIZATION_ID")
        or (sandbox.ORGANIZATION_ID if use_sandbox else None),
        source_name=v.get("INDEED_SOURCE_NAME") or (sandbox.SOURCE_NAME if use_sandbox else None),
        company=v.get("PORTAL_COMPANY_NAME") or "jobsmgmt",
        feed_url=f"{public_url.rstrip('/')}/feeds/indeed.xml" if public_url else None,
        sandbox=use_sandbox or "/sandbox/" in (base or ""),
    )


def adapter_for(settings: PortalSettings) -> PortalAdapter:
    return ADAPTERS[settings.portal](settings)
