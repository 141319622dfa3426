"""GET /healthz: JSON saying whether the database, the broker and the cache answer, within a few seconds at most.

- "ok" (200): all three answer.
- "degraded" (200): the database answers, Redis (broker or cache) does not. The web keeps serving: the API reads
  and writes PostgreSQL, rate limits are counted per process, messages wait in the outbox and go out once the broker
  is back. A load balancer must keep sending traffic.
- "unavailable" (503): the database does not answer; nothing can be served.

Each check has its own short timeout, so a Redis that hangs (accepts connections, never answers) makes the answer
"degraded" in about a second instead of holding the request."""

from urllib.parse import urlsplit

import redis
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.celery_app import app as celery_app

BROKER_TIMEOUT_SECONDS = 1.0


def _failure(error: Exception) -> str:
    return f"error: {error.__class__.__name__}: {error}"


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any failure is "down"; the message says why
        return _failure(error)
    return "ok"


def _broker() -> str:
    url = celery_app.conf.broker_url
    try:
        if urlsplit(url).scheme in ("redis", "rediss"):
            # Straight to Redis with our own timeouts: kombu waits on a hung server as long as its options say.
            client = redis.Redis.from_url(
                url, socket_connect_timeout=BROKER_TIMEOUT_SECONDS, socket_timeout=BROKER_TIMEOUT_SECONDS
            )
            try:
                client.ping()
            finally:
                client.close()
        else:
            with celery_app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as error:
        return _failure(error)
    return "ok"


def _cache() -> str:
    # The cache's own timeouts apply (REDRESS_CACHE_TIMEOUT_SECONDS).
    try:
        cache.set("healthz", "ok", timeout=10)
        if cache.get("healthz") != "ok":
            return "error: the value written was not read back"
    except Exception as error:
        return _failure(error)
    return "ok"


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database(), "broker": _broker(), "cache": _cache()}
    if checks["database"] != "ok":
        status = "unavailable"
    elif all(value == "ok" for value in checks.values()):
        status = "ok"
    else:
        status = "degraded"
    return JsonResponse(
        {"status": status, **checks, "broker_transport": celery_app.conf.broker_url.split(":")[0]},
        status=503 if status == "unavailable" else 200,
    )
