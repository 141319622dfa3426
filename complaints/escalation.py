"""Clocks kept and misses escalated: due-time refresh, the clock sweep, and manual escalation.

Level 0 frontline agent → level 1 supervisor → level 2 complaint centre. A warning at the policy's threshold tells
the owner; a breach records an `sla_breach` event, raises the level by one, hands the complaint to that level's
queue and alerts it. Each happens exactly once per clock and cycle: the ClockAlert row is unique, and the sweep
claims complaints with `select_for_update(skip_locked=True)` so two sweeps never work on the same complaint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role, is_supervisor, user_role
from complaints.choices import OPEN_STATUSES, AlertKind, Clock, EventKind, MessageKind, Visibility
from complaints.clocks import ALERTING_CLOCKS, DUE_FIELDS, compute_clocks, next_alert, policy_for, warn_at
from complaints.errors import InvalidInput, NotAllowed
from complaints.models import ClockAlert, Complaint, ComplaintEvent, SlaPolicy
from complaints.outbox import messages_enqueue, staff_message
from complaints.rows import instance_sync
from complaints.webhooks import webhook_deliveries_enqueue, webhook_deliveries_enqueue_many

MAX_LEVEL = 2


def active_policies() -> list[SlaPolicy]:
    return list(SlaPolicy.objects.filter(is_active=True).order_by("position", "id"))


def complaint_refresh_clocks(*, complaint: Complaint, policies: list[SlaPolicy] | None = None) -> Complaint:
    """Recompute the complaint's due times from its history and store them (no version bump: nothing a person
    changed). Called inside every action's transaction and when policies change."""
    policies = active_policies() if policies is None else policies
    policy = policy_for(complaint, policies)
    events = list(ComplaintEvent.objects.filter(complaint=complaint).only("kind", "created_at", "data", "actor_role"))
    clocks = compute_clocks(complaint=complaint, events=events, policy=policy)
    recorded = set(ClockAlert.objects.filter(complaint=complaint).values_list("clock", "kind", "due_at"))
    values = clocks.field_values()
    values["next_alert_at"] = next_alert(policy=policy, due=clocks.due, recorded=recorded)
    values["sla_policy"] = policy
    for name, value in values.items():
        setattr(complaint, name, value)
    Complaint.objects.filter(pk=complaint.pk).update(**values)
    return complaint


def complaints_refresh_all_clocks(*, batch_size: int = 500) -> int:
    """Recompute every open complaint (after a policy change). Returns how many were recomputed."""
    policies = active_policies()
    count = 0
    ids = list(Complaint.objects.filter(status__in=OPEN_STATUSES).values_list("pk", flat=True))
    for start in range(0, len(ids), batch_size):
        with transaction.atomic():
            for complaint in Complaint.objects.filter(pk__in=ids[start:start + batch_size]):
                complaint_refresh_clocks(complaint=complaint, policies=policies)
                count += 1
    return count


@dataclass
class SweepResult:
    warnings: int = 0
    breaches: int = 0
    escalations: int = 0
    complaints: int = 0
    details: list[str] = field(default_factory=list)


def clocks_sweep(*, now: datetime | None = None, batch_size: int = 500) -> SweepResult:
    """Record every warning and breach that is due, escalate on breaches, alert the people concerned.
    A constant number of queries per batch, whatever the number of complaints."""
    now = now or timezone.now()
    policies = {p.pk: p for p in SlaPolicy.objects.all()}
    result = SweepResult()
    while True:
        with transaction.atomic():
            claimed = list(
                Complaint.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(next_alert_at__lte=now, status__in=OPEN_STATUSES)
                .select_related("owner", "carrier")
                .order_by("next_alert_at", "pk")[:batch_size]
            )
            if not claimed:
                return result
            _sweep_batch(claimed, policies=policies, now=now, result=result)


