"""A portal sandbox speaking LinkedIn's, Indeed's and Naukri's protocols — and fighting back.

It checks every request as the real portal would (OAuth2 tokens, LinkedIn's field rules and
batch shape, the GraphQL shape and Indeed's upsert key, Naukri's API key), keeps what was
posted (so tests and the bench can count postings per job and portal), and can be told to
misbehave per portal through ``POST /sandbox/_control/faults``::

    {"portal": "linkedin", "kind": "429", "times": 2, "retry_after": 1}

Kinds: ``429`` (with ``Retry-After``), ``500``, ``timeout`` (no answer for ``seconds``), ``reset``
(the connection is reset), ``expired_token`` (401; LinkedIn serviceErrorCode 65602), ``422``
(field errors: a LinkedIn element, Indeed ``BAD_USER_INPUT``, Naukri HTTP 422),
``task_failed`` (a LinkedIn task ends FAILED), ``forbidden`` (Indeed ``FORBIDDEN``) and
``hold`` (the posting is stored, then the answer waits ``seconds``: a worker killed meanwhile
dies between the portal's answer and its own commit), ``task_in_progress`` (the next LinkedIn
task answers IN_PROGRESS to ``seconds`` polls). ``POST /sandbox/_control/latency``
``{"ms": 100}`` slows every call down; ``GET /sandbox/_control/state`` shows postings and
request counts; ``POST /sandbox/_control/reset`` forgets everything.

Mounted in the app under ``/sandbox`` when ``PORTAL_SANDBOX=1``; ``jobsmgmt sandbox`` serves it
alone. State lives in the serving process's memory (one process: the desktop app, or the
standalone sandbox). The control routes have no authentication: never enable it on a public
deployment.
"""

from __future__ import annotations

import itertools
import re
import secrets
import socket
import struct
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import unquote

from flask import Blueprint, Flask, Response, current_app, jsonify, render_template_string, request

from .linkedin import BATCH_SIZE, EXPIRED_TOKEN, field_problems

PORTALS = ("linkedin", "indeed", "naukri")
CREDENTIALS = {
    "linkedin": {"client_id": "sandbox-linkedin", "client_secret": "sandbox-linkedin-secret"},
    "indeed": {"client_id": "sandbox-indeed", "client_secret": "sandbox-indeed-secret"},
    "naukri": {"api_key": "sandbox-naukri-key"},
}
ORGANIZATION_ID = "1000"
SOURCE_NAME = "jobsmgmt-sandbox"


def environment(
    sandbox_url: str, organization_id: str = ORGANIZATION_ID, source_name: str = SOURCE_NAME
) -> dict:
    """The portal variables of a deployment whose three portals are the sandbox served alone at
    ``sandbox_url`` (``jobsmgmt sandbox``), with the credentials it accepts."""
    return {
        "LINKEDIN_API_BASE": f"{sandbox_url}/linkedin",
        "LINKEDIN_CLIENT_ID": CREDENTIALS["linkedin"]["client_id"],
        "LINKEDIN_CLIENT_SECRET": CREDENTIALS["linkedin"]["client_secret"],
        "LINKEDIN_ORGANIZATION_ID": organization_id,
        "INDEED_API_BASE": f"{sandbox_url}/indeed",
        "INDEED_CLIENT_ID": CREDENTIALS["indeed"]["client_id"],
        "INDEED_CLIENT_SECRET": CREDENTIALS["indeed"]["client_secret"],
        "INDEED_SOURCE_NAME": source_name,
        "NAUKRI_API_BASE": f"{sandbox_url}/naukri",
        "NAUKRI_API_KEY": CREDENTIALS["naukri"]["api_key"],
    }


FAULT_KINDS = (
    "429",
    "500",
    "timeout",
    "reset",
    "expired_token",
    "422",
    "task_failed",
    "forbidden",
    "hold",
    "task_in_progress",
)
TRANSPORT_FAULTS = ("429", "500", "timeout", "reset")
TOKEN_PATHS = ("/oauth/v2/accessToken", "/oauth/v2/tokens")


@dataclass
class Fault:
    kind: str
    times: int = 1
    retry_after: int = 1
    seconds: float = 3.0


