"""bot.web.health through the Flask test client."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient


def test_health_is_ok_with_a_reachable_database(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"


def test_health_is_503_when_the_database_is_unreachable(
    make_app: Callable[[str], Flask], caplog: pytest.LogCaptureFixture
) -> None:
    client = make_app("postgresql://nobody@127.0.0.1:1/none").test_client()
    with caplog.at_level(logging.ERROR):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.is_json
    body = response.get_data(as_text=True)
    assert response.get_json()["status"] != "ok"
    assert "Traceback" not in body
    assert "127.0.0.1" not in body  # connection details stay in the log
    assert caplog.records  # ... where the operator finds them