def _sweep_batch(claimed: list[Complaint], *, policies: dict, now: datetime, result: SweepResult) -> None:
    recorded: dict[int, set] = {c.pk: set() for c in claimed}
    for complaint_id, clock, kind, due_at in ClockAlert.objects.filter(complaint__in=claimed).values_list(
        "complaint_id", "clock", "kind", "due_at"
    ):
        recorded[complaint_id].add((clock, kind, due_at))

    alerts, events, messages, changed = [], [], [], []
    for complaint in claimed:
        policy = policies.get(complaint.sla_policy_id)
        seen = recorded[complaint.pk]
        escalated = False
        if policy is not None:
            for clock in ALERTING_CLOCKS:
                due_at = getattr(complaint, DUE_FIELDS[clock])
                if due_at is None or (clock, AlertKind.BREACH, due_at) in seen:
                    continue
                if due_at <= now:
                    seen.add((clock, AlertKind.BREACH, due_at))
                    alerts.append(ClockAlert(complaint=complaint, clock=clock, kind=AlertKind.BREACH, due_at=due_at,
                                             recorded_at=now))
                    result.breaches += 1
                    late = now - due_at
                    events.append(_event(complaint, EventKind.SLA_BREACH, now, data={
                        "clock": clock, "due_at": due_at.isoformat(), "late_seconds": int(late.total_seconds()),
                    }))
                    previous_level = complaint.escalation_level
                    if previous_level < MAX_LEVEL:
                        complaint.escalation_level = previous_level + 1
                        previous_owner = complaint.owner
                        complaint.owner = None  # to the new level's queue
                        escalated = True
                        result.escalations += 1
                        events.append(_event(complaint, EventKind.ESCALATED, now, data={
                            "from_level": previous_level, "to_level": complaint.escalation_level,
                            "reason": "sla_breach", "clock": clock,
                            "previous_owner": previous_owner.username if previous_owner else None,
                        }))
                    messages.append(_alert_message(complaint, clock, AlertKind.BREACH, due_at, now))
                elif (clock, AlertKind.WARNING, due_at) not in seen and warn_at(policy, clock, due_at) <= now:
                    seen.add((clock, AlertKind.WARNING, due_at))
                    alerts.append(ClockAlert(complaint=complaint, clock=clock, kind=AlertKind.WARNING,
                                             due_at=due_at, recorded_at=now))
                    result.warnings += 1
                    events.append(_event(complaint, EventKind.SLA_WARNING, now, data={
                        "clock": clock, "due_at": due_at.isoformat(),
                    }))
                    messages.append(_alert_message(complaint, clock, AlertKind.WARNING, due_at, now))
        due = {clock: getattr(complaint, name) for clock, name in DUE_FIELDS.items() if getattr(complaint, name)}
        complaint.next_alert_at = next_alert(policy=policy, due=due, recorded=seen)
        if escalated:
            complaint.version += 1
            complaint.updated_at = now
        changed.append(complaint)
        result.complaints += 1

    ClockAlert.objects.bulk_create(alerts)
    ComplaintEvent.objects.bulk_create(events)
    webhook_deliveries_enqueue_many(events=events, now=now)
    messages_enqueue([m for m in messages if m is not None])
    Complaint.objects.bulk_update(
        changed, ["escalation_level", "owner", "version", "updated_at", "next_alert_at"], batch_size=500
    )


def _event(complaint: Complaint, kind: str, at: datetime, *, data: dict, actor: User | None = None,
           message: str = "") -> ComplaintEvent:
    return ComplaintEvent(
        complaint=complaint, kind=kind, actor=actor, actor_role=user_role(actor), visibility=Visibility.INTERNAL
        if kind in (EventKind.SLA_WARNING,) else Visibility.PUBLIC, message=message, data=data, created_at=at,
    )


def level_recipient(level: int) -> str:
    return settings.REDRESS_ESCALATION_RECIPIENTS[min(level, MAX_LEVEL)]


