"""Who sees which evidence file. Agents and supervisors see every file of a complaint (hidden ones marked); the
carrier sees the public and carrier files of its own complaints; the complainant sees the public ones. Hidden files
are for the agents only."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import QuerySet

from complaints.evidence.choices import EvidenceVisibility
from complaints.evidence.models import Evidence
from complaints.models import Complaint, ComplaintEvent
from complaints.selectors import merged_family_ids

CARRIER_VISIBLE = (EvidenceVisibility.PUBLIC, EvidenceVisibility.CARRIER)


def evidence_for_staff(*, complaint: Complaint) -> QuerySet[Evidence]:
    """With the files of the duplicates merged into the complaint: its timeline shows their events."""
    return (
        Evidence.objects.filter(complaint_id__in=merged_family_ids(complaint=complaint))
        .select_related("added_by", "hidden_by")
        .order_by("created_at", "id")
    )


def evidence_for_carrier(*, complaint: Complaint) -> QuerySet[Evidence]:
    return (
        Evidence.objects.filter(complaint=complaint, visibility__in=CARRIER_VISIBLE)
        .visible()
        .order_by("created_at", "id")
    )


def evidence_for_complainant(*, complaint: Complaint) -> QuerySet[Evidence]:
    """With the public files of the duplicates the same complainant filed that were merged into the complaint."""
    ids = merged_family_ids(complaint=complaint, complainant_only=True)
    return (
        Evidence.objects.filter(complaint_id__in=ids, visibility=EvidenceVisibility.PUBLIC)
        .visible()
        .order_by("created_at", "id")
    )


def evidence_by_event(*, files: Iterable[Evidence]) -> dict[int, list[Evidence]]:
    """The files of each event, for the timeline's thumbnails."""
    grouped: dict[int, list[Evidence]] = defaultdict(list)
    for item in files:
        if item.event_id is not None:
            grouped[item.event_id].append(item)
    return dict(grouped)


def timeline_with_files(*, events: Iterable[ComplaintEvent], files: Iterable[Evidence]) -> list[ComplaintEvent]:
    """The events, each with `.files`: the evidence it added that the reader may see (given in `files`)."""
    grouped = evidence_by_event(files=files)
    events = list(events)
    for event in events:
        event.files = grouped.get(event.pk, [])
    return events
