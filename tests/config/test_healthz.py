"""GET /healthz: the database and the broker, 200 when both answer, 503 and the reason otherwise."""

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
    # The broker configured by the settings: Redis when REDIS_URL is set, else the embedded filesystem transport.
    expected = "redis" if settings.CELERY_BROKER_URL.startswith("redis") else "filesystem"
    assert body["broker_transport"] == expected


@pytest.mark.django_db
def test_unreachable_broker_gives_503_and_says_so(client, broker_url):
    configured = celery_app.conf.broker_url
    broker_url("redis://127.0.0.1:1/0")  # nothing listens on port 1

    started = time.monotonic()
    response = client.get("/healthz")

    assert time.monotonic() - started < 15, "the check must give up quickly"
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"] == "ok"
    assert body["broker"].startswith("error:")
    assert body["broker_transport"] == "redis"
    assert configured != "redis://127.0.0.1:1/0"


def test_the_broker_setting_is_back_after_the_broken_broker_test(settings):
    assert celery_app.conf.broker_url == settings.CELERY_BROKER_URL


@pytest.mark.django_db
def test_unreachable_database_gives_503_and_says_so(client, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("config.health.connection.cursor", refuse)

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["database"] == "error: OperationalError: connection refused"


def test_healthz_only_answers_get(client):
    assert client.post("/healthz").status_code == 405
