"""60 requests per minute per key by default, per key configurable, shared through Redis."""

from __future__ import annotations

import uuid

from conftest import Api


def test_the_61st_request_in_a_minute_is_refused_with_retry_after(api, clock):
    for n in range(60):
        response = api.get("/api/v1/me")
        assert response.status_code == 200, n
    assert response.headers["X-RateLimit-Limit"] == "60"
    assert response.headers["X-RateLimit-Remaining"] == "0"
    refused = api.get("/api/v1/me")
    assert refused.status_code == 429
    assert refused.json["code"] == "RATE_LIMITED"
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert refused.headers["X-RateLimit-Remaining"] == "0"


def test_each_key_has_its_own_count_and_its_own_limit(client, make_key):
    slow = Api(client, make_key(rate_limit=3))
    fast = Api(client, make_key())
    assert [slow.get("/api/v1/me").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert fast.get("/api/v1/me").status_code == 200
    assert fast.get("/api/v1/me").headers["X-RateLimit-Limit"] == "60"


def test_refused_keys_do_not_count_and_docs_are_not_limited(client, make_key, app):
    app_limit = Api(client, make_key(rate_limit=1))
    for _ in range(5):
        assert client.get("/api/v1/me", headers={"x-api-key": "wrong"}).status_code == 401
        assert client.get("/api/v1/openapi.json").status_code == 200
    assert app_limit.get("/api/v1/me").status_code == 200


def test_workers_share_one_count_through_redis(make_app, database_url, make_key, redis_url):
    """Two apps stand for two gunicorn workers: the count is the key's, not the process's."""
    settings = {"RATELIMIT_STORAGE_URI": redis_url, "RATELIMIT_KEY_PREFIX": uuid.uuid4().hex}
    workers = [make_app(database_url, **settings) for _ in range(2)]
    key = make_key(rate_limit=4)
    answers = [
        workers[n % 2].test_client().get("/api/v1/me", headers={"x-api-key": key}).status_code
        for n in range(6)
    ]
    assert answers == [200, 200, 200, 200, 429, 429]


def test_without_redis_each_worker_counts_alone(make_app, database_url, make_key):
    workers = [make_app(database_url) for _ in range(2)]
    key = make_key(rate_limit=2)
    answers = [
        workers[n % 2].test_client().get("/api/v1/me", headers={"x-api-key": key}).status_code
        for n in range(4)
    ]
    assert answers == [200, 200, 200, 200]
