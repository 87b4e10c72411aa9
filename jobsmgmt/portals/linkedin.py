"""LinkedIn Job Posting API v2 (``simpleJobPostings``).

* OAuth2 client credentials at ``/oauth/v2/accessToken``; the token is cached until its
  ``expires_in`` and fetched again once when a call answers 401 (serviceErrorCode 65602
  expired, 65601 revoked, 65600 invalid: LinkedIn restarted or rotated the app's tokens).
* ``POST /v2/simpleJobPostings`` with ``X-Restli-Method: batch_create`` and
  ``{"elements": [...]}``: up to 100 postings per request, each with
  ``jobPostingOperationType`` CREATE / UPDATE / CLOSE keyed on ``externalJobPostingId``
  (our posting key). Results come per element inside HTTP 200: a task URN, or an error
  (422 for a field LinkedIn refuses). A CREATE of a key LinkedIn already has (a delivery that
  died after LinkedIn took it) is recognised and sent again as an UPDATE.
* ``GET /v2/simpleJobPostingTasks?ids=List(...)`` until ``SUCCEEDED`` (with the
  ``urn:li:jobPosting:N``) or ``FAILED``.
"""

from __future__ import annotations

import re
import threading
import time
from datetime import UTC, datetime
from urllib.parse import quote

from .base import Listing, NotConfigured, Outcome, PortalAdapter, PortalError, error_text

BATCH_SIZE = 100
TITLE_MAX = 200
DESCRIPTION_MIN = 100
DESCRIPTION_MAX = 25_000
KEY_MAX = 200
EXPIRED_TOKEN = 65602
EMPLOYMENT_STATUS = {
    "full_time": "FULL_TIME",
    "part_time": "PART_TIME",
    "contract": "CONTRACT",
    "internship": "INTERNSHIP",
    "temporary": "TEMPORARY",
    "volunteer": "VOLUNTEER",
}
EMPLOYMENT_STATUSES = (*EMPLOYMENT_STATUS.values(), "OTHER")
LOCATION = re.compile(r"^[^,]{1,100},\s*[^,]{2,100}$|^[A-Z]{2}$")
POLL_DELAYS = (0.2, 0.5, 1.0, 2.0)

_tokens: dict[tuple[str, str], tuple[str, float]] = {}
_tokens_lock = threading.Lock()


def employment_status(employment_type: str) -> str:
    return EMPLOYMENT_STATUS.get(employment_type, "OTHER")


def field_problems(element: dict) -> list[str]:
    """LinkedIn's field rules (shared with the sandbox, which enforces them as LinkedIn does)."""
    problems = []
    title = element.get("title") or ""
    if not title.strip() or len(title) > TITLE_MAX:
        problems.append(f"title must have 1–{TITLE_MAX} characters (has {len(title)})")
    description = element.get("description") or ""
    if not DESCRIPTION_MIN <= len(description) <= DESCRIPTION_MAX:
        problems.append(
            f"description must have {DESCRIPTION_MIN:,}–{DESCRIPTION_MAX:,} characters "
            f"(has {len(description):,})"
        )
    if not LOCATION.match(element.get("location") or ""):
        problems.append(
            'location must be "City, Country" or a two-letter country code '
            f"(has {element.get('location')!r})"
        )
    if element.get("employmentStatus") not in EMPLOYMENT_STATUSES:
        problems.append(f"employmentStatus must be one of {', '.join(EMPLOYMENT_STATUSES)}")
    listed = element.get("listedAt")
    if not isinstance(listed, int) or listed > time.time() * 1000 + 60_000:
        problems.append("listedAt must be epoch milliseconds, not in the future")
    key = element.get("externalJobPostingId") or ""
    if not key or len(key) > KEY_MAX:
        problems.append(f"externalJobPostingId must have 1–{KEY_MAX} characters")
    if not str(element.get("companyApplyUrl") or "").startswith(("http://", "https://")):
        problems.append("companyApplyUrl must be an absolute http(s) URL")
    return problems


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start : start + size]


