"""The three adapters over real HTTP against the sandbox on a loopback port: each protocol,
each fault kind, batches with mixed results, token renewal, duplicates recognised."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from jobsmgmt.portals import Listing, PortalError, adapter_for, settings_for
from tests.postings_support import DESCRIPTION, fault, portal_variables, sandbox  # noqa: F401

PORTALS = ("linkedin", "indeed", "naukri")


def adapter(sandbox, portal, **extra):  # noqa: F811
    return adapter_for(
        settings_for(portal, portal_variables(sandbox.url, **extra), public_url="http://jobs.test")
    )


def listing(portal: str, n: int = 1, **fields) -> Listing:
    values = {
        "posting_id": f"p{n}",
        "key": f"jm-job{n}-{portal[:2]}1",
        "title": f"Engineer {n}",
        "description": DESCRIPTION,
        "location": "Berlin, Germany",
        "employment_type": "full_time",
        "apply_url": f"http://jobs.test/careers/job{n}/apply?source={portal}",
        "company": "Acme",
        "listed_at": datetime.now(UTC),
        "expires_at": None,
        **fields,
    }
    return Listing(**values)


def requests_of(sandbox, portal):  # noqa: F811
    return sandbox.state.snapshot()["requests"][portal]


@pytest.mark.parametrize("portal", PORTALS)
def test_publish_then_repeat_is_one_posting(sandbox, portal):  # noqa: F811
    a = adapter(sandbox, portal)
    first = a.publish([listing(portal)])
    assert first[0].state == "done", first[0].message
    assert first[0].external_id and first[0].external_url.startswith(sandbox.url)
    # A delivery that died after the portal took it is repeated: recognised, not doubled.
    again = a.publish([listing(portal, external_id=None)])
    assert again[0].state == "done"
    assert again[0].external_id == first[0].external_id
    rows = sandbox.state.live_postings(portal)
    assert len(rows) == 1 and rows[0]["key"] == "jm-job1-" + portal[:2] + "1"
    assert rows[0]["creates"] == 1


def test_linkedin_batch_of_50_is_one_request_with_mixed_results(sandbox):  # noqa: F811
    a = adapter(sandbox, "linkedin")
    fault(sandbox, "linkedin", "422", times=2)  # the first two elements are refused
    outcomes = a.publish([listing("linkedin", n) for n in range(50)])
    states = [o.state for o in outcomes]
    assert states[:2] == ["failed", "failed"] and states[2:] == ["done"] * 48
    assert "sandbox fault" in outcomes[0].message
    counts = requests_of(sandbox, "linkedin")
    assert counts["POST /v2/simpleJobPostings"] == 1  # one batch_create for 50 jobs
    assert counts["GET /v2/simpleJobPostingTasks"] == 1
    assert len(sandbox.state.live_postings("linkedin")) == 48


def test_linkedin_field_rules_checked_before_any_call(sandbox):  # noqa: F811
    a = adapter(sandbox, "linkedin")
    problem = a.validate(listing("linkedin", description="Too short."))
    assert "description must have 100–25,000 characters (has 10)" in problem
    assert "location" in a.validate(listing("linkedin", location="Remote"))
    assert a.validate(listing("linkedin", title="x" * 201)).count("title") == 1
    assert requests_of(sandbox, "linkedin") == {}


@pytest.mark.parametrize("portal", PORTALS)
def test_429_with_retry_after_is_waited_for_then_posted(sandbox, portal):  # noqa: F811
    a = adapter(sandbox, portal)
    fault(sandbox, portal, "429", times=1, retry_after=1)
    started = time.monotonic()
    outcome = a.publish([listing(portal)])[0]
    assert outcome.state == "done", outcome.message
    assert time.monotonic() - started >= 1.0  # Retry-After: 1 honoured
    assert requests_of(sandbox, portal)["fault 429"] == 1
    assert len(sandbox.state.live_postings(portal)) == 1


@pytest.mark.parametrize("kind", ["500", "reset", "timeout"])
@pytest.mark.parametrize("portal", PORTALS)
def test_transient_faults_are_retried_then_posted(sandbox, portal, kind):  # noqa: F811
    a = adapter(sandbox, portal)
    fault(sandbox, portal, kind, times=2, seconds=1.5)  # timeout: 1.5 s > read timeout 1 s
    outcome = a.publish([listing(portal)])[0]
    assert outcome.state == "done", outcome.message
    assert requests_of(sandbox, portal)[f"fault {kind}"] == 2
    assert len(sandbox.state.live_postings(portal)) == 1


def test_persistent_500_ends_as_a_transient_error_after_the_retries(sandbox):  # noqa: F811
    a = adapter(sandbox, "naukri")
    fault(sandbox, "naukri", "500", times=10)
    with pytest.raises(PortalError) as raised:
        a.publish([listing("naukri")])
    assert not raised.value.final
    assert "HTTP 500 after 3 retries" in raised.value.message
    assert requests_of(sandbox, "naukri")["fault 500"] == 4  # 1 + 3 retries


def test_linkedin_expired_token_is_renewed_once(sandbox):  # noqa: F811
    a = adapter(sandbox, "linkedin")
    assert a.publish([listing("linkedin", 1)])[0].state == "done"
    tokens_before = requests_of(sandbox, "linkedin")["token"]
    fault(sandbox, "linkedin", "expired_token")
    assert a.publish([listing("linkedin", 2)])[0].state == "done"
    counts = requests_of(sandbox, "linkedin")
    assert counts["fault expired_token"] == 1
    assert counts["token"] == tokens_before + 1


def test_indeed_expired_token_is_renewed_once(sandbox):  # noqa: F811
    a = adapter(sandbox, "indeed")
    assert a.publish([listing("indeed", 1)])[0].state == "done"
    fault(sandbox, "indeed", "expired_token")
    assert a.publish([listing("indeed", 2)])[0].state == "done"
    assert requests_of(sandbox, "indeed")["token"] == 2


@pytest.mark.parametrize("portal", ("linkedin", "indeed"))
def test_a_token_the_portal_no_longer_knows_is_renewed_once(sandbox, portal):  # noqa: F811
    """The portal forgot every token (restarted, rotated the app's tokens): the cached one
    answers 401 "invalid", not "expired"; one new token, and the delivery goes through."""
    a = adapter(sandbox, portal)
    assert a.publish([listing(portal, 1)])[0].state == "done"
    with sandbox.state.lock:
        sandbox.state.tokens.clear()
    assert a.publish([listing(portal, 2)])[0].state == "done"
    assert requests_of(sandbox, portal)["token"] == 2
    assert len(sandbox.state.live_postings(portal)) == 2


def test_linkedin_token_refused_twice_is_final(sandbox):  # noqa: F811
    a = adapter(sandbox, "linkedin")
    fault(sandbox, "linkedin", "expired_token", times=2)
    with pytest.raises(PortalError) as raised:
        a.publish([listing("linkedin")])
    assert raised.value.final and "refused our access token" in raised.value.message
    counts = requests_of(sandbox, "linkedin")
    assert counts["fault expired_token"] == 2
    assert sandbox.state.live_postings("linkedin") == []


@pytest.mark.parametrize("portal", PORTALS)
def test_422_is_final_with_the_portals_message_and_never_retried(sandbox, portal):  # noqa: F811
    a = adapter(sandbox, portal)
    fault(sandbox, portal, "422")
    outcome = a.publish([listing(portal)])[0]
    assert outcome.state == "failed"
    assert "sandbox fault" in outcome.message
    writes = {k: v for k, v in requests_of(sandbox, portal).items() if k.startswith("POST /")}
    assert sum(writes.values()) == 1  # no retry
    assert sandbox.state.live_postings(portal) == []


def test_linkedin_task_failed_is_final(sandbox):  # noqa: F811
    a = adapter(sandbox, "linkedin")
    fault(sandbox, "linkedin", "task_failed")
    outcome = a.publish([listing("linkedin")])[0]
    assert outcome.state == "failed"
    assert "job review" in outcome.message


def test_indeed_forbidden_means_credentials(sandbox):  # noqa: F811
    a = adapter(sandbox, "indeed")
    fault(sandbox, "indeed", "forbidden")
    with pytest.raises(PortalError) as raised:
        a.publish([listing("indeed")])
    assert raised.value.final and "credentials" in raised.value.message


def test_wrong_credentials_are_final(sandbox):  # noqa: F811
    for portal, extra in (
        ("linkedin", {"LINKEDIN_CLIENT_SECRET": "wrong"}),
        ("indeed", {"INDEED_CLIENT_SECRET": "wrong"}),
        ("naukri", {"NAUKRI_API_KEY": "wrong"}),
    ):
        with pytest.raises(PortalError) as raised:
            adapter(sandbox, portal, **extra).publish([listing(portal)])
        assert raised.value.final, portal


def test_close_and_update_at_each_portal(sandbox):  # noqa: F811
    for portal in PORTALS:
        a = adapter(sandbox, portal)
        first = a.publish([listing(portal)])[0]
        changed = listing(portal, title="Senior Engineer 1", external_id=first.external_id)
        assert a.update([changed])[0].state == "done"
        row = sandbox.state.live_postings(portal)[0]
        assert row["title"] == "Senior Engineer 1" and row["updates"] == 1
        assert a.close([changed])[0].state == "done"
        assert sandbox.state.live_postings(portal) == []
        # Closing one the portal never got is not an error.
        assert a.close([listing(portal, 9)])[0].state == "done"


def test_not_configured_is_a_clear_final_error():
    from jobsmgmt.portals import NotConfigured

    for portal, needed in (("linkedin", "LINKEDIN_CLIENT_ID"), ("naukri", "NAUKRI_API_KEY")):
        a = adapter_for(settings_for(portal, {f"{portal.upper()}_API_BASE": "http://127.0.0.1:9"}))
        with pytest.raises(NotConfigured) as raised:
            a.publish([listing(portal)])
        assert "not configured" in raised.value.message and needed in raised.value.message