def _alert_message(complaint: Complaint, clock: str, kind: str, due_at: datetime, now: datetime):
    """Warnings go to the owner (or the level's queue when unowned); breaches to the new level's queue.
    A carrier clock also reminds the carrier."""
    if kind == AlertKind.WARNING and complaint.owner is not None and complaint.owner.email:
        recipient = complaint.owner.email
    else:
        recipient = level_recipient(complaint.escalation_level)
    with translation.override(settings.LANGUAGE_CODE):
        clock_label = str(Clock(clock).label)
        local_due = timezone.localtime(due_at).strftime("%Y-%m-%d %H:%M")
        if kind == AlertKind.WARNING:
            subject = _("%(ref)s: %(clock)s due at %(due)s") % {"ref": complaint.reference, "clock": clock_label,
                                                                   "due": local_due}
        else:
            subject = _("%(ref)s missed %(clock)s (due %(due)s), now at level %(level)d") % {
                "ref": complaint.reference, "clock": clock_label, "due": local_due,
                "level": complaint.escalation_level}
    return staff_message(
        complaint=complaint, period=f"{clock}:{kind}:{due_at.isoformat()}", recipient=recipient,
        subject=subject, now=now,
        carrier_reminder=clock in (Clock.CARRIER_ACCEPT, Clock.CARRIER_REPLY),
    )


# --- Manual escalation (supervisors) --------------------------------------------------------------------------------


def complaint_escalate(
    *, complaint: Complaint, actor: User, reason: str, to_level: int | None = None,
    expected_version: int | None = None, at: datetime | None = None,
) -> Complaint:
    """Raise (or with a lower to_level, lower) the escalation level by hand, with a reason."""
    from complaints.services import _check_version, _lock, _save

    if not (is_supervisor(actor) or actor.has_perm("complaints.escalate_complaint")):
        raise NotAllowed(_("Only supervisors can escalate or de-escalate complaints."))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Say why the level changes."), fields={"reason": [_("Write a reason.")]})
    at = at or timezone.now()
    with transaction.atomic():
        fresh = _lock(complaint)
        target_level = fresh.escalation_level + 1 if to_level is None else int(to_level)
        if not 0 <= target_level <= MAX_LEVEL:
            raise InvalidInput(_("The level must be 0, 1 or 2."), fields={"to_level": [_("Choose 0, 1 or 2.")]})
        if target_level == fresh.escalation_level:
            return instance_sync(complaint, fresh)
        _check_version(fresh, expected_version)
        previous = fresh.escalation_level
        fresh.escalation_level = target_level
        _save(fresh, ["escalation_level"], at=at)
        kind = EventKind.ESCALATED if target_level > previous else EventKind.DE_ESCALATED
        event = ComplaintEvent.objects.create(
            complaint=fresh, kind=kind, actor=actor, actor_role=Role.SUPERVISOR, visibility=Visibility.INTERNAL,
            message=reason, data={"from_level": previous, "to_level": target_level, "reason": "manual"},
            created_at=at,
        )
        webhook_deliveries_enqueue(event=event)
    return instance_sync(complaint, fresh)


def escalation_queue():
    """Complaints waiting at supervisor level or above, nearest due first."""
    return (
        Complaint.objects.filter(status__in=OPEN_STATUSES, escalation_level__gte=1)
        .select_related("carrier", "owner")
        .order_by(F("next_due_at").asc(nulls_last=True))
    )




# --- SLA policies (supervisors) -------------------------------------------------------------------------------------


def _refresh_all_clocks_soon() -> None:
    """Recompute open complaints' due times in the worker; if the task cannot be enqueued, do it here and now."""
    import logging

    from complaints.tasks import refresh_all_clocks

    try:
        refresh_all_clocks.delay()
    except Exception:  # the broker is down or misconfigured: the due times must still follow the policy
        logging.getLogger(__name__).warning("refresh_all_clocks could not be enqueued; running it inline",
                                            exc_info=True)
        complaints_refresh_all_clocks()


def sla_policy_save(*, policy: SlaPolicy, actor: User) -> SlaPolicy:
    """Save an SLA policy (supervisors only) and, once committed, recompute the due times of open complaints."""
    if not is_supervisor(actor):
        raise NotAllowed(_("Only supervisors can change SLA policies."))
    with transaction.atomic():
        policy.save()
        transaction.on_commit(_refresh_all_clocks_soon)
    return policy