class LinkedInAdapter(PortalAdapter):
    portal = "linkedin"
    label = "LinkedIn"

    # --- authentication --------------------------------------------------------------------
    def _check_configured(self) -> None:
        missing = [
            name
            for name, value in (
                ("LINKEDIN_CLIENT_ID", self.settings.credentials.get("client_id")),
                ("LINKEDIN_CLIENT_SECRET", self.settings.credentials.get("client_secret")),
                ("LINKEDIN_ORGANIZATION_ID", self.settings.organization_id),
                ("LINKEDIN_API_BASE", self.settings.base_url),
            )
            if not value
        ]
        if missing:
            raise NotConfigured("linkedin", " and ".join(missing))

    def _cache_key(self) -> tuple[str, str]:
        return (self.settings.base_url, self.settings.credentials["client_id"])

    def token(self, *, renew: bool = False) -> str:
        self._check_configured()
        with _tokens_lock:
            cached = _tokens.get(self._cache_key())
            if cached and not renew and cached[1] > time.monotonic():
                return cached[0]
        response = self.send(
            "POST",
            "/oauth/v2/accessToken",
            data={
                "grant_type": "client_credentials",
                "client_id": self.settings.credentials["client_id"],
                "client_secret": self.settings.credentials["client_secret"],
            },
        )
        if response.status_code in (400, 401):
            raise PortalError(
                f"LinkedIn refused the client credentials: {error_text(response)}", final=True
            )
        if response.status_code != 200:
            raise self.transient(response)
        body = response.json()
        token = body["access_token"]
        expires = time.monotonic() + max(int(body.get("expires_in", 0)) - 60, 0)
        with _tokens_lock:
            _tokens[self._cache_key()] = (token, expires)
        return token

    def call(self, method: str, path: str, **kwargs):
        """An authenticated call; a 401 (expired, revoked or invalid token) renews it once."""
        extra = kwargs.pop("headers", {})
        for attempt in (1, 2):
            headers = {
                **extra,
                "Authorization": f"Bearer {self.token(renew=attempt == 2)}",
                "X-Restli-Protocol-Version": "2.0.0",
            }
            response = self.send(method, path, headers=headers, **kwargs)
            if response.status_code != 401:
                break
            if attempt == 2:
                raise PortalError(
                    f"LinkedIn refused our access token: {error_text(response)}", final=True
                )
        if response.status_code in (429,) or response.status_code >= 500:
            raise self.transient(response)
        return response

    # --- elements ----------------------------------------------------------------------------
    def element(self, listing: Listing, operation: str) -> dict:
        if operation == "CLOSE":
            return {
                "integrationContext": f"urn:li:organization:{self.settings.organization_id}",
                "externalJobPostingId": listing.key,
                "jobPostingOperationType": "CLOSE",
            }
        o = listing.overrides
        listed = min(listing.listed_at, datetime.now(UTC))
        return {
            "integrationContext": f"urn:li:organization:{self.settings.organization_id}",
            "externalJobPostingId": listing.key,
            "jobPostingOperationType": operation,
            "title": o.get("title") or listing.title,
            "description": o.get("description") or listing.description,
            "location": o.get("location") or listing.location,
            "employmentStatus": o.get("employment_status")
            or employment_status(listing.employment_type),
            "listedAt": int(listed.timestamp() * 1000),
            "companyApplyUrl": listing.apply_url,
        }

    def validate(self, listing: Listing) -> str | None:
        problems = field_problems(self.element(listing, "CREATE"))
        if problems:
            return "LinkedIn would refuse this job: " + "; ".join(problems) + "."
        return None

    def _batch(self, pairs: list[tuple[Listing, str]]) -> list[dict]:
        """One batch_create request; the per-element results, in order."""
        response = self.call(
            "POST",
            "/v2/simpleJobPostings",
            headers={"X-Restli-Method": "batch_create"},
            json={"elements": [self.element(listing, op) for listing, op in pairs]},
        )
        if response.status_code != 200:
            raise PortalError(
                f"LinkedIn refused the request (HTTP {response.status_code}): "
                f"{error_text(response)}",
                final=400 <= response.status_code < 500,
            )
        elements = response.json().get("elements", [])
        if len(elements) != len(pairs):
            raise PortalError("LinkedIn answered a different number of results than it was sent.")
        return elements

    def _send_operation(self, listings: list[Listing], operation: str) -> list[Outcome]:
        outcomes: dict[str, Outcome] = {}
        for chunk in _chunks(listings, BATCH_SIZE):
            results = self._batch([(listing, operation) for listing in chunk])
            again = []
            for listing, result in zip(chunk, results, strict=True):
                outcome = self._element_outcome(listing, result, operation)
                if outcome is None:  # CREATE of a key LinkedIn already has
                    again.append(listing)
                else:
                    outcomes[listing.posting_id] = outcome
            if again:
                for listing, result in zip(
                    again, self._batch([(listing, "UPDATE") for listing in again]), strict=True
                ):
                    outcome = self._element_outcome(listing, result, "UPDATE")
                    outcome.recovered = True
                    outcomes[listing.posting_id] = outcome
        self._poll(list(outcomes.values()))
        return [outcomes[listing.posting_id] for listing in listings]

    def _element_outcome(self, listing: Listing, result: dict, operation: str) -> Outcome | None:
        status = int(result.get("status", 0))
        if 200 <= status < 300:
            return Outcome(listing.posting_id, "in_progress", task_id=result.get("id"))
        message = (result.get("error") or {}).get("message") or f"element status {status}"
        if status == 409 and operation == "CREATE":
            return None
        if status == 404 and operation == "CLOSE":
            return Outcome(listing.posting_id, "done", message="LinkedIn had no such posting.")
        if status == 429 or status >= 500:
            return Outcome(listing.posting_id, "retry", message=f"LinkedIn: {message}")
        return Outcome(listing.posting_id, "failed", message=f"LinkedIn refused it: {message}")

    # --- tasks ---------------------------------------------------------------------------------
    def task_states(self, task_ids: list[str]) -> dict[str, dict]:
        ids = ",".join(quote(task_id, safe="") for task_id in task_ids)
        response = self.call("GET", f"/v2/simpleJobPostingTasks?ids=List({ids})")
        if response.status_code != 200:
            raise PortalError(f"LinkedIn task lookup failed: {error_text(response)}")
        return response.json().get("results", {})

    def _apply_task(self, outcome: Outcome, state: dict) -> None:
        status = state.get("status")
        if status == "SUCCEEDED":
            outcome.state = "done"
            urn = state.get("jobPosting") or outcome.external_id
            outcome.external_id = urn
            if urn:
                number = urn.rsplit(":", 1)[-1]
                outcome.external_url = (
                    self.url(f"/jobs/view/{number}")
                    if self.settings.sandbox
                    else f"https://www.linkedin.com/jobs/view/{number}"
                )
        elif status == "FAILED":
            outcome.state = "failed"
            message = (state.get("error") or {}).get("message") or "the task failed"
            outcome.message = f"LinkedIn could not process it: {message}"

    def _poll(self, outcomes: list[Outcome], delays=POLL_DELAYS) -> None:
        for delay in (0.0, *delays):
            waiting = [o for o in outcomes if o.state == "in_progress" and o.task_id]
            if not waiting:
                return
            time.sleep(delay)
            states = self.task_states([o.task_id for o in waiting])
            for outcome in waiting:
                if outcome.task_id in states:
                    self._apply_task(outcome, states[outcome.task_id])

    # --- the interface ------------------------------------------------------------------------
    def publish(self, listings: list[Listing]) -> list[Outcome]:
        return self._send_operation(listings, "CREATE")

    def update(self, listings: list[Listing]) -> list[Outcome]:
        return self._send_operation(listings, "UPDATE")

    def close(self, listings: list[Listing]) -> list[Outcome]:
        return self._send_operation(listings, "CLOSE")

    def refresh(self, listings: list[Listing]) -> list[Outcome]:
        outcomes = [
            Outcome(listing.posting_id, "in_progress", task_id=listing.task_id)
            for listing in listings
            if listing.task_id
        ]
        if outcomes:
            self._poll(outcomes, delays=())
        return outcomes
