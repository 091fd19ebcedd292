"""schemathesis against the generated OpenAPI document: no input may cause a server error, and
every answer must match what the document declares for it (status, content type, schema)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app import create_app
from bot.api import keys
from models import KeyKind, new_session

EXAMPLES_PER_OPERATION = 25
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _operations() -> list[tuple[str, str]]:
    """Every operation of the document (it does not depend on the database)."""
    document = create_app({"DATABASE_URL": "sqlite://"}).api_doc
    return sorted(
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    )


@pytest.mark.parametrize(("method", "path"), _operations())
def test_no_input_breaks_the_api(make_app, any_database_url, clock, method, path):
    """On SQLite and on PostgreSQL (its integer ranges, NUL bytes, LIKE escapes and locks)."""
    app = make_app(any_database_url)
    with new_session(app.extensions["agendai.engine"]) as session:
        _row, key = keys.create(
            session, clinic_id=1, name="fuzz", kind=KeyKind.live, now=clock.now(), rate_limit=10**6
        )
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operation = schema[path][method]

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def check(case) -> None:
        case.call_and_validate(headers={"x-api-key": key}, checks=CHECKS)

    check()
