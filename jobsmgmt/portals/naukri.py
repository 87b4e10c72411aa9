"""Naukri: a PROVISIONAL REST contract (Naukri publishes no posting API specification).

What we assume until Naukri's partner documentation is available (docs/portals.md):

* every request carries the API key in ``X-Api-Key``; 401 means the key is wrong;
* ``POST /v1/jobs`` ``{reference, title, description, location, employment_type, apply_url,
  expires_on}`` → 201 ``{id, url}``; a ``reference`` (our posting key) Naukri already has →
  409 ``{"error": {"code": "duplicate_reference", "job_id", "url"}}`` (recognised: it is ours);
* ``PUT /v1/jobs/{id}`` (same fields) → 200; ``POST /v1/jobs/{id}/close`` → 200 (404: gone);
* ``GET /v1/jobs/{id}`` → ``{id, url, status}``;
* errors are JSON ``{"error": {"code", "message", "fields"}}``; 422 is final.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from .base import Listing, NotConfigured, Outcome, PortalAdapter, PortalError, error_text

PARALLEL = 4  # calls at once (no published rate limit; kept modest)


class NaukriAdapter(PortalAdapter):
    portal = "naukri"
    label = "Naukri"

    def _headers(self) -> dict:
        missing = [
            name
            for name, value in (
                ("NAUKRI_API_KEY", self.settings.credentials.get("api_key")),
                ("NAUKRI_API_BASE", self.settings.base_url),
            )
            if not value
        ]
        if missing:
            raise NotConfigured("naukri", " and ".join(missing))
        return {"X-Api-Key": self.settings.credentials["api_key"]}

    def _call(self, method: str, path: str, **kwargs):
        response = self.send(method, path, headers=self._headers(), **kwargs)
        if response.status_code in (401, 403):
            raise PortalError(f"Naukri refused the API key: {error_text(response)}", final=True)
        if response.status_code == 429 or response.status_code >= 500:
            raise self.transient(response)
        return response

    def body(self, listing: Listing) -> dict:
        o = listing.overrides
        return {
            "reference": listing.key,
            "title": o.get("title") or listing.title,
            "description": o.get("description") or listing.description,
            "location": o.get("location") or listing.location,
            "employment_type": listing.employment_type,
            "apply_url": listing.apply_url,
            "expires_on": listing.expires_at.date().isoformat() if listing.expires_at else None,
        }

    def validate(self, listing: Listing) -> str | None:
        body = self.body(listing)
        missing = [name for name in ("title", "description", "location") if not body[name].strip()]
        if missing:
            return "Naukri needs " + ", ".join(missing) + "."
        return None

    def _refused(self, listing: Listing, response) -> Outcome:
        return Outcome(
            listing.posting_id,
            "failed",
            message=f"Naukri refused it (HTTP {response.status_code}): {error_text(response)}",
        )

    def publish(self, listings: list[Listing]) -> list[Outcome]:
        """One call per posting (the provisional API has no batch), ``PARALLEL`` at a time."""
        if len(listings) > 1:
            with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
                return [o for part in pool.map(self.publish, [[x] for x in listings]) for o in part]
        outcomes = []
        for listing in listings:
            response = self._call("POST", "/v1/jobs", json=self.body(listing))
            if response.status_code == 201:
                body = response.json()
                outcomes.append(
                    Outcome(
                        listing.posting_id, "done", external_id=body["id"], external_url=body["url"]
                    )
                )
            elif response.status_code == 409:
                error = response.json().get("error") or {}
                outcomes.append(
                    Outcome(
                        listing.posting_id,
                        "done",
                        external_id=error.get("job_id"),
                        external_url=error.get("url"),
                        recovered=True,
                    )
                )
            else:
                outcomes.append(self._refused(listing, response))
        return outcomes

    def update(self, listings: list[Listing]) -> list[Outcome]:
        outcomes = []
        for listing in listings:
            if not listing.external_id:
                outcomes.extend(self.publish([listing]))
                continue
            response = self._call("PUT", f"/v1/jobs/{listing.external_id}", json=self.body(listing))
            if response.status_code == 200:
                body = response.json()
                outcomes.append(
                    Outcome(
                        listing.posting_id, "done", external_id=body["id"], external_url=body["url"]
                    )
                )
            else:
                outcomes.append(self._refused(listing, response))
        return outcomes

    def close(self, listings: list[Listing]) -> list[Outcome]:
        outcomes = []
        for listing in listings:
            external_id = listing.external_id
            if not external_id:
                # It may have reached Naukri before we learnt its id: ask by reference.
                response = self._call("GET", "/v1/jobs", params={"reference": listing.key})
                found = response.json().get("jobs", []) if response.status_code == 200 else []
                if not found:
                    outcomes.append(Outcome(listing.posting_id, "done", message="never at Naukri"))
                    continue
                external_id = found[0]["id"]
            response = self._call("POST", f"/v1/jobs/{external_id}/close")
            if response.status_code in (200, 404):
                outcomes.append(Outcome(listing.posting_id, "done", external_id=external_id))
            else:
                outcomes.append(self._refused(listing, response))
        return outcomes

    def refresh(self, listings: list[Listing]) -> list[Outcome]:
        outcomes = []
        for listing in listings:
            if not listing.external_id:
                continue
            response = self._call("GET", f"/v1/jobs/{listing.external_id}")
            if response.status_code == 200:
                body = response.json()
                outcomes.append(
                    Outcome(
                        listing.posting_id, "done", external_id=body["id"], external_url=body["url"]
                    )
                )
        return outcomes
