"""`manage.py sweep`: every sweep once as of --at, counts printed; a second run at the same moment changes
nothing; a bad --at is a CommandError, never a traceback."""

import re
from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import translation

from complaints.choices import EventKind, MessageKind, MessageState
from complaints.models import ClockAlert, Complaint, ComplaintEvent, OutboundMessage
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)
COUNTS = re.compile(
    r"(\d+) warnings, (\d+) breaches, (\d+) escalations; (\d+) progress updates; (\d+) revisits; (\d+) sent, "
    r"(\d+) to retry, (\d+) failed, (\d+) held for quiet hours"
)


@pytest.fixture(autouse=True)
def sms_to_tmp(settings, tmp_path):
    settings.REDRESS_SMS_FILE_DIR = str(tmp_path)
    settings.REDRESS_SMS_BACKEND = "complaints.followups.sms.FileBackend"


def sweep(*args) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command("sweep", *args, stdout=out)
    return out.getvalue()


def counts(output: str) -> tuple[int, ...]:
    match = COUNTS.search(output)
    assert match, output
    return tuple(int(n) for n in match.groups())


def state():
    return (
        ComplaintEvent.objects.count(),
        OutboundMessage.objects.count(),
        OutboundMessage.objects.filter(state=MessageState.SENT).count(),
        ClockAlert.objects.count(),
        list(Complaint.objects.values_list("pk", "version", "escalation_level", "next_alert_at", "progress_due_at")),
    )


def test_sweep_prints_counts_and_a_second_run_at_the_same_moment_changes_nothing():
    # Given a complaint received at T0 with no human reply
    with time_machine.travel(T0, tick=False):
        complaint = make_complaint()

    # When the sweep runs as of T0 + 25 h
    output = sweep("--at", "2026-11-03T11:00:00+08:00")

    # Then it reports one breach and escalation, one progress update, and three messages sent
    # (acknowledgement, progress update, staff alert)
    assert "2026-11-03T11:00:00+08:00" in output
    assert counts(output) == (0, 1, 1, 1, 0, 3, 0, 0, 0)
    assert ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.SLA_BREACH).count() == 1
    assert OutboundMessage.objects.filter(complaint=complaint, kind=MessageKind.STAFF_ALERT).count() == 1
    assert Complaint.objects.get(pk=complaint.pk).escalation_level == 1
    before = state()

    # When it runs again as of the same moment
    again = sweep("--at", "2026-11-03T11:00:00+08:00")

    # Then nothing more happens
    assert counts(again) == (0,) * 9
    assert state() == before


def test_a_naive_at_is_local_time():
    # Given a complaint received at T0
    with time_machine.travel(T0, tick=False):
        make_complaint()

    # When the sweep runs as of a naive local time 25 h later
    output = sweep("--at", "2026-11-03T11:00:00")

    # Then it is read as Asia/Shanghai time: the first response is breached
    assert counts(output)[1] == 1


def test_sweep_without_at_runs_as_of_now():
    with time_machine.travel(T0, tick=False):
        make_complaint()
        output = sweep()
    # the acknowledgement goes out now
    assert counts(output)[5] == 1


@pytest.mark.parametrize("value", ["yesterday", "2026/11/03 11:00", ""])
def test_a_malformed_at_is_a_command_error(value):
    # When --at is not an ISO-8601 time, Then a CommandError (empty means "now" and is fine)
    if value == "":
        assert counts(sweep("--at", value))
        return
    with pytest.raises(CommandError):
        sweep("--at", value)


@pytest.mark.parametrize("value", ["2026-02-30T10:00:00", "2026-11-03T25:00:00+08:00"])
def test_a_well_formed_but_impossible_at_is_a_command_error(value):
    # Given a time that looks ISO-8601 but does not exist (parse_datetime raises ValueError for these)
    # When the sweep is asked to run as of it, Then it is a CommandError, not a traceback
    with pytest.raises(CommandError):
        sweep("--at", value)
