"""Indeed: the Job Sync GraphQL API when ``INDEED_CLIENT_ID`` is set, else the XML feed only.

* OAuth2 client credentials at ``/oauth/v2/tokens`` (scope ``employer_access``).
* ``POST /graphql`` ``jobsIngest.createSourcedJobPostings``: an upsert keyed on
  ``jobPostingId`` (our posting key) + ``sourceName``, answering each posting's
  ``sourcedPostingId`` (kept as the posting's external id). The same call is the UPDATE, and a
  repeat after a delivery that died half way simply returns the same id.
* ``jobsIngest.expireSourcedJobsBySourcedPostingId`` closes postings.
* Errors arrive in HTTP 200 as ``errors[]``: ``extensions.code`` ``BAD_USER_INPUT`` is final
  (with ``extensions.index`` naming the posting, when one is at fault), ``FORBIDDEN`` means the
  credentials; HTTP 429/5xx are retried by the session.

Without Job Sync credentials a posting is "posted" through the public feed
(``/feeds/indeed.xml``), which Indeed crawls.
"""

from __future__ import annotations

import threading
import time

from .base import Listing, Outcome, PortalAdapter, PortalError, error_text

CREATE_MUTATION = """
mutation CreateSourcedJobPostings($input: CreateSourcedJobPostingsInput!) {
  jobsIngest {
    createSourcedJobPostings(input: $input) {
      results { jobPosting { sourcedPostingId } }
    }
  }
}
""".strip()
EXPIRE_MUTATION = """
mutation ExpireSourcedJobs($input: ExpireSourcedJobsBySourcedPostingIdInput!) {
  jobsIngest {
    expireSourcedJobsBySourcedPostingId(input: $input) {
      results { trackingKey }
    }
  }
}
""".strip()
JOB_TYPES = {
    "full_time": "FULL_TIME",
    "part_time": "PART_TIME",
    "contract": "CONTRACT",
    "internship": "INTERNSHIP",
    "temporary": "TEMPORARY",
}

_tokens: dict[tuple[str, str], tuple[str, float]] = {}
_tokens_lock = threading.Lock()


def split_location(location: str) -> tuple[str, str]:
    """("City", "Country") from "City, Country"; a lone value is taken as the country."""
    if "," in location:
        city, country = location.rsplit(",", 1)
        return city.strip(), country.strip()
    return "", location.strip()


