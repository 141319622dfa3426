"""The clocks' outcomes are recorded when each clock ends (the weekly report counts them), and the migration's
backfill computes the same values for rows written before."""

from django.db import connection
from django.db.models import QuerySet

from complaints.choices import EventKind
from complaints.models import ClockAlert, Complaint, ComplaintEvent
from complaints.sla.outcomes import _append_only, outcomes_backfill
from tests.reports.builders import answer, first_reply, local, receive, resolve, send_surveys, sweep


def _outcomes():
    complaints = dict(Complaint.objects.values_list("reference", "first_response_met"))
    resolutions = list(
        ComplaintEvent.objects.filter(kind=EventKind.RESOLVED)
        .order_by("id")
        .values_list("complaint__reference", "clock_met", "cycle_started_at")
    )
    return complaints, resolutions


def test_outcomes_recorded_by_the_services_and_by_the_backfill(db, agent, settings, tmp_path):
    settings.REDRESS_SMS_FILE_DIR = str(tmp_path)
    settings.REDRESS_SMS_BACKEND = "complaints.followups.sms.FileBackend"
    # Given a complaint answered late (after the sweep recorded the breach) and resolved late, then reopened by a
    # dissatisfied answer and resolved again in time
    late = receive(local(3, 2, 9))
    sweep(local(3, 3, 10))
    first_reply(late, agent, local(3, 3, 11))
    sweep(local(3, 5, 10))
    resolve(late, agent, local(3, 5, 12))
    send_surveys(local(3, 8, 12, 1))
    answer(late, 1, local(3, 8, 13))
    resolve(late, agent, local(3, 8, 15))
    # and one answered and resolved in time
    quick = receive(local(3, 2, 9))
    first_reply(quick, agent, local(3, 2, 10))
    resolve(quick, agent, local(3, 2, 12))

    # Then each clock's outcome is recorded as the report defines it
    complaints, resolutions = _outcomes()
    assert ClockAlert.objects.filter(complaint=late, kind="breach").count() >= 2
    assert complaints == {late.reference: False, quick.reference: True}
    assert resolutions == [
        (late.reference, False, local(3, 2, 9)),
        (late.reference, True, local(3, 8, 13)),
        (quick.reference, True, local(3, 2, 9)),
    ]

    # When the outcomes are wiped and backfilled (as migration 0012 does for older rows)
    Complaint.objects.update(first_response_met=None)
    with connection.cursor() as cursor:
        _append_only(cursor, connection.vendor, enabled=False)
        QuerySet(model=ComplaintEvent).update(clock_met=None, cycle_started_at=None)
        _append_only(cursor, connection.vendor, enabled=True)
    outcomes_backfill(
        complaint_model=Complaint, event_model=ComplaintEvent, alert_model=ClockAlert, connection=connection
    )

    # Then the backfill gives the same values
    assert _outcomes() == (complaints, resolutions)
