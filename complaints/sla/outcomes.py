"""Clock outcomes recorded when a clock ends, so the weekly report counts instead of re-deriving (docs/metrics.md).

- `Complaint.first_response_met`: set by the first human reply: the first-response clock was never breached.
- `ComplaintEvent.clock_met` / `cycle_started_at` on a `resolved` event: the resolution cycle had no resolution
  breach (due after the cycle's start and at or before the resolution), and when the cycle began (receipt or the
  latest reopening before the resolution).

Recording at that moment is exact: the sweep records breaches only for open complaints with a running clock, under
the same row lock the reply and the resolution take, so once a clock has ended no breach can be added to its cycle.
`outcomes_backfill` computes the same values set-based for rows written before (the migration, the benchmark loader).
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from complaints.choices import AlertKind, Clock, EventKind, Status

# The same condition as complaints.models.REOPENING (kept here so the migration can use it with historical models).
_REOPENING = Q(kind=EventKind.REOPENED) | (Q(kind=EventKind.SURVEY_ANSWERED) & Q(data__to=Status.REOPENED))


def first_response_met(*, complaint, alert_model=None) -> bool:
    """At the first human reply: no first-response breach was ever recorded for the complaint."""
    from complaints.models import ClockAlert

    alerts = alert_model or ClockAlert
    return not alerts.objects.filter(
        complaint_id=complaint.pk, clock=Clock.FIRST_RESPONSE, kind=AlertKind.BREACH
    ).exists()


def resolution_outcome(*, complaint, at: datetime) -> dict:
    """At a resolution at `at`: {"clock_met": …, "cycle_started_at": …} for its `resolved` event."""
    from complaints.models import ClockAlert, ComplaintEvent

    reopenings = ComplaintEvent.objects.filter(_REOPENING, complaint_id=complaint.pk)
    latest = (
        reopenings.filter(created_at__lt=at).order_by("-created_at", "-id").values_list("created_at", flat=True).first()
    )
    breached = (
        ClockAlert.objects.filter(
            complaint_id=complaint.pk, clock=Clock.RESOLUTION, kind=AlertKind.BREACH, due_at__lte=at
        )
        .filter(~Exists(reopenings.filter(created_at__gt=OuterRef("due_at"), created_at__lt=at)))
        .exists()
    )
    return {"clock_met": not breached, "cycle_started_at": latest or complaint.received_at}


def outcomes_backfill(*, complaint_model, event_model, alert_model, connection) -> None:
    """Fill the outcomes of rows written before they were recorded: three set-based UPDATEs. Events are
    append-only (a trigger refuses UPDATE): it is lifted for the duration, inside the caller's transaction."""
    fr_breached = alert_model.objects.filter(
        complaint_id=OuterRef("pk"), clock=Clock.FIRST_RESPONSE, kind=AlertKind.BREACH
    )
    complaint_model.objects.filter(first_response_at__isnull=False, first_response_met__isnull=True).update(
        first_response_met=~Exists(fr_breached)
    )

    reopenings = event_model.objects.filter(
        _REOPENING, complaint_id=OuterRef("complaint_id"), created_at__lt=OuterRef("created_at")
    )
    latest_reopening = reopenings.order_by("-created_at", "-id").values("created_at")[:1]
    received = complaint_model.objects.filter(pk=OuterRef("complaint_id")).values("received_at")[:1]
    reopened_since = event_model.objects.filter(
        _REOPENING,
        complaint_id=OuterRef(OuterRef("complaint_id")),
        created_at__gt=OuterRef("due_at"),
        created_at__lt=OuterRef(OuterRef("created_at")),
    )
    breach_in_cycle = alert_model.objects.filter(
        complaint_id=OuterRef("complaint_id"),
        clock=Clock.RESOLUTION,
        kind=AlertKind.BREACH,
        due_at__lte=OuterRef("created_at"),
    ).filter(~Exists(reopened_since))
    with connection.cursor() as cursor:
        _append_only(cursor, connection.vendor, enabled=False)
        try:
            # A plain QuerySet: the model's own refuses update() (append-only), on purpose.
            QuerySet(model=event_model).filter(kind=EventKind.RESOLVED, clock_met__isnull=True).update(
                clock_met=~Exists(breach_in_cycle),
                cycle_started_at=Coalesce(Subquery(latest_reopening), Subquery(received)),
            )
        finally:
            _append_only(cursor, connection.vendor, enabled=True)


def _append_only(cursor, vendor: str, *, enabled: bool) -> None:
    if vendor == "postgresql":
        # ALTER TABLE is refused while deferred foreign-key checks are pending (rows inserted earlier in the same
        # transaction, as the benchmark loader does): run them now, then defer again as Django expects.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "ALTER TABLE complaints_complaintevent "
            f"{'ENABLE' if enabled else 'DISABLE'} TRIGGER complaints_event_no_update"
        )
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    elif vendor == "sqlite":
        if enabled:
            cursor.execute(
                "CREATE TRIGGER IF NOT EXISTS complaints_event_no_update BEFORE UPDATE ON "
                "complaints_complaintevent BEGIN SELECT RAISE(ABORT, 'complaint events are append-only: "
                "UPDATE refused'); END;"
            )
        else:
            cursor.execute("DROP TRIGGER IF EXISTS complaints_event_no_update")
