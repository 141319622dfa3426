"""The demo data makes a meaningful report: every resolution says where the problem arose and who is liable, and the
weekly report of the demo's month is produced the way production produces it, so its figures agree."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import time_machine
from django.core.management import call_command
from django.utils import timezone, translation

from complaints.choices import AlertKind, Clock, EventKind, MessageKind, MessageState, RootCauseArea
from complaints.compensation.choices import ClaimState
from complaints.compensation.models import Chargeback, CompensationClaim
from complaints.devtools.demo.plan import SURGE_CARRIER, SURGE_CATEGORY
from complaints.inbound.models import InboundOutcome, InboundSms
from complaints.models import ClockAlert, Complaint, ComplaintEvent, OutboundMessage, SurveyResponse
from reports.metrics import week_compute
from reports.models import WeeklyReport
from reports.weeks import IsoWeek


def test_demo_resolutions_record_root_cause_area_and_liability(db, monkeypatch, settings, tmp_path):
    # Given the demo data (fewer complaints, to keep the test short)
    settings.REDRESS_SMS_FILE_DIR = str(tmp_path)
    monkeypatch.setattr("complaints.devtools.demo.plan.COMPLAINT_COUNT", 60)
    with translation.override("en"):
        call_command("seed_demo", stdout=StringIO())

    # Then every resolution recorded an area and whether the carrier is liable
    resolutions = ComplaintEvent.objects.filter(kind=EventKind.RESOLVED)
    assert resolutions.exists()
    assert all(e.data["root_cause_area"] in RootCauseArea.values for e in resolutions)
    assert all(e.data["carrier_liable"] in (True, False) for e in resolutions)
    assert not Complaint.objects.filter(resolved_at__isnull=False, root_cause_area="").exists()

    # And the report of a week with resolutions lists its root causes and valid complaints
    week = IsoWeek.of(resolutions.order_by("-created_at").first().created_at)
    data = week_compute(week=week, now=timezone.now())
    assert data["root_causes"] and all(r["key"] in RootCauseArea.values for r in data["root_causes"])
    assert sum(r["count"] for r in data["root_causes"]) == data["headline"]["resolved"]["value"]


def test_the_demo_month_makes_a_weekly_report_that_agrees_with_itself(db, settings, tmp_path):
    # Given an empty database (SMS go to files in a folder of this test)
    settings.REDRESS_SMS_FILE_DIR = str(tmp_path)
    now = timezone.now()

    # When the demo is seeded: the month is lived through with the sweep, the planners, the dispatcher and the
    # Monday report running as it goes
    with translation.override("en"):
        call_command("seed_demo", stdout=StringIO())

    # Then last week's report (as computed now, and as stored by the Monday run when it has run) has every headline
    # figure, and they agree with one another
    week = IsoWeek.of(now).previous()
    reports = [week_compute(week=week, now=timezone.now())]
    stored = WeeklyReport.objects.filter(iso_week=str(week)).first()
    if stored is not None:
        reports.append(stored.data)
    for data in reports:
        figures = {name: entry["value"] for name, entry in data["headline"].items()}
        assert not [name for name, value in figures.items() if value is None], figures
        # some progress updates and surveys went out more than an hour late (the outbox worker's outage), most did not
        assert 0 < figures["omission_rate_pct"] < 100
        assert 0 < figures["survey_response_rate_pct"] < 100
        assert Decimal(figures["compensation_total"]) > 0 and Decimal(figures["chargeback_total"]) > 0
        assert figures["breaches"] > 0 and figures["escalations"] > 0
        if figures["first_response_p90_hours"] > data["commitment"]["first_response_hours"]:
            assert figures["first_response_met_pct"] < 100
        assert (
            figures["first_response_met_pct"] < 100
            or not ClockAlert.objects.filter(
                clock=Clock.FIRST_RESPONSE, kind=AlertKind.BREACH, due_at__gte=week.start, due_at__lt=week.end
            ).exists()
        )

    # And what the month did went through the real channels: SMS in the file backend's files, surveys answered by
    # SMS through the inbound service, claims paid and charged back, a surge noticed, the Monday reports emailed
    assert any(tmp_path.glob("sms-*.jsonl"))
    assert InboundSms.objects.filter(outcome=InboundOutcome.SURVEY_ANSWERED).exists()
    assert CompensationClaim.objects.filter(state=ClaimState.PAID).exists() and Chargeback.objects.exists()
    surge = OutboundMessage.objects.filter(kind=MessageKind.SURGE_ALERT).first()
    assert surge is not None and surge.period.startswith(f"surge:{SURGE_CARRIER}:{SURGE_CATEGORY}:")
    assert OutboundMessage.objects.filter(kind=MessageKind.WEEKLY_REPORT, state=MessageState.SENT).exists()
    assert not OutboundMessage.objects.filter(created_at__gt=timezone.now()).exists()


def test_a_second_seed_adds_nothing_to_the_month(db, settings, tmp_path, monkeypatch):
    # Given a seeded demo (fewer complaints, to keep the test short)
    settings.REDRESS_SMS_FILE_DIR = str(tmp_path)
    monkeypatch.setattr("complaints.devtools.demo.plan.COMPLAINT_COUNT", 60)
    with translation.override("en"):
        call_command("seed_demo", stdout=StringIO())
    models = (
        Complaint,
        ComplaintEvent,
        OutboundMessage,
        ClockAlert,
        SurveyResponse,
        InboundSms,
        CompensationClaim,
        Chargeback,
        WeeklyReport,
    )
    before = {model.__name__: model.objects.count() for model in models}

    # When it is seeded again, a day later
    out = StringIO()
    with time_machine.travel(timezone.now() + timedelta(days=1), tick=False), translation.override("en"):
        call_command("seed_demo", stdout=out)

    # Then nothing was added, and the command says why
    assert {model.__name__: model.objects.count() for model in models} == before
    assert "played before" in out.getvalue()
