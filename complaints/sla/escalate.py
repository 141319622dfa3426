"""Supervisors' actions on escalation and SLA policies."""

from __future__ import annotations

import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import audit_record
from accounts.models import AuditAction, User
from accounts.roles import is_supervisor
from complaints import nudges
from complaints.choices import (
    EventKind,
    Visibility,
)
from complaints.errors import InvalidInput, NotAllowed
from complaints.events import event_record
from complaints.guards import (
    complaint_check_version,
    complaint_lock,
    complaint_save,
    instance_sync,
)
from complaints.models import Complaint, SlaPolicy, WorkingCalendar
from complaints.sla.refresh import complaints_refresh_all_clocks

logger = logging.getLogger(__name__)

MAX_LEVEL = 2


def complaint_escalate(
    *,
    complaint: Complaint,
    actor: User,
    reason: str,
    to_level: int | None = None,
    expected_version: int | None = None,
    at: datetime | None = None,
) -> Complaint:
    """Raise (or with a lower to_level, lower) the escalation level by hand, with a reason."""
    if not (is_supervisor(actor) or actor.has_perm("complaints.escalate_complaint")):
        raise NotAllowed(_("Only supervisors can escalate or de-escalate complaints."))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Say why the level changes."), fields={"reason": [_("Write a reason.")]})
    at = at or timezone.now()
    with transaction.atomic():
        fresh = complaint_lock(complaint=complaint)
        target_level = fresh.escalation_level + 1 if to_level is None else int(to_level)
        if not 0 <= target_level <= MAX_LEVEL:
            raise InvalidInput(_("The level must be 0, 1 or 2."), fields={"to_level": [_("Choose 0, 1 or 2.")]})
        if target_level == fresh.escalation_level:
            return instance_sync(complaint, fresh)
        complaint_check_version(fresh, expected_version)
        previous = fresh.escalation_level
        fresh.escalation_level = target_level
        complaint_save(fresh, ["escalation_level"], at=at)
        kind = EventKind.ESCALATED if target_level > previous else EventKind.DE_ESCALATED
        event_record(
            complaint=fresh,
            kind=kind,
            actor=actor,
            visibility=Visibility.INTERNAL,
            message=reason,
            data={"from_level": previous, "to_level": target_level, "reason": "manual"},
            at=at,
        )
    return instance_sync(complaint, fresh)


def working_calendar_save(*, calendar: WorkingCalendar, actor: User) -> WorkingCalendar:
    """Save a working calendar (supervisors only). Once committed (with the closures edited beside it), the due
    times of open complaints are recomputed when a policy counts on the calendar."""
    if not is_supervisor(actor):
        raise NotAllowed(_("Only supervisors can change working calendars."))
    with transaction.atomic():
        calendar.save()
        if SlaPolicy.objects.filter(calendar=calendar).exists():
            transaction.on_commit(_refresh_all_clocks_soon)
    return calendar


def _refresh_all_clocks_soon() -> None:
    """Recompute open complaints' due times in the worker; if the task cannot be enqueued, do it here and now."""
    try:
        nudges.task_enqueue(nudges.REFRESH_ALL_CLOCKS)
    except Exception:  # the broker is down or misconfigured: the due times must still follow the policy
        logger.warning("refresh_all_clocks could not be enqueued; running it inline", exc_info=True)
        complaints_refresh_all_clocks()


# What an SLA policy says (not its bookkeeping): what the audit trail compares (a calendar by its id).
_POLICY_AUDITED = tuple(
    (field.name, field.attname) for field in SlaPolicy._meta.concrete_fields if field.name not in ("id", "updated_at")
)


def sla_policy_save(*, policy: SlaPolicy, actor: User) -> SlaPolicy:
    """Save an SLA policy (supervisors only) and, once committed, recompute the due times of open complaints. The
    audit trail records who changed what (each changed setting, before and after)."""
    if not is_supervisor(actor):
        raise NotAllowed(_("Only supervisors can change SLA policies."))
    with transaction.atomic():
        stored = SlaPolicy.objects.select_for_update().filter(pk=policy.pk).first() if policy.pk else None
        policy.save()
        changed = {
            name: [getattr(stored, attname) if stored else None, getattr(policy, attname)]
            for name, attname in _POLICY_AUDITED
            if stored is None or getattr(stored, attname) != getattr(policy, attname)
        }
        if stored is None or changed:
            audit_record(
                actor=actor,
                action=AuditAction.SLA_POLICY_SAVED,
                target=policy,
                data={"created": stored is None, "changed": changed},
            )
        transaction.on_commit(_refresh_all_clocks_soon)
    return policy
