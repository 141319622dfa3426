"""The partner API's authenticated keys, kept in the shared cache for a few seconds so that most requests do not
query PostgreSQL for the key, its carrier and its user.

Only a usable key is kept (never an unknown or revoked one). Revoking a key deletes its entry once the revocation
commits; a carrier or user deactivated meanwhile is refused once the entry expires (REDRESS_API_KEY_CACHE_SECONDS).
The cache is an optimisation only: when Redis cannot be reached every request reads the key from PostgreSQL, the
failure is logged, and the cache is tried again after RETRY_AFTER seconds (in between no request waits for it)."""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.cache import cache

from accounts.models import ApiKey

logger = logging.getLogger(__name__)

RETRY_AFTER = 5.0
_down_until = 0.0


def _key(key_hash: str) -> str:
    return f"apikey:{key_hash}"


def _failed(error: Exception) -> None:
    global _down_until
    _down_until = time.monotonic() + RETRY_AFTER
    logger.warning(
        "API keys: the shared cache failed (%s: %s); reading keys from the database, retrying in %d s",
        error.__class__.__name__,
        error,
        RETRY_AFTER,
    )


def _usable() -> bool:
    return settings.REDRESS_API_KEY_CACHE_SECONDS > 0 and time.monotonic() >= _down_until


def cached_key(key_hash: str) -> ApiKey | None:
    if not _usable():
        return None
    try:
        return cache.get(_key(key_hash))
    except Exception as error:  # any failure of the cache server: authentication must not fail with it
        _failed(error)
        return None


def remember_key(api_key: ApiKey) -> None:
    if not _usable():
        return
    try:
        cache.set(_key(api_key.key_hash), api_key, timeout=settings.REDRESS_API_KEY_CACHE_SECONDS)
    except Exception as error:
        _failed(error)


def forget_key(key_hash: str) -> None:
    # Tried even while the cache is marked down: a revoked key must not be found there once it answers again.
    try:
        cache.delete(_key(key_hash))
    except Exception as error:
        logger.error(
            "API keys: could not drop a revoked key from the shared cache (%s: %s); it expires within %d s",
            error.__class__.__name__,
            error,
            settings.REDRESS_API_KEY_CACHE_SECONDS,
        )


def reset() -> None:
    """Forget the cache's failure (tests)."""
    global _down_until
    _down_until = 0.0
