"""Reads about complaints. Views, the admin and the API ask these instead of building queries themselves."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from accounts.models import User
from complaints.choices import TRANSITIONS, EventKind, Status, Visibility
from complaints.models import Complaint, ComplaintEvent

# Statuses reached through complaint_transition (the others have their own action).
PLAIN_TARGETS = (Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.AWAITING_CUSTOMER)


def complaint_timeline(*, complaint: Complaint, include_internal: bool = True, newest_first: bool = True
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
    return (
        ComplaintEvent.objects.filter(complaint=complaint, kind__in=kinds)
        .public()
        .order_by("-created_at", "-id")
    )


# --- The partner API: what a carrier sees -------------------------------------------------------------------------

# Internal events a carrier still sees on its complaints: its own notes and proposals. Never internal notes.
CARRIER_VISIBLE_INTERNAL_KINDS = (EventKind.CARRIER_NOTE, EventKind.RESOLUTION_PROPOSED)


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
