"""Business actions on accounts: the role groups' permissions and the partner API's keys."""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import datetime, timedelta
from typing import NamedTuple

from django.contrib.auth.models import Group, Permission
from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils import timezone

from accounts import keycache
from accounts.audit import audit_record
from accounts.models import ApiKey, AuditAction, Carrier, User
from accounts.roles import GROUP_CARRIER, ROLE_PERMISSIONS

logger = logging.getLogger(__name__)

KEY_PREFIX = "rk_"
# Write last_used_at at most this often: the common request then costs no write at all.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class RoleChange(NamedTuple):
    added: frozenset[str]
    removed: frozenset[str]


def role_permissions_sync(*, using: str = DEFAULT_DB_ALIAS) -> dict[str, RoleChange]:
    """Give each role group exactly its ROLE_PERMISSIONS: create a missing group, add what it lacks, remove what the
    map does not give it. Permissions not created yet (their model is not migrated) are skipped with a warning.
    Returns what changed, per group; a second run returns {}. Other groups are left alone."""
    wanted = frozenset().union(*ROLE_PERMISSIONS.values())
    existing = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.using(using)
        .filter(codename__in={dotted.split(".", 1)[1] for dotted in wanted})
        .values_list("pk", "content_type__app_label", "codename")
        if f"{app_label}.{codename}" in wanted
    }
    if missing := wanted - existing.keys():
        logger.warning("Role permissions not created yet, skipped: %s", ", ".join(sorted(missing)))
    changes: dict[str, RoleChange] = {}
    with transaction.atomic(using=using):
        for name, permissions in ROLE_PERMISSIONS.items():
            group, _ = Group.objects.using(using).get_or_create(name=name)
            current = {
                f"{app_label}.{codename}": pk
                for pk, app_label, codename in group.permissions.values_list(
                    "pk", "content_type__app_label", "codename"
                )
            }
            added = frozenset(permissions & existing.keys()) - current.keys()
            removed = frozenset(current.keys() - permissions)
            group.permissions.add(*(existing[dotted] for dotted in added))
            group.permissions.remove(*(current[dotted] for dotted in removed))
            if added or removed:
                changes[name] = RoleChange(added, removed)
                logger.info("Role group %r: added %s; removed %s", name, sorted(added), sorted(removed))
    return changes


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


def api_key_issue(*, carrier: Carrier, name: str = "", actor: User | None = None) -> tuple[ApiKey, str]:
    """A new key for the carrier, issued by `actor` (None: a command-line job). Returns the row and the key itself,
    which is never stored and cannot be shown again; the audit trail names it by its prefix."""
    raw = KEY_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        user = carrier_api_user(carrier=carrier)
        key = ApiKey.objects.create(
            carrier=carrier, user=user, name=(name or "").strip()[:100], prefix=raw[:12], key_hash=api_key_hash(raw)
        )
        audit_record(
            actor=actor,
            action=AuditAction.API_KEY_ISSUED,
            target=key,
            data={"carrier": carrier.code, "name": key.name, "prefix": key.prefix},
        )
    return key, raw


def api_key_authenticate(*, raw_key: str) -> ApiKey | None:
    """The usable key (not revoked, its carrier and user active) whose hash is that of `raw_key`, with its carrier and
    user; None otherwise. Read from the shared cache when it holds the key (accounts/keycache.py), else from the
    database (then kept in the cache for a few seconds). Records the key's use (api_key_touch)."""
    if not raw_key:
        return None
    key_hash = api_key_hash(raw_key)
    key = keycache.cached_key(key_hash)
    cached = key is not None
    if key is None:
        key = ApiKey.objects.select_related("carrier", "user").filter(key_hash=key_hash).first()
        if key is None or key.revoked_at is not None or not key.carrier.is_active or not key.user.is_active:
            return None
    if api_key_touch(api_key=key) or not cached:
        keycache.remember_key(key)
    return key


def api_key_revoke(*, api_key: ApiKey, actor: User | None = None, at: datetime | None = None) -> ApiKey:
    """Revoke a key at once; revoking twice changes nothing (and is audited once). The key leaves the shared cache,
    so its next request is refused."""
    at = at or timezone.now()
    with transaction.atomic():
        revoked = ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(revoked_at=at)
        api_key.refresh_from_db(fields=["revoked_at"])
        # Dropped now and again once the revocation commits: a request that read the key meanwhile may have put
        # it back.
        key_hash = api_key.key_hash
        keycache.forget_key(key_hash)
        transaction.on_commit(lambda: keycache.forget_key(key_hash))
        if revoked:
            audit_record(
                actor=actor,
                action=AuditAction.API_KEY_REVOKED,
                target=api_key,
                data={"carrier": api_key.carrier.code, "name": api_key.name, "prefix": api_key.prefix},
                at=at,
            )
    return api_key


def api_key_touch(*, api_key: ApiKey, at: datetime | None = None) -> bool:
    """Record that the key was used, at most once per LAST_USED_RESOLUTION. True if it was written."""
    at = at or timezone.now()
    if api_key.last_used_at is not None and at - api_key.last_used_at < LAST_USED_RESOLUTION:
        return False
    ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=at)
    api_key.last_used_at = at
    return True
