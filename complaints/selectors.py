"""Reads about complaints. Views, the admin and the API ask these instead of building queries themselves."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet

from accounts.models import User
from complaints.choices import OPEN_STATUSES, TRANSITIONS, EventKind, Status, Visibility
from complaints.models import Complaint, ComplaintEvent

# Statuses reached through complaint_transition (the others have their own action).
PLAIN_TARGETS = (Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.AWAITING_CUSTOMER)


def overdue_condition(*, now: datetime) -> Q:
    """Open, and the nearest running clock is already past its due time: what the admin's "Overdue" filter and the
    API's `overdue=true` both mean."""
    return Q(status__in=OPEN_STATUSES, next_due_at__lt=now)


def complaint_timeline(
    *, complaint: Complaint, include_internal: bool = True, newest_first: bool = True
) -> QuerySet[ComplaintEvent]:
    events = ComplaintEvent.objects.filter(complaint=complaint).select_related("actor")
    if not include_internal:
        events = events.public()
    return events.order_by("-created_at", "-id") if newest_first else events.order_by("created_at", "id")


def complaint_plain_targets(*, complaint: Complaint) -> list[str]:
    """The statuses an agent can move this complaint to with a plain status change."""
    return [status for status in PLAIN_TARGETS if status in TRANSITIONS[complaint.status]]


def complaint_can(*, complaint: Complaint, target: str) -> bool:
    return target in TRANSITIONS[complaint.status]


def assignable_staff() -> QuerySet[User]:
    return User.objects.filter(is_active=True, is_staff=True, carrier__isnull=True).order_by("username")


def complaint_public_timeline(*, complaint: Complaint, kinds: tuple[str, ...]) -> QuerySet[ComplaintEvent]:
    """What the complainant sees: public events of the given kinds, newest first."""
    return ComplaintEvent.objects.filter(complaint=complaint, kind__in=kinds).public().order_by("-created_at", "-id")


# --- The partner API: what a carrier sees -------------------------------------------------------------------------

# Internal events a carrier still sees on its complaints: its own notes and resolution proposals, and compensation
# proposals (it pays back what it is liable for). Never internal notes.
CARRIER_VISIBLE_INTERNAL_KINDS = (
    EventKind.CARRIER_NOTE,
    EventKind.RESOLUTION_PROPOSED,
    EventKind.COMPENSATION_PROPOSED,
)


def carrier_complaints(*, carrier_id: int) -> QuerySet[Complaint]:
    """The complaints about one carrier's parcels: everything the partner API lets that carrier read or touch."""
    return Complaint.objects.filter(carrier_id=carrier_id)


def carrier_timeline(*, complaint: Complaint) -> QuerySet[ComplaintEvent]:
    """The events the complaint's carrier may see, oldest first."""
    return (
        ComplaintEvent.objects.filter(complaint=complaint)
        .filter(Q(visibility=Visibility.PUBLIC) | Q(kind__in=CARRIER_VISIBLE_INTERNAL_KINDS))
        .order_by("created_at", "id")
    )
