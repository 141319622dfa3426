"""A used API key is kept in the shared cache for a few seconds (most requests then make no query for it), but a
revoked key is refused from its next request on, and the API still authenticates while the cache is down."""

import logging

import pytest
from django.conf import settings
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from accounts import keycache
from accounts.services import api_key_issue, api_key_revoke
from tests.fixtures.partner_api import CarrierClient

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_rate_limits", "cache_up")]

LIST = "/api/v1/complaints/"


def _key_reads(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert call().status_code == 200
    return sum('FROM "accounts_apikey"' in q["sql"] for q in queries.captured_queries)


def test_a_used_key_is_not_read_again_but_is_refused_once_revoked(zto, django_capture_on_commit_callbacks):
    # Given a key in use: its first request reads it, the next ones find it in the cache
    key, raw = api_key_issue(carrier=zto)
    api = CarrierClient(raw)
    assert _key_reads(lambda: api.get(LIST)) == 1
    assert _key_reads(lambda: api.get(LIST)) == 0

    # when it is revoked (the cache entry is dropped when the revocation commits)
    with django_capture_on_commit_callbacks(execute=True):
        api_key_revoke(api_key=key)

    # then its very next request is refused
    response = api.get(LIST)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


@pytest.fixture
def cache_up():
    # A failure of the cache seen by an earlier test (Redis stopped on purpose) is forgotten.
    keycache.reset()
    yield
    keycache.reset()


@pytest.fixture
def cache_down():
    # A Redis nobody listens on: every cache call fails at once (connection refused).
    dead = {
        "default": {
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    with override_settings(CACHES=dead):
        yield


def test_keys_are_read_from_the_database_while_the_cache_is_down(zto, cache_down, caplog):
    # Given the shared cache cannot be reached
    key, raw = api_key_issue(carrier=zto)
    api = CarrierClient(raw)

    # when the carrier calls, then it is served, its key read from the database each time, and the failure logged
    with caplog.at_level(logging.WARNING, logger="accounts.keycache"):
        assert _key_reads(lambda: api.get(LIST)) == 1
        assert _key_reads(lambda: api.get(LIST)) == 1
    assert "the shared cache failed" in caplog.text

    # and a revoked key is refused (revoking does not fail with the cache either)
    api_key_revoke(api_key=key)
    assert api.get(LIST).status_code == 401


def test_the_cache_can_be_turned_off(zto):
    _key, raw = api_key_issue(carrier=zto)
    api = CarrierClient(raw)
    with override_settings(REDRESS_API_KEY_CACHE_SECONDS=0):
        api.get(LIST)
        assert _key_reads(lambda: api.get(LIST)) == 1
    assert settings.REDRESS_API_KEY_CACHE_SECONDS > 0
