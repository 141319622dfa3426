"""GET /healthz: the database, the broker and the cache. 200 "ok" when all answer; 200 "degraded" when only Redis
(broker or cache) is down, since the web still serves; 503 "unavailable" without the database. Always quickly."""

import time

import pytest
from django.db import OperationalError

from config.celery_app import app as celery_app


@pytest.fixture
def broker_url(monkeypatch):
    """Point the Celery app at another broker for one test; monkeypatch puts the configured one back."""
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)  # it would win over the app's configuration

    def use(url: str) -> None:
        monkeypatch.setattr(celery_app.conf, "broker_url", url)
        assert celery_app.conf.broker_url == url

    return use


@pytest.mark.django_db
def test_healthy_when_the_database_and_the_broker_answer(client, settings):
    response = client.get("/healthz")

    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["broker"] == "ok"
    assert body["cache"] == "ok"
    # The broker configured by the settings: Redis when REDIS_URL is set, else the embedded filesystem transport.
    expected = "redis" if settings.CELERY_BROKER_URL.startswith("redis") else "filesystem"
    assert body["broker_transport"] == expected


@pytest.mark.django_db
def test_unreachable_broker_is_degraded_not_down_and_says_so(client, broker_url):
    # Given a broker nobody answers at (nothing listens on port 1)
    configured = celery_app.conf.broker_url
    broker_url("redis://127.0.0.1:1/0")

    # When the load balancer asks
    started = time.monotonic()
    response = client.get("/healthz")

    # Then it hears quickly that the web serves, degraded: messages wait in the outbox until the broker is back
    assert time.monotonic() - started < 3, "the check must give up quickly"
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["database"] == "ok"
    assert body["broker"].startswith("error:")
    assert body["broker_transport"] == "redis"
    assert configured != "redis://127.0.0.1:1/0"


@pytest.mark.django_db
def test_unreachable_cache_is_degraded_and_says_so(client, settings):
    # Given a Redis cache nobody answers at
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.25},
        }
    }

    started = time.monotonic()
    response = client.get("/healthz")

    assert time.monotonic() - started < 3
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["cache"].startswith("error:")
    assert body["database"] == "ok"


def test_the_broker_setting_is_back_after_the_broken_broker_test(settings):
    assert celery_app.conf.broker_url == settings.CELERY_BROKER_URL


@pytest.mark.django_db
def test_unreachable_database_gives_503_and_says_so(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("config.health.connection.cursor", refuse)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert response.json()["database"] == "error: OperationalError: connection refused"


def test_healthz_only_answers_get(client):
    assert client.post("/healthz").status_code == 405
