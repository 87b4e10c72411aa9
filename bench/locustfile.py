"""Locust users for ``make loadtest`` (bench/loadtest.py writes the plan and reads the results).

Recruiters: 80 % reads (dashboard JSON and page with varied filters and searches, job page,
analytics JSON and page), 10 % status changes (each user moves only its own jobs, so every
acknowledged change can be checked afterwards), 5 % careers applications (the public form,
each applicant behind its own address, as the platform's router reports it), 5 % bulk status
updates (the user's own other jobs; the worker runs them). ``LOADTEST_MODE=floor``: one empty
authenticated route only. Every request's name, time and outcome go to the results file.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
import uuid
from datetime import date, timedelta

from locust import FastHttpUser, between, events, task

PLAN = json.loads(open(os.environ["LOADTEST_PLAN"]).read())  # noqa: SIM115
RESULTS = os.environ["LOADTEST_RESULTS"]
WAIT = [float(x) for x in os.environ.get("LOADTEST_WAIT", "0.2-1.0").split("-")]
SLOTS = itertools.count()
RECORDED: list[tuple[str, float, int, str | None, float]] = []  # name, ms, status, error, end
LOGGED_IN: list[float] = []  # when each user finished logging in (the window starts after)
ACKED: dict[str, dict] = {}  # job id → {"status": last acknowledged, "changes": n}
BULK_OPS: list[str] = []
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')
TODAY = date.today()
SPAN = {"date_from": (TODAY - timedelta(days=89)).isoformat(), "date_to": TODAY.isoformat()}


@events.request.add_listener
def _record(request_type, name, response_time, response_length, response, exception, **kw):
    status = getattr(response, "status_code", 0) or 0
    error = repr(exception) if exception else None
    RECORDED.append((name, response_time, status, error, time.time()))


@events.quitting.add_listener
def _write(environment, **kw):
    with open(RESULTS, "w") as out:
        json.dump(
            {
                "requests": RECORDED,
                "acked": ACKED,
                "bulk_operations": BULK_OPS,
                "logged_in": max(LOGGED_IN, default=0),
            },
            out,
        )


def _csrf(html: str) -> str:
    match = CSRF.search(html)
    return match.group(1) or match.group(2)


def _dashboard_params(rng: random.Random) -> dict:
    params = {}
    if rng.random() < 0.5:
        params["search"] = rng.choice(PLAN["terms"])
    if rng.random() < 0.4:
        params["status"] = rng.choice(["open", "open,on_hold", "closed", "draft"])
    if rng.random() < 0.25:
        params["department"] = rng.choice(PLAN["departments"])
    if rng.random() < 0.6:
        params["sort"] = rng.choice(
            ["title", "posted_date", "applications", "views", "deadline", "created_at"]
        )
        params["order"] = rng.choice(["asc", "desc"])
    if rng.random() < 0.2:
        params["page"] = rng.randint(2, 6)
    return params


class Floor(FastHttpUser):
    """``LOADTEST_MODE=floor``: the empty authenticated route of bench/floor.py."""

    wait_time = between(*WAIT)
    weight = 1 if os.environ.get("LOADTEST_MODE") == "floor" else 0

    def on_start(self):
        self.headers = {"Authorization": f"Bearer {PLAN['users'][0]['token']}"}

    @task
    def empty(self):
        self.client.get("/bench/empty", headers=self.headers, name="GET /bench/empty")


class Recruiter(FastHttpUser):
    wait_time = between(*WAIT)
    weight = 0 if os.environ.get("LOADTEST_MODE") == "floor" else 1

    def on_start(self):
        self.slot = next(SLOTS)
        self.me = PLAN["users"][self.slot % len(PLAN["users"])]
        self.rng = random.Random(self.me["email"])
        self.api = {"Authorization": f"Bearer {self.me['token']}"}
        self.json = {**self.api, "Content-Type": "application/json"}
        self.current = dict(self.me["status_jobs"])  # job id → its status now
        self.bulk_target = "on_hold"
        # each recruiter from its own address (the login throttle counts per address)
        forwarded = {"X-Forwarded-For": f"10.255.{self.slot // 250 % 256}.{self.slot % 250 + 1}"}
        page = self.client.get("/login", headers=forwarded, name="GET /login (start)")
        self.client.post(
            "/login",
            data={
                "email": self.me["email"],
                "password": self.me["password"],
                "csrf_token": _csrf(page.text),
            },
            headers=forwarded,
            name="POST /login (start)",
            allow_redirects=False,
        )
        LOGGED_IN.append(time.time())

    # --- reads: 80 % ------------------------------------------------------------------------

    @task(35)
    def dashboard_json(self):
        self.client.get(
            "/api/jobs-management/dashboard",
            params=_dashboard_params(self.rng),
            headers=self.api,
            name="GET /api/jobs-management/dashboard",
        )

    @task(15)
    def dashboard_page(self):
        self.client.get("/", params=_dashboard_params(self.rng), name="GET / (dashboard page)")

    @task(15)
    def job_page(self):
        self.client.get(f"/jobs/{self.rng.choice(PLAN['read_jobs'])}", name="GET /jobs/<id>")

    @task(10)
    def analytics_json(self):
        self.client.get(
            f"/api/jobs-management/{self.rng.choice(PLAN['read_jobs'])}/analytics",
            params=SPAN,
            headers=self.api,
            name="GET /api/jobs-management/<id>/analytics",
        )

    @task(5)
    def analytics_page(self):
        self.client.get(
            f"/jobs/{self.rng.choice(PLAN['read_jobs'])}/analytics",
            name="GET /jobs/<id>/analytics",
        )

    # --- writes: 20 % -----------------------------------------------------------------------

    @task(10)
    def status_change(self):
        job_id = self.rng.choice(list(self.current))
        target = "on_hold" if self.current[job_id] == "open" else "open"
        response = self.client.put(
            f"/api/jobs-management/{job_id}/status",
            data=json.dumps({"status": target}),
            headers=self.json,
            name="PUT /api/jobs-management/<id>/status",
        )
        if response.status_code == 200:
            self.current[job_id] = target
            acked = ACKED.setdefault(job_id, {"status": target, "changes": 0})
            acked["status"] = target
            acked["changes"] += 1

    @task(5)
    def careers_application(self):
        job_id = self.rng.choice(PLAN["careers_jobs"])
        applicant = uuid.uuid4().hex[:12]
        address = (
            f"10.{self.rng.randrange(256)}.{self.rng.randrange(256)}.{self.rng.randrange(1, 255)}"
        )
        forwarded = {"X-Forwarded-For": address}
        page = self.client.get(
            f"/careers/{job_id}/apply", headers=forwarded, name="GET /careers/<id>/apply"
        )
        self.client.post(
            f"/careers/{job_id}/apply",
            data={
                "name": f"Load Applicant {applicant}",
                "email": f"load-{applicant}@applicants.example",
                "skills": "Python, SQL, Communication",
                "resume_text": "Ten years of doing good work. " * 20,
                "csrf_token": _csrf(page.text),
            },
            headers=forwarded,
            name="POST /careers/<id>/apply",
            allow_redirects=False,
        )

    @task(5)
    def bulk_update(self):
        ids = self.rng.sample(self.me["bulk_jobs"], min(10, len(self.me["bulk_jobs"])))
        body = {
            "job_ids": ids,
            "operation": "status_update",
            "parameters": {"status": self.bulk_target},
        }
        self.bulk_target = "open" if self.bulk_target == "on_hold" else "on_hold"
        response = self.client.post(
            "/api/jobs-management/bulk-update",
            data=json.dumps(body),
            headers=self.json,
            name="POST /api/jobs-management/bulk-update",
        )
        if response.status_code == 202:
            BULK_OPS.append(response.json()["operation_id"])
