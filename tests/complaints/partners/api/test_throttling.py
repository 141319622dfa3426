"""Rate limits per carrier: over the budget, 429 with Retry-After; another carrier is not affected. Without the shared
cache (Redis down), the API still serves and still limits, counting in the process."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.test import override_settings

pytestmark = pytest.mark.django_db


def _rate(rate):
    return override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"carrier": rate}})


# 10 seconds into a minute: the window has 50 seconds left.
MOMENT = datetime(2026, 11, 24, 9, 0, 10, tzinfo=UTC)


def test_over_the_rate_is_429_with_retry_after(zto_api, sf_api):
    with _rate("3/minute"), time_machine.travel(MOMENT, tick=False) as traveller:
        # Given ZTO made its three requests of the minute
        for _ in range(3):
            assert zto_api.get("/api/v1/complaints/").status_code == 200

        # when it makes a fourth, then it is told to wait
        response = zto_api.get("/api/v1/complaints/")
        assert response.status_code == 429
        assert response.json()["error"]["code"] == "rate_limited"
        assert response["Retry-After"] == "50"

        # and SF's budget is its own
        assert sf_api.get("/api/v1/complaints/").status_code == 200

        # and the next minute ZTO may go on
        traveller.shift(timedelta(seconds=50))
        assert zto_api.get("/api/v1/complaints/").status_code == 200


def test_all_keys_of_a_carrier_share_the_budget(zto):
    from accounts.services import api_key_issue
    from tests.fixtures.partner_api import CarrierClient

    first = CarrierClient(api_key_issue(carrier=zto)[1])
    second = CarrierClient(api_key_issue(carrier=zto)[1])
    with _rate("2/minute"), time_machine.travel(MOMENT, tick=False):
        assert first.get("/api/v1/complaints/").status_code == 200
        assert second.get("/api/v1/complaints/").status_code == 200
        assert second.get("/api/v1/complaints/").status_code == 429


# A Redis cache nobody answers at (nothing listens on port 1): the connection is refused, as when Redis is stopped.
UNREACHABLE_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
    }
}


def test_without_the_cache_the_api_serves_and_still_limits(zto_api, caplog):
    with _rate("3/minute"), override_settings(CACHES=UNREACHABLE_CACHE), time_machine.travel(MOMENT, tick=False):
        # Given the cache that holds the counters is down
        # When ZTO makes its three requests of the minute, then they are served (they used to be 500)
        for _ in range(3):
            assert zto_api.get("/api/v1/complaints/").status_code == 200

        # and a fourth is still refused: the process counted them
        response = zto_api.get("/api/v1/complaints/")
        assert response.status_code == 429
        assert response["Retry-After"] == "50"

    # and the operators are told why limits are per process now
    assert "Rate limits: the shared cache failed" in caplog.text
