"""The agents' work queues: the one-click views of the complaint changelist (mine, unassigned at my level, due soon,
breached, waiting on the carrier, reopened, high risk), each a condition on Complaint, and their counts, capped so a
count costs the same on ten million rows as on a thousand. Reads only: the admin's queue filter asks these."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.roles import is_supervisor
from complaints.choices import OPEN_STATUSES, EscalationLevel, EventKind, Status
from complaints.models import Complaint, ComplaintEvent
from complaints.selectors import overdue_condition

DUE_SOON = timedelta(hours=4)
CARRIER_WAIT = timedelta(hours=24)
# A view's count stops here: "999+" says there is more, without counting millions of rows.
QUEUE_COUNT_CAP = 999


class Queue(models.TextChoices):
    MINE = "mine", _("Mine")
    UNASSIGNED = "unassigned", _("Unassigned at my level")
    DUE_SOON = "due_soon", _("Due within 4 h")
    BREACHED = "breached", _("Breached")
    CARRIER_WAITING = "carrier_waiting", _("Awaiting carrier > 24 h")
    REOPENED = "reopened", _("Reopened")
    HIGH_RISK = "high_risk", _("High risk")
    ESCALATED = "escalated", _("Escalation queue")
    ALL = "all", _("All complaints")


HIGH_RISK = (
    Q(risk_medical=True)
    | Q(risk_social_media=True)
    | Q(risk_regulator=True)
    | Q(risk_repeat=True)
    | Q(risk_high_value=True)
)


def user_level(*, user: User) -> int:
    """The escalation level a user works at: supervisors take level 1, everyone else the frontline."""
    return EscalationLevel.SUPERVISOR if is_supervisor(user) else EscalationLevel.FRONTLINE


def queues_for(*, user: User) -> list[str]:
    """The views this user is offered, in the order shown. The escalation queue is the supervisors'."""
    return [q for q in Queue if q != Queue.ESCALATED or is_supervisor(user)]


def queue_condition(*, queue: str, user: User, now: datetime, level: int | None = None) -> Q:
    """The complaints in one view, for this user. `level` narrows "unassigned" to another level than the user's own
    (supervisors look at each level's unassigned work)."""
    is_open = Q(status__in=OPEN_STATUSES)
    if queue == Queue.MINE:
        return is_open & Q(owner=user)
    if queue == Queue.UNASSIGNED:
        return is_open & Q(owner__isnull=True, escalation_level=user_level(user=user) if level is None else level)
    if queue == Queue.DUE_SOON:
        return is_open & Q(next_due_at__gte=now, next_due_at__lt=now + DUE_SOON)
    if queue == Queue.BREACHED:
        return overdue_condition(now=now)
    if queue == Queue.CARRIER_WAITING:
        # Handed to the carrier more than 24 h ago: no hand-over since then (the event_timeline index answers it).
        recent_handover = ComplaintEvent.objects.filter(
            complaint=OuterRef("pk"), kind=EventKind.HANDED_TO_CARRIER, created_at__gte=now - CARRIER_WAIT
        )
        return Q(status=Status.AWAITING_CARRIER) & ~Exists(recent_handover)
    if queue == Queue.REOPENED:
        return Q(status=Status.REOPENED)
    if queue == Queue.HIGH_RISK:
        return is_open & HIGH_RISK
    if queue == Queue.ESCALATED:
        return is_open & Q(escalation_level__gte=EscalationLevel.SUPERVISOR)
    return Q()


def queue_count(*, condition: Q, cap: int = QUEUE_COUNT_CAP) -> int:
    """How many complaints match, counting at most cap + 1 (`SELECT count(*) FROM (… LIMIT cap + 1)`)."""
    return Complaint.objects.filter(condition).order_by()[: cap + 1].count()


def queue_count_display(count: int, *, cap: int = QUEUE_COUNT_CAP) -> str:
    return f"{cap}+" if count > cap else str(count)