@dataclass
class SandboxState:
    """Everything the sandbox remembers, shared by its request threads."""

    lock: threading.RLock = field(default_factory=threading.RLock)
    postings: dict = field(default_factory=lambda: {p: {} for p in PORTALS})
    tasks: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)  # token -> portal
    faults: dict = field(default_factory=lambda: {p: [] for p in PORTALS})
    requests: dict = field(default_factory=lambda: {p: Counter() for p in PORTALS})
    latency_ms: int = 0
    ids: itertools.count = field(default_factory=lambda: itertools.count(1001))

    def reset(self) -> None:
        with self.lock:
            fresh = SandboxState()
            for name in ("postings", "tasks", "tokens", "faults", "requests", "ids"):
                setattr(self, name, getattr(fresh, name))
            self.latency_ms = 0

    def add_fault(self, portal: str, fault: Fault) -> None:
        with self.lock:
            self.faults[portal].append(fault)

    def take_fault(self, portal: str, kinds: tuple[str, ...]) -> Fault | None:
        with self.lock:
            for fault in self.faults[portal]:
                if fault.kind in kinds and fault.times > 0:
                    fault.times -= 1
                    if fault.times == 0:
                        self.faults[portal].remove(fault)
                    return fault
        return None

    def count(self, portal: str, kind: str) -> None:
        with self.lock:
            self.requests[portal][kind] += 1

    def snapshot(self) -> dict:
        with self.lock:
            return {
                "postings": {
                    p: [dict(r) for r in rows.values()] for p, rows in self.postings.items()
                },
                "requests": {p: dict(c) for p, c in self.requests.items()},
                "faults": {p: [f.__dict__.copy() for f in fs] for p, fs in self.faults.items()},
                "latency_ms": self.latency_ms,
            }

    def live_postings(self, portal: str, key_prefix: str = "") -> list[dict]:
        with self.lock:
            return [
                dict(r)
                for r in self.postings[portal].values()
                if r["status"] == "live" and r["key"].startswith(key_prefix)
            ]

    def next_id(self) -> int:
        with self.lock:
            return next(self.ids)


def _reset_connection() -> Response:
    """Reset the client's connection (RST) where the server gives us its socket (werkzeug);
    elsewhere answer 502 as a broken upstream would."""
    sock = request.environ.get("werkzeug.socket")
    if sock is None:
        return Response("connection reset (simulated)", status=502)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock._real_close()  # noqa: SLF001 - close the descriptor now: the peer sees a reset
    return Response(status=500)


def _json_error(status: int, message: str, **extra) -> Response:
    response = jsonify({"message": message, "status": status, **extra})
    response.status_code = status
    return response


