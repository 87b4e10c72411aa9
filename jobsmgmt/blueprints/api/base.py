"""The JSON API's route decorator: authentication, the role policy, request validation with
pydantic models and response serialisation through the documented models. Every route it
declares is also described in ``/api/openapi.json``, from the same models."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import wraps

from flask import Blueprint, Response, jsonify, request
from pydantic import BaseModel

from ...auth import api_user
from ...services import policy

api_bp = Blueprint("api", __name__, url_prefix="/api")


@dataclass
class RouteDoc:
    rule: str
    method: str
    summary: str
    tag: str
    permission: str | None
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: type[BaseModel] | None
    status: int
    errors: tuple[int, ...]
    description: str = ""
    extra_responses: dict = field(default_factory=dict)


ROUTES: list[RouteDoc] = []


def parse_body(model: type[BaseModel]) -> BaseModel:
    """Strict JSON validation: malformed JSON, wrong types and unknown fields are all 422."""
    return model.model_validate_json(request.get_data(cache=True) or b"", strict=True)


def parse_query(model: type[BaseModel]) -> BaseModel:
    return model.model_validate(request.args.to_dict(flat=True))


def render(model: type[BaseModel] | None, payload, status: int):
    if isinstance(payload, Response):
        return payload
    if model is not None:
        payload = model.model_validate(payload).model_dump(mode="json")
    response = jsonify(payload)
    response.status_code = status
    return response


def route(
    rule: str,
    method: str,
    *,
    summary: str,
    tag: str,
    permission: str | None = policy.READ,
    body: type[BaseModel] | None = None,
    query: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    status: int = 200,
    errors: tuple[int, ...] = (),
    description: str = "",
    extra_responses: dict[int, type[BaseModel]] | None = None,
):
    """Declare a JSON route. The view receives ``user`` (None on public routes), ``body`` and
    ``query`` (validated models) and returns a payload (or ``(payload, headers)``)."""

    def decorator(view):
        ROUTES.append(
            RouteDoc(
                rule,
                method,
                summary,
                tag,
                permission,
                body,
                query,
                response,
                status,
                errors,
                description,
                dict(extra_responses or {}),
            )
        )

        @wraps(view)
        def wrapped(**kwargs):
            user = None
            if permission is not None:
                user = api_user()
                policy.require(user, permission)
            if body is not None:
                kwargs["body"] = parse_body(body)
            if query is not None:
                kwargs["query"] = parse_query(query)
            result = view(user=user, **kwargs)
            headers = {}
            if isinstance(result, tuple):
                result, headers = result
            out = render(response, result, status)
            out.headers.update(headers)
            return out

        api_bp.add_url_rule(rule, endpoint=f"{view.__name__}", view_func=wrapped, methods=[method])
        return wrapped

    return decorator
