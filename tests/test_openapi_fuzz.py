"""``/api/openapi.json`` describes every JSON route, and a bounded Schemathesis run over it finds
no 500, no undocumented status code and no response that breaks its schema."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from jobsmgmt.blueprints.api.base import ROUTES
from jobsmgmt.extensions import db
from jobsmgmt.services import users

EXAMPLES = 30
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def api_schema(app):
    return schemathesis.openapi.from_wsgi("/api/openapi.json", app)


@pytest.fixture
def admin_headers(app):
    from tests.factories import Factory

    admin = Factory(app).user("admin")
    token = users.create_token(db.session, admin.id)[1]
    db.session.rollback()
    return {"Authorization": f"Bearer {token}"}


def test_document_lists_every_route(sqlite_app):
    document = sqlite_app.test_client().get("/api/openapi.json").json
    assert document["openapi"].startswith("3.")
    listed = {(method.upper(), path) for path, item in document["paths"].items() for method in item}
    for doc in ROUTES:
        path = "/api" + doc.rule.replace("<", "{").replace(">", "}")
        assert (doc.method, path) in listed
    create = document["paths"]["/api/jobs"]["post"]
    body = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = document["components"]["schemas"][body.rsplit("/", 1)[1]]
    assert schema["additionalProperties"] is False
    assert "title" in schema["required"]
    assert {"201", "401", "403", "422"} <= set(create["responses"])


def test_api_fuzz(api_schema, admin_headers):
    """Every operation, positive and negative cases, as an admin (who may call everything)."""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == len(ROUTES)
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            case.call_and_validate(headers=admin_headers, checks=CHECKS)

        check()
