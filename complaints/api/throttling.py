"""Rate limits per carrier (all of a carrier's keys share one budget), from REDRESS_API_RATE."""

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class CarrierRateThrottle(SimpleRateThrottle):
    scope = "carrier"

    def get_rate(self):
        # Read on each request so settings overrides (tests, env) take effect.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view):
        carrier_id = getattr(request.user, "carrier_id", None)
        if carrier_id is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": carrier_id}
