"""Rate limits per carrier (all of a carrier's keys share one budget), from REDRESS_API_RATE (e.g. 600/minute).

A fixed window counted with the cache's atomic increment: one round trip to Redis per request, exact under
concurrency (DRF's sliding-window throttle rewrites a list of timestamps per request and can over-admit under
concurrency). A burst at a window's edge can reach twice the rate for a moment, which the limit tolerates.

The counters live in the shared cache (Redis). When it cannot be reached, the API keeps serving: each web process
counts in its own memory instead (so a carrier gets at most the rate per process, not an unlimited one), logs a
warning, and tries the shared cache again after RETRY_SHARED_AFTER seconds; in between no request waits for it."""

from __future__ import annotations

import logging
import math
import threading
import time

from django.core.cache import cache
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle

logger = logging.getLogger("complaints.partners.api")

RETRY_SHARED_AFTER = 5.0


def _increment(store: BaseCache, key: str, timeout: int) -> int:
    count_in_window = getattr(store, "count_in_window", None)
    if count_in_window is not None:  # config.cache.RedisCache: one round trip instead of three
        return count_in_window(key, timeout)
    store.add(key, 0, timeout=timeout)
    try:
        return store.incr(key)
    except ValueError:  # expired between add and incr
        store.set(key, 1, timeout=timeout)
        return 1


class WindowCounter:
    """Counts in the shared cache, or in this process while the shared cache is failing."""

    def __init__(self):
        self.local = LocMemCache("redress-throttle-fallback", {"OPTIONS": {"MAX_ENTRIES": 10_000}})
        self.shared_down_until = 0.0
        self.lock = threading.Lock()

    def increment(self, key: str, *, timeout: int) -> int:
        if time.monotonic() >= self.shared_down_until:
            try:
                count = _increment(cache, key, timeout)
            except Exception as error:  # any failure of the cache server: the API must not fail with it
                with self.lock:
                    self.shared_down_until = time.monotonic() + RETRY_SHARED_AFTER
                logger.warning(
                    "Rate limits: the shared cache failed (%s: %s); counting in this process, retrying in %d s",
                    error.__class__.__name__,
                    error,
                    RETRY_SHARED_AFTER,
                )
            else:
                if self.shared_down_until:
                    with self.lock:
                        self.shared_down_until = 0.0
                    logger.info("Rate limits: the shared cache answers again")
                return count
        return _increment(self.local, key, timeout)

    def reset(self) -> None:
        """Forget the local counts and the cache's failure (tests)."""
        self.local.clear()
        with self.lock:
            self.shared_down_until = 0.0


counter = WindowCounter()


class CarrierRateThrottle(BaseThrottle):
    scope = "carrier"

    def __init__(self):
        self.wait_seconds: float | None = None

    def allow_request(self, request, view) -> bool:
        carrier_id = getattr(request.user, "carrier_id", None)
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
        if carrier_id is None or not rate:
            return True
        limit, duration = SimpleRateThrottle.parse_rate(None, rate)
        now = time.time()
        window = int(now // duration)
        count = counter.increment(f"throttle:{self.scope}:{carrier_id}:{window}", timeout=duration + 1)
        if count <= limit:
            return True
        self.wait_seconds = (window + 1) * duration - now
        return False

    def wait(self) -> float | None:
        return math.ceil(self.wait_seconds) if self.wait_seconds is not None else None
