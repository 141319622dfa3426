"""The Monday email: last week's report to every active supervisor, through the outbox, exactly once per week."""

import io
from datetime import UTC, date, datetime

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from openpyxl import load_workbook

from complaints.choices import MessageKind, MessageState
from complaints.errors import InvalidInput
from complaints.followups.outbox import outbox_dispatch
from complaints.models import OutboundMessage
from reports.models import WeeklyReport
from reports.services import weekly_report_email
from reports.tasks import weekly_report_send
from tests.factories import AgentFactory, SupervisorFactory, UserFactory, make_complaint
from tests.reports.sample_report import sample_report

pytestmark = pytest.mark.django_db
MONDAY_8 = "2026-11-23T00:00:00+00:00"  # Monday 08:00 in Shanghai, 2026-W48 begins; last week is 2026-W47


@pytest.fixture
def supervisors(db):
    return [
        SupervisorFactory(username="sup_a", email="a@redress.example.com"),
        SupervisorFactory(username="sup_b", email="b@redress.example.com"),
    ]


@pytest.fixture
def not_recipients(db):
    AgentFactory(username="agent_x", email="agent@redress.example.com")
    SupervisorFactory(username="sup_gone", email="gone@redress.example.com", is_active=False)
    SupervisorFactory(username="sup_nomail", email="")


def _weekly():
    return OutboundMessage.objects.filter(kind=MessageKind.WEEKLY_REPORT)


@time_machine.travel(MONDAY_8, tick=False)
def test_each_active_supervisor_with_an_email_gets_one_message(supervisors, not_recipients):
    # given a complaint received last week
    with time_machine.travel("2026-11-18T03:00:00+00:00", tick=False):
        make_complaint()
    # when the Monday task runs
    queued = weekly_report_send.apply().get()
    # then one message per supervisor, about no complaint, for the ISO week, with the workbook attached
    assert queued == 2
    messages = list(_weekly().order_by("recipient"))
    assert [m.recipient for m in messages] == ["a@redress.example.com", "b@redress.example.com"]
    for message in messages:
        assert message.complaint is None
        assert message.period == "2026-W47"
        assert message.attachment_name == "redress-weekly-report-2026-W47.xlsx"
        book = load_workbook(io.BytesIO(bytes(message.attachment)))
        assert book.worksheets[0].cell(row=3, column=2).value == 1  # received
        assert "2026-W47" in message.subject
        assert "/admin/reports/weekly/2026-W47/" in message.html_body
    assert WeeklyReport.objects.get(iso_week="2026-W47").emailed_at is not None


@time_machine.travel(MONDAY_8, tick=False)
def test_beat_firing_twice_and_a_retry_send_nothing_more(supervisors):
    # given the Monday email was queued and sent
    assert weekly_report_email(week="2026-W47") == 2
    outbox_dispatch()
    assert len(mail.outbox) == 2
    # when beat fires again, a worker retries the task, and the dispatcher runs again
    assert weekly_report_email(week="2026-W47") == 0
    weekly_report_send.apply()
    outbox_dispatch()
    # then still one email per supervisor
    assert _weekly().count() == 2
    assert len(mail.outbox) == 2
    assert set(_weekly().values_list("state", flat=True)) == {MessageState.SENT}


@time_machine.travel(MONDAY_8, tick=False)
def test_the_email_has_html_with_figures_and_bars_and_the_workbook(supervisors):
    WeeklyReport.objects.create(
        iso_week="2026-W47",
        week_start=date(2026, 11, 16),
        data=sample_report(),
        computed_at=datetime(2026, 11, 23, 0, 0, tzinfo=UTC),
    )
    weekly_report_email(week="2026-W47")
    outbox_dispatch()
    email = next(m for m in mail.outbox if m.to == ["a@redress.example.com"])
    html, html_type = email.alternatives[0]
    assert html_type == "text/html"
    assert "128" in html and "+18" in html  # received, and its change
    assert "width:" in html  # the bar charts are table cells
    name, content, content_type = email.attachments[0]
    assert name == "redress-weekly-report-2026-W47.xlsx"
    assert content_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert load_workbook(io.BytesIO(content)).worksheets[0].cell(row=3, column=2).value == 128


@time_machine.travel(MONDAY_8, tick=False)
def test_without_any_supervisor_address_the_supervisors_mailbox_gets_it(db):
    UserFactory(username="nobody", email="")
    weekly_report_email(week="2026-W47")
    assert list(_weekly().values_list("recipient", flat=True)) == [settings.REDRESS_ESCALATION_RECIPIENTS[1]]


@time_machine.travel(MONDAY_8, tick=False)
def test_a_week_not_over_is_not_emailed(supervisors):
    with pytest.raises(InvalidInput):
        weekly_report_email(week="2026-W48")
    assert not _weekly().exists()
    assert not WeeklyReport.objects.filter(iso_week="2026-W48").exists()


@time_machine.travel("2026-11-23T07:00:00+00:00", tick=False)  # Monday 15:00: beat was down at 08:00
def test_a_later_run_that_monday_catches_up(supervisors):
    assert weekly_report_send.apply().get() == 2
    assert _weekly().filter(period="2026-W47").count() == 2


def test_beat_runs_it_monday_from_eight_local_and_checks_surges_hourly():
    entry = settings.CELERY_BEAT_SCHEDULE["weekly-report-email"]
    assert entry["task"] == "redress.weekly_report_send"
    schedule = entry["schedule"]
    assert schedule.day_of_week == {1}
    assert min(schedule.hour) == 8
    assert schedule.minute == {0}
    assert settings.CELERY_TIMEZONE == settings.TIME_ZONE
    assert settings.CELERY_BEAT_SCHEDULE["surge-check"]["task"] == "redress.surge_check"
