"""``jobsmgmt sandbox --port P`` serves the sandbox alone over a real socket, and the postings
tasks run by name through ``jobsmgmt tasks run``."""

from __future__ import annotations

import requests

from tests.bulk_support import free_port, start, stop, subprocess_env, wait_for


def test_jobsmgmt_sandbox_serves_the_three_portals(sqlite_app, tmp_path):
    port = free_port()
    log = tmp_path / "sandbox.log"
    process = start(["sandbox", "--port", str(port)], subprocess_env(sqlite_app), log)
    base = f"http://127.0.0.1:{port}/sandbox"
    try:

        def up():
            try:
                return requests.get(f"{base}/_control/state", timeout=1).ok
            except requests.ConnectionError:
                return False

        wait_for(up, 30, "the sandbox to listen", log)
        token = requests.post(
            f"{base}/indeed/oauth/v2/tokens",
            data={
                "grant_type": "client_credentials",
                "client_id": "sandbox-indeed",
                "client_secret": "sandbox-indeed-secret",
            },
            timeout=5,
        )
        assert token.status_code == 200
        refused = requests.post(f"{base}/naukri/v1/jobs", json={}, timeout=5)
        assert refused.status_code == 401 and refused.json()["error"]["code"] == "unauthorised"
        assert requests.get(f"{base}/_control/state", timeout=5).json()["requests"]["indeed"] == {
            "token": 1
        }
    finally:
        stop(process)


def test_tasks_run_knows_the_postings_tasks(runner):
    result = runner.invoke(args=["tasks", "run", "refresh_external_postings"])
    assert result.exit_code == 0, result.output
    assert "refresh_external_postings: done ({'polled': 0, 'redriven': 0})" in result.output
    listed = runner.invoke(args=["tasks", "run", "nope"])
    for name in (
        "deliver_external_posting",
        "withdraw_external_posting",
        "expire_external_postings",
    ):
        assert name in listed.output
