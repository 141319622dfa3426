"""The clock sweep (beat, every minute): warnings before a target, breaches after it, and escalation a level up on a
breach.

It claims complaints with `select_for_update(skip_locked=True)` so two sweeps never work on the same complaint.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from complaints.bulk import complaints_update_many
from complaints.choices import (
    OPEN_STATUSES,
    AlertKind,
    Clock,
    EventKind,
    Visibility,
)
from complaints.events import event_build, events_record_many
from complaints.followups.messages import staff_message
from complaints.followups.outbox import messages_enqueue
from complaints.models import ClockAlert, Complaint, SlaPolicy
from complaints.recount import figures_recount, local_day
from complaints.sla.clocks import (
    ALERTING_CLOCKS,
    DUE_FIELDS,
    next_alert,
    warn_at,
)
from complaints.sla.escalate import MAX_LEVEL


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
    policies = {p.pk: p for p in SlaPolicy.objects.select_related("calendar").prefetch_related("calendar__closures")}
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
                    alerts.append(
                        ClockAlert(
                            complaint=complaint, clock=clock, kind=AlertKind.BREACH, due_at=due_at, recorded_at=now
                        )
                    )
                    result.breaches += 1
                    late = now - due_at
                    events.append(
                        event_build(
                            complaint=complaint,
                            kind=EventKind.SLA_BREACH,
                            at=now,
                            visibility=Visibility.PUBLIC,
                            data={
                                "clock": clock,
                                "due_at": due_at.isoformat(),
                                "late_seconds": int(late.total_seconds()),
                            },
                        )
                    )
                    previous_level = complaint.escalation_level
                    if previous_level < MAX_LEVEL:
                        complaint.escalation_level = previous_level + 1
                        previous_owner = complaint.owner
                        complaint.owner = None  # to the new level's queue
                        escalated = True
                        result.escalations += 1
                        events.append(
                            event_build(
                                complaint=complaint,
                                kind=EventKind.ESCALATED,
                                at=now,
                                visibility=Visibility.PUBLIC,
                                data={
                                    "from_level": previous_level,
                                    "to_level": complaint.escalation_level,
                                    "reason": "sla_breach",
                                    "clock": clock,
                                    "previous_owner": previous_owner.username if previous_owner else None,
                                },
                            )
                        )
                    messages.append(_alert_message(complaint, clock, AlertKind.BREACH, due_at, now))
                elif (clock, AlertKind.WARNING, due_at) not in seen and warn_at(policy, clock, due_at) <= now:
                    seen.add((clock, AlertKind.WARNING, due_at))
                    alerts.append(
                        ClockAlert(
                            complaint=complaint, clock=clock, kind=AlertKind.WARNING, due_at=due_at, recorded_at=now
                        )
                    )
                    result.warnings += 1
                    events.append(
                        event_build(
                            complaint=complaint,
                            kind=EventKind.SLA_WARNING,
                            at=now,
                            visibility=Visibility.INTERNAL,
                            data={
                                "clock": clock,
                                "due_at": due_at.isoformat(),
                            },
                        )
                    )
                    messages.append(_alert_message(complaint, clock, AlertKind.WARNING, due_at, now))
        due = {clock: getattr(complaint, name) for clock, name in DUE_FIELDS.items() if getattr(complaint, name)}
        complaint.next_alert_at = next_alert(policy=policy, due=due, recorded=seen)
        if escalated:
            complaint.version += 1
            complaint.updated_at = now
        changed.append(complaint)
        result.complaints += 1

    ClockAlert.objects.bulk_create(alerts)
    # A breach counts in the day it was due: one recorded after that day changes a day the report may have rolled up.
    today = local_day(now)
    late_days = {local_day(a.due_at) for a in alerts if a.kind == AlertKind.BREACH} - {today}
    if late_days:
        figures_recount(days=late_days)
    events_record_many(events=events, now=now)
    messages_enqueue([m for m in messages if m is not None])
    complaints_update_many(changed, ["escalation_level", "owner", "version", "updated_at", "next_alert_at"])


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
            subject = _("%(ref)s: %(clock)s due at %(due)s") % {
                "ref": complaint.reference,
                "clock": clock_label,
                "due": local_due,
            }
        else:
            subject = _("%(ref)s missed %(clock)s (due %(due)s), now at level %(level)d") % {
                "ref": complaint.reference,
                "clock": clock_label,
                "due": local_due,
                "level": complaint.escalation_level,
            }
    return staff_message(
        complaint=complaint,
        period=f"{clock}:{kind}:{due_at.isoformat()}",
        recipient=recipient,
        subject=subject,
        now=now,
        carrier_reminder=clock in (Clock.CARRIER_ACCEPT, Clock.CARRIER_REPLY),
    )