def create_blueprint(state: SandboxState) -> Blueprint:
    bp = Blueprint("portal_sandbox", __name__, url_prefix="/sandbox")

    def portal_of_path() -> str | None:
        match = re.match(r"^/sandbox/(linkedin|indeed|naukri)(/.*)?$", request.path)
        return match.group(1) if match else None

    @bp.before_request
    def misbehave():
        portal = portal_of_path()
        if portal is None:
            return None
        if state.latency_ms:
            time.sleep(state.latency_ms / 1000)
        sub = request.path[len(f"/sandbox/{portal}") :]
        state.count(portal, "token" if sub in TOKEN_PATHS else f"{request.method} {sub}")
        if sub in TOKEN_PATHS or "/view" in sub or sub.startswith("/job/"):
            return None
        fault = state.take_fault(portal, TRANSPORT_FAULTS)
        if fault is None:
            return None
        state.count(portal, f"fault {fault.kind}")
        if fault.kind == "429":
            response = _json_error(429, "Too many requests (sandbox fault)")
            response.headers["Retry-After"] = str(fault.retry_after)
            return response
        if fault.kind == "500":
            return _json_error(500, "Internal server error (sandbox fault)")
        if fault.kind == "timeout":
            time.sleep(fault.seconds)
            return _json_error(504, "Answered too late (sandbox fault)")
        return _reset_connection()

    # --- tokens ------------------------------------------------------------------------------
    def issue_token(portal: str) -> Response:
        client_id = request.form.get("client_id")
        secret = request.form.get("client_secret")
        expected = CREDENTIALS[portal]
        if request.form.get("grant_type") != "client_credentials":
            return jsonify(
                error="unsupported_grant_type", error_description="use client_credentials"
            ), 400
        if client_id != expected["client_id"] or secret != expected["client_secret"]:
            return jsonify(
                error="invalid_client", error_description="Client authentication failed"
            ), 401
        token = f"{portal}-{secrets.token_hex(8)}"
        with state.lock:
            state.tokens[token] = portal
        return jsonify(access_token=token, expires_in=1800, token_type="Bearer")  # noqa: S106

    def authorised(portal: str) -> Response | None:
        header = request.headers.get("Authorization", "")
        token = header.removeprefix("Bearer ").strip()
        with state.lock:
            valid = state.tokens.get(token) == portal
        if valid and state.take_fault(portal, ("expired_token",)):
            with state.lock:
                state.tokens.pop(token, None)
            valid = False
            state.count(portal, "fault expired_token")
            if portal == "linkedin":
                return _json_error(
                    401,
                    "The token used in the request has expired",
                    serviceErrorCode=EXPIRED_TOKEN,
                )
        if not valid:
            if portal == "linkedin":
                return _json_error(401, "Invalid access token", serviceErrorCode=65600)
            response = jsonify(
                errors=[{"message": "Unauthenticated", "extensions": {"code": "UNAUTHENTICATED"}}]
            )
            response.status_code = 401
            return response
        return None

    @bp.post("/linkedin/oauth/v2/accessToken")
    def linkedin_token():
        return issue_token("linkedin")

    @bp.post("/indeed/oauth/v2/tokens")
    def indeed_token():
        return issue_token("indeed")

    # --- LinkedIn ------------------------------------------------------------------------------
    def linkedin_task(key: str, operation: str, failed: str | None = None) -> str:
        task_id = f"urn:li:simpleJobPostingTask:{state.next_id()}"
        record = state.postings["linkedin"].get(key)
        slow = state.take_fault("linkedin", ("task_in_progress",))
        state.tasks[task_id] = {
            "id": task_id,
            "status": "FAILED" if failed else "SUCCEEDED",
            "jobPostingOperationType": operation,
            "jobPosting": record["urn"] if record and not failed else None,
            "error": {"message": failed} if failed else None,
            "polls_left": int(slow.seconds) if slow else 0,  # IN_PROGRESS for that many polls
        }
        return task_id

    def linkedin_element(element: dict) -> dict:
        operation = element.get("jobPostingOperationType")
        key = element.get("externalJobPostingId") or ""
        rows = state.postings["linkedin"]
        if operation not in ("CREATE", "UPDATE", "RENEW", "CLOSE"):
            return {"status": 400, "error": {"message": "unknown jobPostingOperationType"}}
        if operation == "CLOSE":
            if key not in rows:
                return {"status": 404, "error": {"message": f"No job posting {key}"}}
            rows[key]["status"] = "closed"
            rows[key]["closes"] += 1
            return {"status": 201, "id": linkedin_task(key, operation)}
        problems = field_problems(element)
        if not problems and state.take_fault("linkedin", ("422",)):
            problems = ["description: contains content the portal does not accept (sandbox fault)"]
        if problems:
            return {"status": 422, "error": {"message": "; ".join(problems), "status": 422}}
        if operation == "CREATE" and key in rows:
            return {
                "status": 409,
                "error": {"message": f"externalJobPostingId {key} already exists", "status": 409},
            }
        if operation in ("UPDATE", "RENEW") and key not in rows:
            return {"status": 404, "error": {"message": f"No job posting {key}"}}
        failed = state.take_fault("linkedin", ("task_failed",))
        fields = {
            k: element.get(k)
            for k in (
                "title",
                "description",
                "location",
                "employmentStatus",
                "companyApplyUrl",
                "listedAt",
            )
        }
        if operation == "CREATE":
            if failed:
                return {
                    "status": 201,
                    "id": linkedin_task(
                        key, operation, "Posting rejected by job review (sandbox fault)"
                    ),
                }
            number = state.next_id()
            rows[key] = {
                "key": key,
                "urn": f"urn:li:jobPosting:{number}",
                "id": str(number),
                "status": "live",
                "creates": 1,
                "updates": 0,
                "closes": 0,
                **fields,
            }
        else:
            rows[key].update(fields, status="live")
            rows[key]["updates"] += 1
        return {
            "status": 201,
            "id": linkedin_task(
                key, operation, "Posting rejected by job review (sandbox fault)" if failed else None
            ),
        }

    @bp.post("/linkedin/v2/simpleJobPostings")
    def linkedin_postings():
        refused = authorised("linkedin")
        if refused:
            return refused
        if request.headers.get("X-Restli-Method", "").lower() != "batch_create":
            return _json_error(400, "X-Restli-Method: batch_create is required")
        body = request.get_json(silent=True) or {}
        elements = body.get("elements")
        if not isinstance(elements, list) or not 1 <= len(elements) <= BATCH_SIZE:
            return _json_error(400, f"elements must be a list of 1–{BATCH_SIZE} job postings")
        with state.lock:
            results = [linkedin_element(e if isinstance(e, dict) else {}) for e in elements]
        hold = state.take_fault("linkedin", ("hold",))
        if hold:
            time.sleep(hold.seconds)
        return jsonify(elements=results)

    @bp.get("/linkedin/v2/simpleJobPostingTasks")
    def linkedin_tasks():
        refused = authorised("linkedin")
        if refused:
            return refused
        raw = request.args.get("ids", "")
        match = re.fullmatch(r"List\((.*)\)", raw)
        if not match:
            return _json_error(400, "ids must be List(urn,...)")
        ids = [unquote(i) for i in match.group(1).split(",") if i]
        results = {}
        with state.lock:
            for i in ids:
                task = state.tasks.get(i)
                if task is None:
                    continue
                shown = {k: v for k, v in task.items() if k != "polls_left"}
                if task["polls_left"] > 0:
                    task["polls_left"] -= 1
                    shown.update(status="IN_PROGRESS", jobPosting=None)
                results[i] = shown
        return jsonify(results=results)

    # --- Indeed --------------------------------------------------------------------------------
    def graphql_error(message: str, code: str, index: int | None = None) -> Response:
        extensions = {"code": code}
        if index is not None:
            extensions["index"] = index
        return jsonify(errors=[{"message": message, "extensions": extensions}], data=None)

    def indeed_problems(posting: dict) -> list[str]:
        body = posting.get("body") or {}
        meta = posting.get("metadata") or {}
        source = meta.get("jobSource") or {}
        problems = []
        for name in ("title", "description"):
            if not str(body.get(name) or "").strip():
                problems.append(f"body.{name} is required")
        if not (body.get("location") or {}).get("country"):
            problems.append("body.location.country is required")
        if not meta.get("jobPostingId"):
            problems.append("metadata.jobPostingId is required")
        if not source.get("sourceName"):
            problems.append("metadata.jobSource.sourceName is required")
        if not str(meta.get("url") or "").startswith(("http://", "https://")):
            problems.append("metadata.url must be an absolute URL")
        return problems

    @bp.post("/indeed/graphql")
    def indeed_graphql():
        refused = authorised("indeed")
        if refused:
            return refused
        payload = request.get_json(silent=True) or {}
        query = payload.get("query") or ""
        variables = payload.get("variables") or {}
        if "jobsIngest" not in query or "mutation" not in query:
            return graphql_error(
                "Only jobsIngest mutations are supported", "GRAPHQL_VALIDATION_FAILED"
            )
        if state.take_fault("indeed", ("forbidden",)):
            return graphql_error("The client is not allowed to post jobs", "FORBIDDEN")
        data_input = variables.get("input") or {}
        rows = state.postings["indeed"]
        if "createSourcedJobPostings" in query:
            postings = data_input.get("jobPostings")
            if not isinstance(postings, list) or not postings:
                return graphql_error("input.jobPostings must be a non-empty list", "BAD_USER_INPUT")
            for index, posting in enumerate(postings):
                problems = indeed_problems(posting)
                if not problems and state.take_fault("indeed", ("422",)):
                    problems = [
                        "body.description contains markup Indeed does not accept (sandbox fault)"
                    ]
                if problems:
                    return graphql_error("; ".join(problems), "BAD_USER_INPUT", index)
            results = []
            with state.lock:
                for posting in postings:
                    meta = posting["metadata"]
                    key = f"{meta['jobSource']['sourceName']}|{meta['jobPostingId']}"
                    row = rows.get(key)
                    fields = {
                        "title": posting["body"]["title"],
                        "description": posting["body"]["description"],
                        "url": meta["url"],
                    }
                    if row is None:
                        row = rows[key] = {
                            "key": meta["jobPostingId"],
                            "id": f"sp-{state.next_id()}",
                            "status": "live",
                            "creates": 1,
                            "updates": 0,
                            "closes": 0,
                            **fields,
                        }
                    else:
                        row.update(fields, status="live")
                        row["updates"] += 1
                    results.append({"jobPosting": {"sourcedPostingId": row["id"]}})
            hold = state.take_fault("indeed", ("hold",))
            if hold:
                time.sleep(hold.seconds)
            return jsonify(data={"jobsIngest": {"createSourcedJobPostings": {"results": results}}})
        if "expireSourcedJobsBySourcedPostingId" in query:
            ids = data_input.get("sourcedPostingIds")
            if not isinstance(ids, list) or not ids:
                return graphql_error(
                    "input.sourcedPostingIds must be a non-empty list", "BAD_USER_INPUT"
                )
            results = []
            with state.lock:
                by_id = {row["id"]: row for row in rows.values()}
                for sourced in ids:
                    if sourced in by_id:
                        by_id[sourced]["status"] = "closed"
                        by_id[sourced]["closes"] += 1
                    results.append({"trackingKey": f"expire-{sourced}"})
            return jsonify(
                data={"jobsIngest": {"expireSourcedJobsBySourcedPostingId": {"results": results}}}
            )
        return graphql_error("Unknown jobsIngest mutation", "GRAPHQL_VALIDATION_FAILED")

    # --- Naukri (provisional contract) -----------------------------------------------------------
    def naukri_refused() -> Response | None:
        if request.headers.get("X-Api-Key") != CREDENTIALS["naukri"]["api_key"]:
            return jsonify(
                error={"code": "unauthorised", "message": "Missing or wrong X-Api-Key"}
            ), 401
        return None

    def naukri_problems(body: dict) -> dict:
        fields = {}
        for name in ("reference", "title", "description", "location", "apply_url"):
            if not str(body.get(name) or "").strip():
                fields[name] = "required"
        if not fields and state.take_fault("naukri", ("422",)):
            fields["description"] = "contains words Naukri does not accept (sandbox fault)"
        return fields

    def naukri_public(row: dict) -> dict:
        return {
            "id": row["id"],
            "reference": row["key"],
            "status": row["status"],
            "url": f"{request.host_url.rstrip('/')}/sandbox/naukri/job/{row['id']}",
        }

    def naukri_invalid(fields: dict):
        message = "; ".join(f"{k}: {v}" for k, v in fields.items())
        return jsonify(
            error={"code": "validation_failed", "message": message, "fields": fields}
        ), 422

    @bp.post("/naukri/v1/jobs")
    def naukri_create():
        refused = naukri_refused()
        if refused:
            return refused
        body = request.get_json(silent=True) or {}
        problems = naukri_problems(body)
        if problems:
            return naukri_invalid(problems)
        rows = state.postings["naukri"]
        with state.lock:
            existing = rows.get(body["reference"])
            if existing:
                public = naukri_public(existing)
                return jsonify(
                    error={
                        "code": "duplicate_reference",
                        "message": f"reference {body['reference']} already exists",
                        "job_id": public["id"],
                        "url": public["url"],
                    }
                ), 409
            row = rows[body["reference"]] = {
                "key": body["reference"],
                "id": f"nk-{state.next_id()}",
                "status": "live",
                "creates": 1,
                "updates": 0,
                "closes": 0,
                **{k: body.get(k) for k in ("title", "description", "location", "apply_url")},
            }
        hold = state.take_fault("naukri", ("hold",))
        if hold:
            time.sleep(hold.seconds)
        return jsonify(naukri_public(row)), 201

    def naukri_row(job_id: str) -> dict | None:
        return next((r for r in state.postings["naukri"].values() if r["id"] == job_id), None)

    @bp.get("/naukri/v1/jobs")
    def naukri_find():
        refused = naukri_refused()
        if refused:
            return refused
        row = state.postings["naukri"].get(request.args.get("reference", ""))
        return jsonify(jobs=[naukri_public(row)] if row else [])

    @bp.route("/naukri/v1/jobs/<job_id>", methods=["GET", "PUT"])
    def naukri_job(job_id: str):
        refused = naukri_refused()
        if refused:
            return refused
        with state.lock:
            row = naukri_row(job_id)
            if row is None:
                return jsonify(error={"code": "not_found", "message": "No such job"}), 404
            if request.method == "PUT":
                body = request.get_json(silent=True) or {}
                problems = naukri_problems(body)
                if problems:
                    return naukri_invalid(problems)
                row.update(
                    {k: body.get(k) for k in ("title", "description", "location", "apply_url")}
                )
                row["status"] = "live"
                row["updates"] += 1
            return jsonify(naukri_public(row))

    @bp.post("/naukri/v1/jobs/<job_id>/close")
    def naukri_close(job_id: str):
        refused = naukri_refused()
        if refused:
            return refused
        with state.lock:
            row = naukri_row(job_id)
            if row is None:
                return jsonify(error={"code": "not_found", "message": "No such job"}), 404
            row["status"] = "closed"
            row["closes"] += 1
            return jsonify(naukri_public(row))

    # --- the postings as a person sees them ---------------------------------------------------
    def view(portal: str, match) -> str:
        with state.lock:
            row = next((dict(r) for r in state.postings[portal].values() if match(r)), None)
        if row is None:
            return Response("No such posting in the sandbox.", status=404, mimetype="text/plain")
        return render_template_string(VIEW_PAGE, portal=portal.title(), row=row)

    @bp.get("/linkedin/jobs/view/<number>")
    def linkedin_view(number: str):
        return view("linkedin", lambda r: r["id"] == number)

    @bp.get("/indeed/viewjob/<sourced>")
    def indeed_view(sourced: str):
        return view("indeed", lambda r: r["id"] == sourced)

    @bp.get("/naukri/job/<job_id>")
    def naukri_view(job_id: str):
        return view("naukri", lambda r: r["id"] == job_id)

    # --- control ------------------------------------------------------------------------------
    @bp.get("/")
    @bp.get("/_control/state")
    def control_state():
        return jsonify(state.snapshot())

    @bp.post("/_control/faults")
    def control_faults():
        body = request.get_json(silent=True) or {}
        portal, kind = body.get("portal"), body.get("kind")
        if portal not in PORTALS or kind not in FAULT_KINDS:
            return _json_error(422, f"portal must be one of {PORTALS}, kind one of {FAULT_KINDS}")
        fault = Fault(
            kind,
            int(body.get("times", 1)),
            int(body.get("retry_after", 1)),
            float(body.get("seconds", 3.0)),
        )
        state.add_fault(portal, fault)
        return jsonify(state.snapshot()["faults"])

    @bp.post("/_control/latency")
    def control_latency():
        state.latency_ms = int((request.get_json(silent=True) or {}).get("ms", 0))
        return jsonify(latency_ms=state.latency_ms)

    @bp.post("/_control/reset")
    def control_reset():
        state.reset()
        return jsonify(reset=True)

    return bp


