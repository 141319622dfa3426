"""The clocks of a policy that counts working hours on a calendar: due times after a public holiday, a weekend and a
named closure, pauses counted in working time, warnings at the percentage of working time and breaches by the sweep,
the statutory limit still in calendar days, and the admin where supervisors keep calendars."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaints import nudges, services
from complaints.choices import AlertKind, Clock, Status
from complaints.followups.planning import progress_updates_plan
from complaints.models import CalendarClosure, ClockAlert, Complaint, SlaPolicy, WorkingCalendar
from complaints.sla.clocks import warn_at
from complaints.sla.refresh import complaints_refresh_all_clocks
from complaints.sla.sweep import clocks_sweep
from tests.factories import CarrierUserFactory, make_complaint

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
H = timedelta(hours=1)


def sh(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def at(moment: datetime):
    return time_machine.travel(moment, tick=False)


def fresh(complaint: Complaint) -> Complaint:
    return Complaint.objects.get(pk=complaint.pk)


@pytest.fixture
def office():
    """The standard policy counts working hours on an office calendar (Monday to Friday, 09:00-18:00, China's public
    holidays) with an 8-working-hour first response."""
    calendar = WorkingCalendar.objects.create(name="Office hours")
    SlaPolicy.objects.filter(position=1000).update(calendar=calendar, first_response_hours=Decimal("8"))
    return calendar


def received(moment: datetime) -> Complaint:
    with at(moment):
        return fresh(make_complaint())


def test_a_complaint_received_before_national_day_is_due_after_the_holiday(office):
    # Given / When a complaint arrives at 16:00 on 30 September 2026, the afternoon before the National Day holiday
    complaint = received(sh(2026, 9, 30, 16))

    # Then its 8 working hours are 2 that afternoon and 6 on Thursday 8 October, the first working day after 1-7
    # October: the first response is due at 15:00 that day
    assert complaint.sla_policy.calendar == office
    assert complaint.first_response_due_at == sh(2026, 10, 8, 15)
    # and 72 working hours run into Saturday 10 October, a working day in exchange for the holiday (调休):
    # 2 h on 30 Sep, 9 h on 8, 9 and 10 Oct, then 9 h a day from Monday 12 Oct; 43 h after the 12th ends on the 16th
    assert complaint.resolution_due_at == sh(2026, 10, 16, 16)
    # while the statutory limit stays 7 calendar days from receipt, holiday or not
    assert complaint.statutory_due_at == sh(2026, 10, 7, 16)
    assert complaint.next_due_at == sh(2026, 10, 7, 16)


def test_a_weekend_does_not_count_and_the_warning_comes_at_80_percent_of_working_time(office, agent):
    # Given a complaint received on Friday 6 November 2026 at 16:00, owned by an agent
    complaint = received(sh(2026, 11, 6, 16))
    with at(sh(2026, 11, 6, 16, 5)):
        services.complaint_assign(complaint=complaint, actor=agent, owner=agent)
    complaint = fresh(complaint)

    # Then the first response is due on Monday at 15:00 (2 h on Friday, 6 h on Monday)
    assert complaint.first_response_due_at == sh(2026, 11, 9, 15)
    # and its warning comes when 80 % of the 8 working hours are gone (6.4 h: Monday 13:24), not on Saturday
    # morning as calendar hours would have it
    warning = sh(2026, 11, 9, 13, 24)
    assert warn_at(complaint.sla_policy, Clock.FIRST_RESPONSE, complaint.first_response_due_at) == warning
    assert complaint.next_alert_at == sh(2026, 11, 9, 13, 24)

    # When the sweep runs through the weekend and until a minute before the warning
    for moment in (sh(2026, 11, 7, 5, 24), sh(2026, 11, 8, 12), sh(2026, 11, 9, 13, 23)):
        with at(moment):
            result = clocks_sweep()
        # Then nothing is warned or breached
        assert (result.warnings, result.breaches) == (0, 0)

    # When it runs at the warning, then at the due time
    with at(warning):
        warned = clocks_sweep()
    with at(sh(2026, 11, 9, 15)):
        breached = clocks_sweep()

    # Then the first-response clock is warned once, then breached at its working-hours due time
    assert (warned.warnings, warned.breaches) == (1, 0)
    assert breached.breaches == 1
    alerts = ClockAlert.objects.filter(complaint=complaint, clock=Clock.FIRST_RESPONSE)
    assert sorted(alerts.values_list("kind", "recorded_at")) == [
        (AlertKind.BREACH, sh(2026, 11, 9, 15)),
        (AlertKind.WARNING, warning),
    ]


def test_a_named_closure_does_not_count(office):
    # Given the office closed on Monday 9 and Tuesday 10 November 2026 for a move
    CalendarClosure.objects.create(
        calendar=office, name="Office move", starts_on=date(2026, 11, 9), ends_on=date(2026, 11, 10)
    )

    # When a complaint arrives on Friday 6 November at 16:00
    complaint = received(sh(2026, 11, 6, 16))

    # Then its first response is due on Wednesday at 15:00
    assert complaint.first_response_due_at == sh(2026, 11, 11, 15)
    assert complaint.statutory_due_at == sh(2026, 11, 13, 16)


def test_the_resolution_clock_pauses_for_the_working_time_spent_awaiting_the_complainant(office, agent):
    # Given a complaint received on Thursday 5 November 2026 at 10:00, in progress
    complaint = received(sh(2026, 11, 5, 10))
    with at(sh(2026, 11, 5, 11)):
        services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.ACKNOWLEDGED)
        services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.IN_PROGRESS)
    running = fresh(complaint).resolution_due_at

    # When it waits for the complainant from Friday 17:00 to Monday 10:00
    with at(sh(2026, 11, 6, 17)):
        services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.AWAITING_CUSTOMER)
    paused = fresh(complaint)
    with at(sh(2026, 11, 9, 10)):
        services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.IN_PROGRESS)

    # Then the clock is absent while paused, and afterwards due 2 working hours later (Friday 17-18, Monday 9-10):
    # the weekend in between was not working time either way
    assert paused.resolution_due_at is None
    assert fresh(complaint).resolution_due_at == running + 2 * H
    assert running == sh(2026, 11, 17, 10)  # 72 h: 8 on Thursday, 9 a day for 7 working days, 1 on Tuesday 17th
    assert fresh(complaint).statutory_due_at == sh(2026, 11, 12, 10)


def test_carrier_clocks_count_working_hours(office, agent):
    # Given a complaint handed to the carrier on Friday 6 November 2026 at 17:00
    complaint = received(sh(2026, 11, 6, 9))
    carrier_user = CarrierUserFactory(carrier=complaint.carrier)
    with at(sh(2026, 11, 6, 10)):
        services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.ACKNOWLEDGED)
    with at(sh(2026, 11, 6, 17)):
        services.complaint_hand_to_carrier(complaint=complaint, actor=agent, message="请核实派送记录。")

    # Then the carrier has 4 working hours to accept: 1 on Friday, 3 on Monday
    assert fresh(complaint).carrier_accept_due_at == sh(2026, 11, 9, 12)

    # When it accepts on Monday at 9:30, its 24 working hours to reply end on Wednesday at 15:30
    with at(sh(2026, 11, 9, 9, 30)):
        services.complaint_carrier_accept(complaint=complaint, actor=carrier_user)
    assert fresh(complaint).carrier_reply_due_at == sh(2026, 11, 11, 15, 30)


def test_progress_updates_follow_the_calendar(office):
    # Given a complaint received on Friday 6 November 2026 at 16:00: its first update is due after 24 working hours
    complaint = received(sh(2026, 11, 6, 16))
    assert complaint.progress_due_at == sh(2026, 11, 11, 13)

    # When the planner sends it on time
    with at(sh(2026, 11, 11, 13)):
        result = progress_updates_plan()

    # Then the next one is due 24 working hours later, on Monday (the weekend does not count)
    assert result.planned == 1
    assert fresh(complaint).progress_due_at == sh(2026, 11, 16, 10)


def test_without_a_calendar_the_targets_stay_calendar_hours():
    # Given the standard policy with no calendar, a complaint before the holiday
    complaint = received(sh(2026, 9, 30, 16))

    # Then every target counts calendar hours, through the holiday
    assert complaint.sla_policy.calendar is None
    assert complaint.first_response_due_at == sh(2026, 10, 1, 16)
    assert complaint.resolution_due_at == sh(2026, 10, 3, 16)
    assert complaint.statutory_due_at == sh(2026, 10, 7, 16)


def test_changing_a_calendar_in_the_admin_recomputes_open_complaints(
    office, supervisor_client, django_capture_on_commit_callbacks, monkeypatch
):
    # Given an open complaint received on Friday 6 November 2026 at 16:00 (first response due Monday 15:00)
    complaint = received(sh(2026, 11, 6, 16))
    assert complaint.first_response_due_at == sh(2026, 11, 9, 15)
    enqueued = []
    monkeypatch.setattr(nudges, "task_enqueue", lambda task_name, **options: enqueued.append(task_name))

    # When a supervisor makes Saturday a working day and adds a closure on Monday 9 November
    url = reverse("admin:complaints_workingcalendar_change", args=[office.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = supervisor_client.post(
            url,
            {
                "name": office.name,
                "time_zone": "Asia/Shanghai",
                "working_days": ["1", "2", "3", "4", "5", "6"],
                "opens_at": "09:00",
                "closes_at": "18:00",
                "public_holidays": "on",
                "closures-TOTAL_FORMS": "1",
                "closures-INITIAL_FORMS": "0",
                "closures-MIN_NUM_FORMS": "0",
                "closures-MAX_NUM_FORMS": "1000",
                "closures-0-name": "Staff training",
                "closures-0-starts_on": "2026-11-09",
                "closures-0-ends_on": "2026-11-09",
                "_save": "Save",
            },
        )

    # Then the calendar is saved with its closure, and the recompute is enqueued once committed
    assert response.status_code == 302, response.context["adminform"].form.errors
    office.refresh_from_db()
    assert office.working_days == "123456"
    assert list(office.closures.values_list("name", flat=True)) == ["Staff training"]
    assert enqueued == [nudges.REFRESH_ALL_CLOCKS]

    # When the worker runs it, the complaint is due on Saturday at 15:00
    complaints_refresh_all_clocks()
    assert fresh(complaint).first_response_due_at == sh(2026, 11, 7, 15)


def test_bad_calendars_are_refused_in_the_admin(supervisor_client):
    response = supervisor_client.post(
        reverse("admin:complaints_workingcalendar_add"),
        {
            "name": "Broken",
            "time_zone": "Mars/Olympus",
            "working_days": [],
            "opens_at": "18:00",
            "closes_at": "09:00",
            "closures-TOTAL_FORMS": "1",
            "closures-INITIAL_FORMS": "0",
            "closures-MIN_NUM_FORMS": "0",
            "closures-MAX_NUM_FORMS": "1000",
            "closures-0-name": "Backwards",
            "closures-0-starts_on": "2026-11-10",
            "closures-0-ends_on": "2026-11-09",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) >= {"time_zone", "working_days", "__all__"}
    assert "closes after it opens" in str(errors["__all__"])
    assert "ends on or after" in str(response.context["inline_admin_formsets"][0].formset.errors)
    assert not WorkingCalendar.objects.filter(name="Broken").exists()


def test_agents_see_calendars_but_only_supervisors_change_them(office, agent_client):
    changelist = agent_client.get(reverse("admin:complaints_workingcalendar_changelist"))
    assert changelist.status_code == 200
    assert "Office hours" in changelist.content.decode()
    response = agent_client.post(
        reverse("admin:complaints_workingcalendar_change", args=[office.pk]), {"name": "Changed"}
    )
    assert response.status_code == 403
    assert WorkingCalendar.objects.get(pk=office.pk).name == "Office hours"


def test_the_policy_admin_offers_the_calendar(office, supervisor_client):
    # Given the standard policy, chosen in the admin
    policy = SlaPolicy.objects.get(position=1000)
    page = supervisor_client.get(reverse("admin:complaints_slapolicy_change", args=[policy.pk]))
    # Then the calendar can be picked, and the changelist says what each policy counts in
    assert 'name="calendar"' in page.content.decode()
    listing = supervisor_client.get(reverse("admin:complaints_slapolicy_changelist"), HTTP_ACCEPT_LANGUAGE="en")
    content = listing.content.decode()
    assert "working hours: Office hours" in content
    assert "calendar hours" in content


def test_the_complaint_list_reads_calendars_in_a_constant_number_of_queries(office, agent_client):
    # Given complaints under the working-hours policy, one closure on the calendar
    CalendarClosure.objects.create(calendar=office, name="Move", starts_on=date(2026, 11, 9), ends_on=date(2026, 11, 9))
    with at(sh(2026, 11, 6, 16)):
        make_complaint()

    def listed():
        with at(sh(2026, 11, 9, 14)), CaptureQueriesContext(connection) as queries:
            response = agent_client.get(reverse("admin:complaints_complaint_changelist"), {"queue": "all"})
        assert response.status_code == 200
        return response, len(queries)

    listed()  # the session's caches
    _, one = listed()
    with at(sh(2026, 11, 6, 16)):
        for _ in range(4):
            make_complaint()

    # When the list shows five of them
    response, five = listed()

    # Then it costs the same queries as with one, and the clocks column counts working time (due Tuesday 15:00)
    assert five == one
    assert response.content.decode().count("2026-11-10 15:00") == 5
