"""Webhook deliveries are queued in the transaction that writes the complaint event: none is lost, none is sent for a
rolled-back change.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from complaints.choices import CARRIER_HIDDEN_EVENT_DATA, EventKind, Visibility
from complaints.evidence.choices import EvidenceVisibility
from complaints.models import Complaint, ComplaintEvent
from complaints.nudges import webhook_dispatcher_nudge
from complaints.partners.webhooks.models import (
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEventType,
    WebhookState,
)

API_VERSION = "v1"

# What a carrier may see of evidence files (complaints.evidence.selectors says the same for reads).
CARRIER_VISIBLE = frozenset({EvidenceVisibility.PUBLIC, EvidenceVisibility.CARRIER})


# Stable event ids: the same complaint event always gets the same id, for every endpoint of the carrier.
EVENT_ID_NAMESPACE = uuid.UUID("8f3b1f4e-5c1a-4d1e-9a7e-2f6a0d3c9b11")


EVENT_TYPES: dict[str, str] = {
    EventKind.HANDED_TO_CARRIER: WebhookEventType.ASSIGNED,
    EventKind.ESCALATED: WebhookEventType.ESCALATED,
    EventKind.RESOLVED: WebhookEventType.RESOLVED,
    EventKind.PUBLIC_REPLY: WebhookEventType.UPDATED,
    EventKind.STATUS_CHANGED: WebhookEventType.UPDATED,
    EventKind.CARRIER_ACCEPTED: WebhookEventType.UPDATED,
    EventKind.REOPENED: WebhookEventType.UPDATED,
    EventKind.CLOSED: WebhookEventType.UPDATED,
    EventKind.SLA_BREACH: WebhookEventType.UPDATED,
    EventKind.SURVEY_ANSWERED: WebhookEventType.UPDATED,
    # Only complaints of the same carrier are merged (complaint_merge): the primary's reference is the carrier's.
    EventKind.MERGED: WebhookEventType.MERGED,
    EventKind.EVIDENCE_ADDED: WebhookEventType.EVIDENCE_ADDED,
}


# Escalations are news for the carrier even when a supervisor's reason is internal: sent without the reason.
_SENT_EVEN_IF_INTERNAL = frozenset({EventKind.ESCALATED})


# Never sent, whatever their visibility or the map above says.
_NEVER = frozenset({EventKind.INTERNAL_NOTE, EventKind.CARRIER_NOTE})


def event_id_for(event: ComplaintEvent) -> uuid.UUID:
    return uuid.uuid5(EVENT_ID_NAMESPACE, f"complaint-event:{event.pk}")


def _for_the_carrier(event: ComplaintEvent) -> bool:
    """Whether the carrier may read the event whole: a public one, or files added for the carrier and the agents
    (internal to the complainant only). Files for the agents only never reach a carrier."""
    if event.visibility == Visibility.PUBLIC:
        return True
    return event.kind == EventKind.EVIDENCE_ADDED and (event.data or {}).get("visibility") in CARRIER_VISIBLE


def webhook_event_type(event: ComplaintEvent) -> str | None:
    """The webhook event a complaint event becomes, or None if carriers are not told about it."""
    if event.kind in _NEVER:
        return None
    if not _for_the_carrier(event) and event.kind not in _SENT_EVEN_IF_INTERNAL:
        return None
    return EVENT_TYPES.get(event.kind)


def webhook_deliveries_enqueue(*, event: ComplaintEvent) -> int:
    """Queue the webhook deliveries one complaint event calls for. Safe to call twice: one delivery per endpoint and
    event. Returns how many were queued (0 when they existed already or nobody subscribes)."""
    return webhook_deliveries_enqueue_many(events=[event])


def webhook_deliveries_enqueue_many(*, events: Iterable[ComplaintEvent], now: datetime | None = None) -> int:
    """The same for many events at once (the clock sweep): two queries whatever the number of events."""
    wanted = []
    for event in events:
        event_type = webhook_event_type(event)
        complaint = event.complaint
        if event_type is None or complaint.carrier_id is None:
            continue
        wanted.append((event, event_type, complaint))
    if not wanted:
        return 0
    endpoints: dict[int, list[WebhookEndpoint]] = {}
    for endpoint in WebhookEndpoint.objects.filter(
        carrier_id__in={c.carrier_id for _e, _t, c in wanted}, is_active=True
    ):
        endpoints.setdefault(endpoint.carrier_id, []).append(endpoint)
    if not endpoints:
        return 0
    now = now or timezone.now()
    deliveries = []
    for event, event_type, complaint in wanted:
        for endpoint in endpoints.get(complaint.carrier_id, []):
            if event_type not in (endpoint.event_types or []):
                continue
            event_id = event_id_for(event)
            deliveries.append(
                WebhookDelivery(
                    endpoint=endpoint,
                    event_id=event_id,
                    event_type=event_type,
                    complaint=complaint,
                    source_event=event,
                    payload=_payload(event_id, event_type, event, complaint),
                    state=WebhookState.PENDING,
                    next_attempt_at=now,
                    created_at=now,
                    retry_until=now + timedelta(hours=settings.REDRESS_WEBHOOK_RETRY_HOURS),
                )
            )
    if not deliveries:
        return 0
    before = WebhookDelivery.objects.filter(
        source_event__in=[d.source_event for d in deliveries], replay_of__isnull=True
    ).count()
    WebhookDelivery.objects.bulk_create(deliveries, ignore_conflicts=True)
    if settings.REDRESS_NUDGE_DISPATCHER:
        transaction.on_commit(webhook_dispatcher_nudge)
    after = WebhookDelivery.objects.filter(
        source_event__in=[d.source_event for d in deliveries], replay_of__isnull=True
    ).count()
    return after - before


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z") if value else None


def _payload(event_id: uuid.UUID, event_type: str, event: ComplaintEvent, complaint: Complaint) -> dict:
    """A thin event: what happened and the complaint's state right after it; the full complaint is one GET away."""
    public = _for_the_carrier(event)
    data = {k: v for k, v in (event.data or {}).items() if k not in CARRIER_HIDDEN_EVENT_DATA} if public else {}
    if event.kind == EventKind.ESCALATED:
        # Who owned it before is our business, not the carrier's.
        data = {k: v for k, v in (event.data or {}).items() if k in ("from_level", "to_level", "reason", "clock")}
    reference = complaint.reference
    return {
        "id": str(event_id),
        "type": event_type,
        "api_version": API_VERSION,
        "created_at": _iso(event.created_at),
        "data": {
            "complaint": {
                "reference": reference,
                "waybill_number": complaint.waybill_number,
                "status": complaint.status,
                "priority": complaint.priority,
                "escalation_level": complaint.escalation_level,
                "updated_at": _iso(complaint.updated_at),
                "url": f"/api/v1/complaints/{reference}/",
            },
            "event": {
                "kind": event.kind,
                "created_at": _iso(event.created_at),
                "actor_role": event.actor_role,
                "message": event.message if public else "",
                "data": data,
            },
        },
    }