VIEW_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{{ row.title }} · {{ portal }} (sandbox)</title></head><body>
<p><strong>{{ portal }} sandbox</strong> — not a real job board.</p>
<h1>{{ row.title }}</h1><p>Status: {{ row.status }} · {{ row.location or '' }}</p>
<div style="white-space: pre-wrap">{{ row.description }}</div>
{% set apply = row.companyApplyUrl or row.url or row.apply_url %}
{% if apply %}<p><a href="{{ apply }}">Apply</a></p>{% endif %}
</body></html>"""


def mount(app: Flask, state: SandboxState | None = None) -> SandboxState:
    """Mount the sandbox in ``app`` under /sandbox (CSRF-exempt: it is an API)."""
    from ..extensions import csrf

    state = state or SandboxState()
    bp = create_blueprint(state)
    csrf.exempt(bp)
    app.register_blueprint(bp)
    app.extensions["portal_sandbox"] = state
    return state


def create_sandbox_app(state: SandboxState | None = None) -> Flask:
    """The sandbox alone (``jobsmgmt sandbox``, tests, the bench)."""
    app = Flask("jobsmgmt.portals.sandbox")
    state = state or SandboxState()
    app.register_blueprint(create_blueprint(state))
    app.extensions["portal_sandbox"] = state
    return app


def current_state() -> SandboxState | None:
    return current_app.extensions.get("portal_sandbox")


class SandboxServer:
    """The sandbox on a loopback port in a thread of this process (tests, the bench)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        from werkzeug.serving import WSGIRequestHandler, make_server

        class Quiet(WSGIRequestHandler):
            def log_request(self, *args, **kwargs):
                pass

        self.state = SandboxState()
        self.app = create_sandbox_app(self.state)
        self.server = make_server(host, port, self.app, threaded=True, request_handler=Quiet)
        self.port = self.server.server_port
        self.url = f"http://{host}:{self.port}/sandbox"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> SandboxServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
