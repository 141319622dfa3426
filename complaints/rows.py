"""Row helpers the services share."""

from __future__ import annotations

from typing import TypeVar

from django.db import models

M = TypeVar("M", bound=models.Model)


def instance_sync(target: M, fresh: M) -> M:
    """A service locks and writes a fresh copy of the row; copy its saved state onto the caller's instance too, so
    callers never hold a stale version. Returns the fresh copy."""
    if target is not fresh:
        for field in type(fresh)._meta.concrete_fields:
            setattr(target, field.attname, getattr(fresh, field.attname))
        target._state.fields_cache.clear()
    return fresh
