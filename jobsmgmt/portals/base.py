"""The adapter interface every portal speaks, and the HTTP session they share.

An adapter turns our postings into a portal's protocol: ``publish`` (create, or recognise one
that already exists under our posting key), ``update``, ``close`` and ``refresh`` (ask the
portal how a posting or its pending task stands). Each takes a list of :class:`Listing` (the
LinkedIn adapter sends up to 100 in one request) and returns one :class:`Outcome` per listing.

Transport faults are retried by urllib3's ``Retry`` mounted on the session: exponential
backoff with jitter, ``Retry-After`` honoured, 429/5xx, connection errors, resets and read
timeouts retried on every method (our writes are keyed on the posting key, so a repeat is
recognised by the portal), never a 4xx such as 422.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import requests
from requests.adapters import HTTPAdapter
from urllib3.util import Retry

RETRY_STATUSES = (429, 500, 502, 503, 504)
LABELS = {"linkedin": "LinkedIn", "indeed": "Indeed", "naukri": "Naukri"}


@dataclass(frozen=True)
class PortalSettings:
    """One portal's connection settings (from the environment, or the sandbox's defaults)."""

    portal: str
    base_url: str | None
    credentials: dict = field(default_factory=dict)
    connect_timeout: float = 5.0
    read_timeout: float = 20.0
    retries: int = 4
    backoff_factor: float = 0.5
    backoff_max: float = 30.0
    retry_after_max: int = 120
    organization_id: str | None = None
    source_name: str | None = None
    company: str = "jobsmgmt"
    feed_url: str | None = None  # Indeed without Job Sync credentials: the XML feed
    sandbox: bool = False

    @property
    def configured(self) -> bool:
        return bool(self.base_url) and all(self.credentials.values())


@dataclass
class Listing:
    """What one posting sends to a portal (built from the job by the postings service)."""

    posting_id: str
    key: (
        str  # our posting key: LinkedIn externalJobPostingId, Indeed jobPostingId, Naukri reference
    )
    title: str
    description: str
    location: str
    employment_type: str
    apply_url: str
    company: str
    listed_at: datetime
    expires_at: datetime | None
    external_id: str | None = None  # what the portal calls it, once known
    task_id: str | None = None  # LinkedIn: the pending simpleJobPostingTask
    overrides: dict = field(default_factory=dict)


@dataclass
class Outcome:
    """The portal's answer for one listing.

    ``state``: ``done`` (the action took effect; ``external_id``/``external_url`` set when
    known), ``in_progress`` (LinkedIn task still running: ``task_id``), ``failed`` (final: the
    portal refused the content — never retried) or ``retry`` (transient: try again later)."""

    posting_id: str
    state: str
    external_id: str | None = None
    external_url: str | None = None
    task_id: str | None = None
    message: str | None = None
    recovered: bool = False  # a duplicate of an earlier delivery was recognised


class PortalError(Exception):
    """A whole request failed. ``final``: retrying cannot help (bad credentials, not
    configured, refused content); otherwise the delivery is tried again later."""

    def __init__(self, message: str, *, final: bool = False):
        super().__init__(message)
        self.message = message
        self.final = final


class NotConfigured(PortalError):
    def __init__(self, portal: str, missing: str):
        super().__init__(
            f"{LABELS.get(portal, portal)} is not configured: set {missing} (see docs/portals.md).",
            final=True,
        )


def make_session(settings: PortalSettings) -> requests.Session:
    """A session whose every request is retried by urllib3 (backoff + jitter + Retry-After)."""
    retry = Retry(
        total=settings.retries,
        connect=settings.retries,
        read=settings.retries,
        status=settings.retries,
        other=0,
        allowed_methods=None,  # every verb: our writes are idempotent on the posting key
        status_forcelist=RETRY_STATUSES,
        backoff_factor=settings.backoff_factor,
        backoff_max=settings.backoff_max,
        backoff_jitter=settings.backoff_factor,
        respect_retry_after_header=True,
        retry_after_max=settings.retry_after_max,
        raise_on_status=False,  # the last answer is returned and turned into a PortalError
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = "jobsmgmt-portals/1"
    return session


class PortalAdapter:
    """Base of the three adapters: the session, timeouts and transport error mapping."""

    portal = "portal"
    label = "Portal"

    def __init__(self, settings: PortalSettings, session: requests.Session | None = None):
        self.settings = settings
        self.session = session or make_session(settings)

    # --- the interface -------------------------------------------------------------------
    def publish(self, listings: list[Listing]) -> list[Outcome]:
        raise NotImplementedError

    def update(self, listings: list[Listing]) -> list[Outcome]:
        raise NotImplementedError

    def close(self, listings: list[Listing]) -> list[Outcome]:
        raise NotImplementedError

    def refresh(self, listings: list[Listing]) -> list[Outcome]:
        raise NotImplementedError

    def validate(self, listing: Listing) -> str | None:
        """A message when the portal would refuse ``listing`` (checked before any call)."""
        return None

    # --- helpers ---------------------------------------------------------------------------
    @property
    def timeout(self) -> tuple[float, float]:
        return (self.settings.connect_timeout, self.settings.read_timeout)

    def url(self, path: str) -> str:
        return self.settings.base_url.rstrip("/") + path

    def send(self, method: str, path: str, **kwargs) -> requests.Response:
        """One request (retried by the session); transport failures that outlast the retries
        become a transient :class:`PortalError`."""
        try:
            return self.session.request(method, self.url(path), timeout=self.timeout, **kwargs)
        except requests.exceptions.RetryError as error:
            raise PortalError(f"{self.label} kept failing after retries: {error}") from error
        except requests.exceptions.Timeout as error:
            raise PortalError(f"{self.label} did not answer in time after retries.") from error
        except requests.exceptions.ConnectionError as error:
            raise PortalError(f"Could not reach {self.label}: {error}") from error

    def transient(self, response: requests.Response) -> PortalError:
        return PortalError(
            f"{self.label} answered HTTP {response.status_code} after "
            f"{self.settings.retries} retries: {_text(response)}"
        )


def _text(response: requests.Response, limit: int = 300) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:limit]
    if isinstance(body, dict):
        for key in ("message", "error_description", "error"):
            if isinstance(body.get(key), str):
                return body[key][:limit]
            if isinstance(body.get(key), dict) and isinstance(body[key].get("message"), str):
                return body[key]["message"][:limit]
    return str(body)[:limit]


def error_text(response: requests.Response) -> str:
    return _text(response)
