"""Helpers for the external-postings tests: the portal sandbox on a loopback port, an app whose
portals point at it, open jobs LinkedIn accepts, and waiting for postings to settle."""

from __future__ import annotations

import time

import pytest
import requests

from jobsmgmt.extensions import db
from jobsmgmt.models import JobExternalPosting
from jobsmgmt.portals.sandbox import SandboxServer

DESCRIPTION = (
    "We are looking for an engineer who enjoys building reliable services, reviews code with "
    "care, and ships small changes often. You will own features end to end."
)
FAST = {"PORTAL_READ_TIMEOUT": "1", "PORTAL_BACKOFF": "0.05", "PORTAL_RETRIES": "3"}


def portal_variables(sandbox_url: str, **extra) -> dict:
    """The ``PORTALS`` variables of an app whose three portals are the sandbox at
    ``sandbox_url`` (real credentials, as a deployment would set them)."""
    from jobsmgmt.portals import sandbox

    return {
        **sandbox.environment(sandbox_url, "4242", "Acme Careers"),
        **FAST,
        **extra,
    }


@pytest.fixture
def sandbox():
    """A fresh sandbox. The adapters cache tokens per base URL for the process, and a new
    sandbox may get an earlier one's port: forget them, so request counts start from zero."""
    from jobsmgmt.portals import indeed, linkedin

    for module in (indeed, linkedin):
        with module._tokens_lock:
            module._tokens.clear()
    with SandboxServer() as server:
        yield server


def fault(sandbox, portal: str, kind: str, **options) -> None:
    """Tell the sandbox to misbehave, over HTTP as a test of another process would."""
    response = requests.post(
        f"{sandbox.url}/_control/faults",
        json={"portal": portal, "kind": kind, **options},
        timeout=5,
    )
    response.raise_for_status()


def open_job(factory, owner=None, **fields):
    values = {"description": DESCRIPTION, "location": "Berlin, Germany", **fields}
    return factory.job(owner=owner, status="open", **values)


def postings_of(job_id: str) -> dict[str, JobExternalPosting]:
    db.session.rollback()
    rows = db.session.query(JobExternalPosting).filter_by(job_id=job_id).all()
    return {row.portal: row for row in rows}


def wait_until(predicate, timeout: float = 30, what: str = "the postings"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def settled(job_id: str, portals=("linkedin", "indeed", "naukri")) -> bool:
    rows = postings_of(job_id)
    return all(p in rows and rows[p].pending_action is None for p in portals)


def live_at_sandbox(sandbox, portal: str, job_id: str) -> list[dict]:
    return sandbox.state.live_postings(portal, f"jm-{job_id}-")


def all_at_sandbox(sandbox, portal: str, job_id: str) -> list[dict]:
    with sandbox.state.lock:
        return [
            dict(r)
            for r in sandbox.state.postings[portal].values()
            if r["key"].startswith(f"jm-{job_id}-")
        ]
