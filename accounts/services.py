"""Business actions on accounts: the partner API's keys."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from accounts.models import ApiKey, Carrier, User
from accounts.roles import GROUP_CARRIER

KEY_PREFIX = "rk_"
# Write last_used_at at most this often: the common request then costs no write at all.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def api_key_hash(raw_key: str) -> str:
    # A 256-bit random key needs no slow hash: SHA-256 cannot be reversed or guessed from it.
    return hashlib.sha256(raw_key.encode("utf-8")).hexdigest()


def carrier_api_user(*, carrier: Carrier) -> User:
    """The carrier's API user: the actor of everything done with the carrier's keys. Never staff, no password."""
    user, created = User.objects.get_or_create(
        username=f"api-{carrier.code.lower()}",
        defaults={"carrier": carrier, "first_name": carrier.name_en[:150], "is_staff": False},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
        user.groups.add(Group.objects.get_or_create(name=GROUP_CARRIER)[0])
    return user


def api_key_issue(*, carrier: Carrier, name: str = "") -> tuple[ApiKey, str]:
    """A new key for the carrier. Returns the row and the key itself, which is never stored and cannot be shown
    again."""
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        user = carrier_api_user(carrier=carrier)
        key = ApiKey.objects.create(carrier=carrier, user=user, name=(name or "").strip()[:100],
                                    prefix=raw[:12], key_hash=api_key_hash(raw))
    return key, raw


def api_key_revoke(*, api_key: ApiKey, at: datetime | None = None) -> ApiKey:
    """Revoke a key at once; revoking twice changes nothing."""
    at = at or timezone.now()
    ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(revoked_at=at)
    api_key.refresh_from_db(fields=["revoked_at"])
    return api_key


def api_key_touch(*, api_key: ApiKey, at: datetime | None = None) -> None:
    """Record that the key was used, at most once per LAST_USED_RESOLUTION."""
    at = at or timezone.now()
    if api_key.last_used_at is not None and at - api_key.last_used_at < LAST_USED_RESOLUTION:
        return
    ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=at)
    api_key.last_used_at = at
