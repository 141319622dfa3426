"""Rate limits per carrier (all of a carrier's keys share one budget), from REDRESS_API_RATE (e.g. 600/minute).

A fixed window counted with the cache's atomic increment: two cache round trips per request, exact under
concurrency (DRF's sliding-window throttle rewrites a list of timestamps per request and can over-admit under
concurrency). A burst at a window's edge can reach twice the rate for a moment, which the limit tolerates."""

from __future__ import annotations

import math
import time

from django.core.cache import cache
from rest_framework.settings import api_settings
from rest_framework.throttling import BaseThrottle, SimpleRateThrottle


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
        key = f"throttle:{self.scope}:{carrier_id}:{window}"
        cache.add(key, 0, timeout=duration + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=duration + 1)
            count = 1
        if count <= limit:
            return True
        self.wait_seconds = (window + 1) * duration - now
        return False

    def wait(self) -> float | None:
        return math.ceil(self.wait_seconds) if self.wait_seconds is not None else None
