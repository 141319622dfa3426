"""The one event writer: every entry on a complaint's timeline is written here.

`event_record` inserts one event for a change a service has just saved, replays the complaint's clocks from its
timeline (so the due times always match the history) and queues the carrier's webhooks in the same transaction (so
no event is lost and none is sent for a rolled-back change). `events_record_many` does the same for the batches of
the beat sweeps, in a constant number of queries; those sweeps set the due times themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from accounts.models import User
from accounts.roles import user_role
from complaints.guards import complaint_save
from complaints.models import Complaint, ComplaintEvent
from complaints.partners.webhooks.enqueue import webhook_deliveries_enqueue_many
from complaints.sla.refresh import complaint_refresh_clocks


def event_build(
    *,
    complaint: Complaint,
    kind: str,
    at: datetime,
    visibility: str,
    actor: User | None = None,
    message: str = "",
    data: dict | None = None,
) -> ComplaintEvent:
    """An unsaved event, for events_record_many."""
    return ComplaintEvent(
        complaint=complaint,
        kind=kind,
        actor=actor,
        actor_role=user_role(actor),
        visibility=visibility,
        message=message,
        data=data or {},
        created_at=at,
    )


def event_record(
    *,
    complaint: Complaint,
    kind: str,
    actor: User | None,
    visibility: str,
    at: datetime,
    message: str = "",
    data: dict | None = None,
    outcome: dict | None = None,
) -> ComplaintEvent:
    """Record one change on a complaint that the caller has locked and saved in the same transaction."""
    event = ComplaintEvent.objects.create(
        **(outcome or {}),
        complaint=complaint,
        kind=kind,
        actor=actor,
        actor_role=user_role(actor),
        visibility=visibility,
        message=message,
        data=data or {},
        created_at=at,
    )
    complaint_refresh_clocks(complaint=complaint)
    webhook_deliveries_enqueue_many(events=[event])
    return event


def events_record_many(*, events: Sequence[ComplaintEvent], now: datetime) -> list[ComplaintEvent]:
    """Insert the events a sweep built with event_build and queue their webhooks: a constant number of queries."""
    created = ComplaintEvent.objects.bulk_create(events)
    webhook_deliveries_enqueue_many(events=created, now=now)
    return created


def complaint_record_event(
    *,
    complaint: Complaint,
    kind: str,
    actor: User | None,
    visibility: str,
    at: datetime,
    message: str = "",
    data: dict | None = None,
) -> ComplaintEvent:
    """Record a step taken on something that belongs to the complaint (a compensation claim) on its timeline.
    `complaint` must come from complaint_lock in the same transaction: its version is bumped like any change's."""
    complaint_save(complaint, [], at=at)
    return event_record(
        complaint=complaint, kind=kind, actor=actor, visibility=visibility, at=at, message=message, data=data
    )
