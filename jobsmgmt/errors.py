"""One place that maps errors to responses: the JSON error shape under /api, pages elsewhere."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

from .extensions import db
from .services.errors import DomainError

log = logging.getLogger(__name__)

HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
}


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/api"


def error_response(status: int, code: str, message: str, details: dict | None = None):
    if wants_json():
        body = {
            "success": False,
            "error": {"code": code, "message": message, "details": details or {}},
        }
        response = jsonify(body)
        response.status_code = status
        if status == 401:
            response.headers["WWW-Authenticate"] = 'Bearer realm="jobsmgmt"'
        return response
    return render_template("errors/error.html", status=status, message=message), status


def validation_details(error: ValidationError) -> dict:
    fields: dict[str, str] = {}
    for item in error.errors(include_url=False, include_context=False):
        location = ".".join(str(part) for part in item["loc"]) or "body"
        fields.setdefault(location, item["msg"])
    return {"fields": fields}


def init_app(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        return error_response(error.status, error.code, error.message, error.details)

    @app.errorhandler(ValidationError)
    def pydantic_error(error: ValidationError):
        return error_response(
            422, "validation_error", "The request is not valid.", validation_details(error)
        )

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return error_response(
            400,
            "csrf_failed",
            "The form or request is missing a valid CSRF token; reload the page and try again.",
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        message = error.description or error.name
        if status == 429:
            message = "Too many attempts. Wait a minute and try again."
        elif status == 413:
            message = "The request is too large (too many values or too much data)."
        response = error_response(status, HTTP_CODES.get(status, "error"), message)
        if status == 405:
            # RFC 9110: a 405 names the methods the resource does support.
            allowed = dict(error.get_headers()).get("Allow")
            if allowed:
                if isinstance(response, tuple):
                    response = make_response(response)
                response.headers["Allow"] = allowed
        return response

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        log.exception("Unhandled error on %s %s", request.method, request.path)
        db.session.rollback()
        return error_response(
            500, "internal_error", "Something went wrong on our side. The error has been logged."
        )
