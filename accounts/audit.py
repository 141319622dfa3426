"""The audit trail: who changed the operation's settings, and when.

Changes that reach beyond one complaint are recorded here, one `AuditEntry` each, by the service that makes them,
inside its own transaction (the entry commits or rolls back with the change):

- SLA policy saved (moves every open complaint's due times): complaints.sla.escalate.sla_policy_save
- webhook endpoint saved, its secret rotated, a delivery replayed: complaints.partners.webhooks.endpoints
- partner API key issued or revoked: accounts.services
- a stored weekly report recomputed: reports.services.weekly_report_build

A complaint's own history is its timeline (ComplaintEvent), not this. Supervisors read the trail in the admin
(read-only). An entry never holds a secret: a key or secret is named by its prefix at most (audit_record refuses
anything longer under a sensitive name).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from accounts.models import AuditAction, AuditEntry, User

# Keys of `data` that may name a secret: their value is at most a prefix.
SENSITIVE_KEY_PARTS = ("secret", "password", "token", "hash", "key")
PREFIX_MAX_LENGTH = 12


def audit_record(
    *,
    actor: User | None,
    action: AuditAction | str,
    target: models.Model,
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Record one change to the operation's settings: who (None: the system or a command-line job), what, on
    which object, with the details that say what changed. Call it inside the change's transaction."""
    if action not in AuditAction.values:
        raise ValueError(f"Unknown audit action {action!r}.")
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record runs inside the transaction of the change it records.")
    data = dict(data or {})
    _refuse_secrets(data)
    return AuditEntry.objects.create(
        created_at=at or timezone.now(),
        actor=actor if actor is not None and actor.pk else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        target_repr=str(target)[:200],
        data=data,
    )


def _refuse_secrets(data: Any, path: str = "") -> None:
    if isinstance(data, dict):
        for key, value in data.items():
            name = f"{path}.{key}" if path else str(key)
            lowered = str(key).lower()
            if any(part in lowered for part in SENSITIVE_KEY_PARTS) and not _harmless(value):
                raise ValueError(f"Audit data {name!r} may hold a secret: record a prefix at most.")
            _refuse_secrets(value, name)
    elif isinstance(data, list | tuple):
        for index, value in enumerate(data):
            _refuse_secrets(value, f"{path}[{index}]")


def _harmless(value: Any) -> bool:
    if value is None or isinstance(value, bool | int | float):
        return True
    if isinstance(value, str):
        return len(value) <= PREFIX_MAX_LENGTH
    return isinstance(value, dict | list | tuple)  # looked into by _refuse_secrets