class IndeedAdapter(PortalAdapter):
    portal = "indeed"
    label = "Indeed"

    @property
    def job_sync(self) -> bool:
        return bool(self.settings.credentials.get("client_id"))

    def token(self, *, renew: bool = False) -> str:
        key = (self.settings.base_url, self.settings.credentials["client_id"])
        with _tokens_lock:
            cached = _tokens.get(key)
            if cached and not renew and cached[1] > time.monotonic():
                return cached[0]
        response = self.send(
            "POST",
            "/oauth/v2/tokens",
            data={
                "grant_type": "client_credentials",
                "client_id": self.settings.credentials["client_id"],
                "client_secret": self.settings.credentials.get("client_secret") or "",
                "scope": "employer_access",
            },
        )
        if response.status_code in (400, 401):
            raise PortalError(
                f"Indeed refused the client credentials: {error_text(response)}", final=True
            )
        if response.status_code != 200:
            raise self.transient(response)
        body = response.json()
        with _tokens_lock:
            _tokens[key] = (
                body["access_token"],
                time.monotonic() + max(int(body.get("expires_in", 0)) - 60, 0),
            )
        return body["access_token"]

    def graphql(self, query: str, variables: dict) -> dict:
        """One GraphQL call; returns the whole answer (``data`` and ``errors``)."""
        if not self.settings.base_url:
            raise PortalError("Indeed is not configured: set INDEED_API_BASE.", final=True)
        for attempt in (1, 2):
            response = self.send(
                "POST",
                "/graphql",
                json={"query": query, "variables": variables},
                headers={"Authorization": f"Bearer {self.token(renew=attempt == 2)}"},
            )
            if response.status_code != 401 or attempt == 2:
                break
        if response.status_code == 401:
            raise PortalError(
                f"Indeed refused our access token: {error_text(response)}", final=True
            )
        if response.status_code != 200:
            raise PortalError(
                f"Indeed answered HTTP {response.status_code}: {error_text(response)}",
                final=400 <= response.status_code < 500 and response.status_code != 429,
            )
        return response.json()

    def posting_input(self, listing: Listing) -> dict:
        o = listing.overrides
        city, country = split_location(o.get("location") or listing.location)
        return {
            "body": {
                "title": o.get("title") or listing.title,
                "description": o.get("description") or listing.description,
                "location": {"country": country, "cityRegionPostal": city},
                "jobTypes": [JOB_TYPES.get(listing.employment_type, "FULL_TIME")],
            },
            "metadata": {
                "jobSource": {
                    "companyName": listing.company,
                    "sourceName": self.settings.source_name or listing.company,
                    "sourceType": "Employer",
                },
                "jobPostingId": listing.key,
                "datePublished": listing.listed_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "url": listing.apply_url,
                "expirationDate": listing.expires_at.strftime("%Y-%m-%dT%H:%M:%SZ")
                if listing.expires_at
                else None,
            },
        }

    def validate(self, listing: Listing) -> str | None:
        body = self.posting_input(listing)["body"]
        problems = []
        if not body["title"].strip():
            problems.append("a title")
        if not body["description"].strip():
            problems.append("a description")
        if not body["location"]["country"]:
            problems.append("a location")
        if problems:
            return "Indeed needs " + " and ".join(problems) + "."
        return None

    def _errors(self, answer: dict, count: int) -> dict[int | None, str]:
        """Errors by posting index (None: the whole request). FORBIDDEN raises (credentials)."""
        found: dict[int | None, str] = {}
        for error in answer.get("errors") or []:
            ext = error.get("extensions") or {}
            code = ext.get("code")
            message = error.get("message") or code or "error"
            if code == "FORBIDDEN":
                raise PortalError(f"Indeed refused our credentials: {message}", final=True)
            if code != "BAD_USER_INPUT":
                raise PortalError(f"Indeed: {message} ({code})")
            index = ext.get("index")
            found[index if isinstance(index, int) and 0 <= index < count else None] = message
        return found

    def _feed_outcomes(self, listings: list[Listing]) -> list[Outcome]:
        return [
            Outcome(
                listing.posting_id,
                "done",
                external_id=f"feed:{listing.key}",
                external_url=self.settings.feed_url,
            )
            for listing in listings
        ]

    def publish(self, listings: list[Listing]) -> list[Outcome]:
        if not self.job_sync:
            return self._feed_outcomes(listings)
        answer = self.graphql(
            CREATE_MUTATION,
            {"input": {"jobPostings": [self.posting_input(listing) for listing in listings]}},
        )
        errors = self._errors(answer, len(listings))
        results = (
            ((answer.get("data") or {}).get("jobsIngest") or {}).get("createSourcedJobPostings")
            or {}
        ).get("results") or []
        outcomes = []
        for index, listing in enumerate(listings):
            message = errors.get(index) or errors.get(None)
            result = results[index] if index < len(results) else None
            sourced = ((result or {}).get("jobPosting") or {}).get("sourcedPostingId")
            if message or not sourced:
                outcomes.append(
                    Outcome(
                        listing.posting_id,
                        "failed",
                        message=f"Indeed refused it: {message or 'no sourcedPostingId returned'}",
                    )
                )
                continue
            outcomes.append(
                Outcome(
                    listing.posting_id,
                    "done",
                    external_id=sourced,
                    external_url=self.url(f"/viewjob/{sourced}") if self.settings.sandbox else None,
                    recovered=listing.external_id == sourced,
                )
            )
        return outcomes

    update = publish  # createSourcedJobPostings is an upsert on jobPostingId + sourceName

    def close(self, listings: list[Listing]) -> list[Outcome]:
        if not self.job_sync:
            return self._feed_outcomes(listings)  # leaving the feed is the withdrawal
        known = [listing for listing in listings if listing.external_id]
        outcomes = {
            listing.posting_id: Outcome(listing.posting_id, "done", message="never at Indeed")
            for listing in listings
            if not listing.external_id
        }
        if known:
            answer = self.graphql(
                EXPIRE_MUTATION,
                {"input": {"sourcedPostingIds": [listing.external_id for listing in known]}},
            )
            errors = self._errors(answer, len(known))
            for index, listing in enumerate(known):
                message = errors.get(index) or errors.get(None)
                outcomes[listing.posting_id] = Outcome(
                    listing.posting_id,
                    "failed" if message else "done",
                    external_id=listing.external_id,
                    message=f"Indeed refused it: {message}" if message else None,
                )
        return [outcomes[listing.posting_id] for listing in listings]

    def refresh(self, listings: list[Listing]) -> list[Outcome]:
        return []  # the upsert answers synchronously: nothing is ever left pending at Indeed
