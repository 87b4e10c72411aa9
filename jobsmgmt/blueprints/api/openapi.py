"""``GET /api/openapi.json``: an OpenAPI 3.1 document built from the routes' pydantic models."""

from __future__ import annotations

import re

from flask import jsonify
from pydantic.json_schema import models_json_schema

from ...schemas.common import ErrorEnvelope
from .base import ROUTES, RouteDoc, api_bp

ERROR_TEXT = {
    400: "Bad request (for example a missing CSRF token on a browser request)",
    401: "No credentials, or an invalid token",
    403: "The caller's role does not allow this",
    404: "No such resource",
    409: "Conflicts with the resource's state",
    422: "Malformed JSON, wrong field types, unknown fields or bad values",
    429: "Too many requests",
}


def _path(rule: str) -> tuple[str, list[str]]:
    names = re.findall(r"<(?:[^:<>]+:)?([^<>]+)>", rule)
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule), names


def build_document() -> dict:
    models = {(ErrorEnvelope, "serialization")}
    for doc in ROUTES:
        if doc.body:
            models.add((doc.body, "validation"))
        if doc.response:
            models.add((doc.response, "serialization"))
        for model in doc.extra_responses.values():
            models.add((model, "serialization"))
    keys, definitions = models_json_schema(
        sorted(models, key=lambda item: (item[0].__name__, item[1])),
        ref_template="#/components/schemas/{model}",
    )
    schemas = definitions.get("$defs", {})
    paths: dict[str, dict] = {}
    for doc in ROUTES:
        path, params = _path("/api" + doc.rule)
        paths.setdefault(path, {})[doc.method.lower()] = _operation(doc, params, keys)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "jobsmgmt API",
            "version": "1.0.0",
            "description": "Jobs management: jobs, applications, dashboard, status lifecycle, "
            "analytics, bulk operations, external postings and the audit log.",
        },
        "servers": [{"url": "/"}],
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
        },
        "paths": paths,
    }


def _operation(doc: RouteDoc, params: list[str], keys: dict) -> dict:
    operation: dict = {
        "operationId": f"{doc.method.lower()}_{re.sub(r'[^a-zA-Z0-9]+', '_', doc.rule).strip('_')}",
        "summary": doc.summary,
        "tags": [doc.tag],
        "parameters": [
            {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
            for name in params
        ],
        "responses": {},
    }
    if doc.description:
        operation["description"] = doc.description
    if doc.query:
        schema = doc.query.model_json_schema()
        required = set(schema.get("required", []))
        for name, prop in schema.get("properties", {}).items():
            prop = {k: v for k, v in prop.items() if k != "title"}
            operation["parameters"].append(
                {"name": name, "in": "query", "required": name in required, "schema": prop}
            )
    if doc.body:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": keys[(doc.body, "validation")]}},
        }
    success: dict = {"description": "Success"}
    if doc.response:
        success["content"] = {"application/json": {"schema": keys[(doc.response, "serialization")]}}
    operation["responses"][str(doc.status)] = success
    for code, model in doc.extra_responses.items():
        operation["responses"][str(code)] = {
            "description": "Success",
            "content": {"application/json": {"schema": keys[(model, "serialization")]}},
        }
    error_codes = set(doc.errors)
    if doc.permission is not None:
        error_codes |= {400, 401, 403}
        operation["security"] = [{"bearerAuth": []}]
    else:
        operation["security"] = []
    if params:
        error_codes.add(404)
    if doc.body or doc.query:
        error_codes.add(422)
    error_schema = keys[(ErrorEnvelope, "serialization")]
    for code in sorted(error_codes):
        operation["responses"][str(code)] = {
            "description": ERROR_TEXT.get(code, "Error"),
            "content": {"application/json": {"schema": error_schema}},
        }
    return operation


@api_bp.get("/openapi.json")
def openapi_document():
    return jsonify(build_document())
