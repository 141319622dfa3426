"""The SLA side of the admin: policies (supervisors edit, agents look), the clocks column and deadline filter, the
escalation queue, the messages and clocks on the change page, "send progress update now" and manual escalation."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from complaints.choices import EventKind, MessageKind, Status
from complaints.models import Complaint, ComplaintEvent, OutboundMessage, SlaPolicy
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:complaints_complaint_changelist"
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
ALL = {"queue": "all"}  # every complaint, not only the default "Mine" view


def _stored(complaint):
    return Complaint.objects.get(pk=complaint.pk)


def _standard_policy():
    return SlaPolicy.objects.get(position=1000)


def _policy_form(policy, **overrides):
    data = {
        "name": policy.name,
        "position": policy.position,
        "is_active": "on",
        "category": policy.category,
        "priority": policy.priority,
        "channel": policy.channel,
        "risk": policy.risk,
        "first_response_hours": policy.first_response_hours,
        "resolution_hours": policy.resolution_hours,
        "progress_update_hours": policy.progress_update_hours,
        "carrier_accept_hours": policy.carrier_accept_hours,
        "carrier_reply_hours": policy.carrier_reply_hours,
        "statutory_hours": policy.statutory_hours,
        "warning_percent": policy.warning_percent,
        "_save": "Save",
    }
    data.update(overrides)
    return data


def _set_due(complaint, due):
    """Make `due` the nearest clock: first response at `due`, everything else a day later."""
    later = due + timedelta(days=1)
    Complaint.objects.filter(pk=complaint.pk).update(
        first_response_due_at=due,
        next_due_at=due,
        resolution_due_at=later,
        progress_due_at=later,
        statutory_due_at=later,
    )


def _listed(response):
    return {c.reference for c in response.context["cl"].result_list}


# --- SLA policies -----------------------------------------------------------------------------------------------------


def test_a_supervisor_editing_a_policy_recomputes_open_complaints(
    supervisor_client, django_capture_on_commit_callbacks, monkeypatch
):
    # Given an open complaint under the standard policy (24 h first response), and a broker that is down
    complaint = make_complaint()
    before = _stored(complaint).first_response_due_at
    assert before == complaint.received_at + timedelta(hours=24)
    from complaints import nudges

    def broker_down(task_name, **options):
        raise OSError("broker unreachable")

    monkeypatch.setattr(nudges, "task_enqueue", broker_down)
    policy = _standard_policy()

    # When a supervisor shortens the first-response target to 10 h
    with django_capture_on_commit_callbacks(execute=True):
        response = supervisor_client.post(
            reverse("admin:complaints_slapolicy_change", args=[policy.pk]),
            _policy_form(policy, first_response_hours="10"),
        )

    # Then the policy is saved and, the task not being enqueueable, the due times are recomputed inline
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert _standard_policy().first_response_hours == Decimal("10")
    stored = _stored(complaint)
    assert stored.first_response_due_at == complaint.received_at + timedelta(hours=10)
    assert stored.next_due_at == stored.first_response_due_at


def test_saving_a_policy_enqueues_the_recompute_task_after_commit(
    supervisor_client, django_capture_on_commit_callbacks, monkeypatch
):
    from complaints import nudges

    calls = []
    monkeypatch.setattr(nudges, "task_enqueue", lambda task_name, **options: calls.append("delay"))
    policy = _standard_policy()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        supervisor_client.post(
            reverse("admin:complaints_slapolicy_change", args=[policy.pk]), _policy_form(policy, resolution_hours="60")
        )
    # Nothing is enqueued before the commit...
    assert calls == []
    for callback in callbacks:
        callback()
    # ...and once after it
    assert calls == ["delay"]


def test_an_agent_sees_the_policies_but_cannot_edit_them(agent_client):
    policy = _standard_policy()

    listing = agent_client.get(reverse("admin:complaints_slapolicy_changelist"))
    assert listing.status_code == 200
    assert policy.name in listing.content.decode()

    assert agent_client.get(reverse("admin:complaints_slapolicy_change", args=[policy.pk])).status_code == 200
    response = agent_client.post(
        reverse("admin:complaints_slapolicy_change", args=[policy.pk]), _policy_form(policy, first_response_hours="1")
    )
    assert response.status_code == 403
    assert _standard_policy().first_response_hours == Decimal("24")
    assert agent_client.get(reverse("admin:complaints_slapolicy_add")).status_code == 403


def test_the_outbox_and_survey_admins_are_read_only(agent_client):
    make_complaint()
    assert agent_client.get(reverse("admin:complaints_outboundmessage_changelist")).status_code == 200
    assert agent_client.get(reverse("admin:complaints_surveyresponse_changelist")).status_code == 200
    assert agent_client.get(reverse("admin:complaints_outboundmessage_add")).status_code == 403


# --- The clocks column and the deadline filter ------------------------------------------------------------------------


def test_the_changelist_shows_time_left_and_overdue(agent_client):
    now = timezone.now()
    overdue, soon, later = make_complaint(), make_complaint(), make_complaint()
    _set_due(overdue, now - timedelta(hours=5, minutes=10))
    _set_due(soon, now + timedelta(hours=3, minutes=10))  # within the 20 % warning window of 24 h
    _set_due(later, now + timedelta(hours=20, minutes=10))

    response = agent_client.get(reverse(CHANGELIST), ALL, **EN)

    html = response.content.decode()
    assert response.status_code == 200
    assert "First response overdue 5 h" in html
    assert "First response 3 h left" in html
    assert "First response 20 h left" in html
    assert html.count("redress-clock-overdue") == 1
    assert html.count("redress-clock-warning") == 1
    assert html.count("redress-clock-ok") == 1


def test_the_clocks_column_sorts_by_next_due(agent_client):
    now = timezone.now()
    a, b, c = make_complaint(), make_complaint(), make_complaint()
    _set_due(a, now + timedelta(hours=9))
    _set_due(b, now - timedelta(hours=1))
    _set_due(c, now + timedelta(hours=2))
    # The default is nearest due first (complaints/queues.py: the work in the order it falls due)
    default = agent_client.get(reverse(CHANGELIST), ALL)
    assert [x.pk for x in default.context["cl"].result_list] == [b.pk, c.pk, a.pk]

    column = list(default.context["cl"].list_display).index("clocks")
    response = agent_client.get(reverse(CHANGELIST), {**ALL, "o": f"-{column}"})
    assert [x.pk for x in response.context["cl"].result_list] == [a.pk, c.pk, b.pk]


def test_the_deadline_filter(agent_client):
    now = timezone.now()
    overdue, soon, later = make_complaint(), make_complaint(), make_complaint()
    _set_due(overdue, now - timedelta(hours=1))
    _set_due(soon, now + timedelta(hours=2))
    _set_due(later, now + timedelta(hours=6))

    assert _listed(agent_client.get(reverse(CHANGELIST), {"deadline": "overdue"})) == {overdue.reference}
    assert _listed(agent_client.get(reverse(CHANGELIST), {"deadline": "soon"})) == {soon.reference}
    assert len(_listed(agent_client.get(reverse(CHANGELIST), ALL))) == 3


def test_the_clocks_column_does_not_query_per_row(agent_client):
    def count_queries():
        with CaptureQueriesContext(connection) as captured:
            response = agent_client.get(reverse(CHANGELIST), ALL)
        assert response.status_code == 200
        return len(captured), len(response.context["cl"].result_list)

    for _ in range(3):
        make_complaint()
    small, rows = count_queries()
    assert rows == 3
    for _ in range(20):
        make_complaint()
    large, rows = count_queries()
    assert rows == 23
    assert large == small


# --- The escalation queue ------------------------------------------------------------------------------------------


def test_the_escalation_queue_is_for_supervisors_nearest_due_first(client, agent, supervisor):
    now = timezone.now()
    frontline, late, early = make_complaint(), make_complaint(), make_complaint()
    Complaint.objects.filter(pk__in=[late.pk, early.pk]).update(escalation_level=1)
    _set_due(late, now + timedelta(hours=8))
    _set_due(early, now + timedelta(hours=1))

    client.force_login(supervisor)
    assert "queue=escalated" in client.get(reverse(CHANGELIST)).content.decode()
    response = client.get(reverse(CHANGELIST), {"queue": "escalated"})
    assert response.status_code == 200
    assert [c.pk for c in response.context["cl"].result_list] == [early.pk, late.pk]
    assert frontline.pk not in {c.pk for c in response.context["cl"].result_list}

    client.force_login(agent)
    plain = client.get(reverse(CHANGELIST))
    assert "queue=escalated" not in plain.content.decode()
    assert client.get(reverse(CHANGELIST), {"queue": "escalated"}).status_code == 302  # unknown to agents


# --- The change page -----------------------------------------------------------------------------------------------


def test_the_change_page_lists_messages_and_clocks(agent_client):
    complaint = make_complaint()
    OutboundMessage.objects.create(
        complaint=complaint,
        kind=MessageKind.PROGRESS_UPDATE,
        period="test",
        channel="sms",
        recipient="13900000001",
        body="进展",
        due_at=timezone.now(),
    )

    response = agent_client.get(reverse("admin:complaints_complaint_change", args=[complaint.pk]), **EN)

    html = response.content.decode()
    assert response.status_code == 200
    assert "redress-messages" in html and "13900000001" in html
    assert response.context["outbound_messages"]
    assert "redress-clocks" in html
    rows = {str(r["label"]): r for r in response.context["clock_rows"]}
    assert rows["First response"]["due"] == _stored(complaint).first_response_due_at


def test_the_resolution_clock_shows_paused_while_awaiting_the_complainant(agent_client):
    complaint = make_complaint()
    # (stored as the clocks leave it: the resolution clock is paused, so it has no due time)
    Complaint.objects.filter(pk=complaint.pk).update(status=Status.AWAITING_CUSTOMER, resolution_due_at=None)

    response = agent_client.get(reverse("admin:complaints_complaint_change", args=[complaint.pk]), **EN)

    rows = {str(r["label"]): r for r in response.context["clock_rows"]}
    assert rows["Resolution"]["paused"]
    assert "paused" in response.content.decode()


def test_send_progress_update_now_creates_one_progress_update(agent_client):
    complaint = make_complaint()
    before = OutboundMessage.objects.filter(complaint=complaint, kind=MessageKind.PROGRESS_UPDATE).count()

    response = agent_client.post(
        reverse("admin:complaints_complaint_action", args=[complaint.pk, "send_progress_update"]), {}
    )

    assert response.status_code == 302
    after = OutboundMessage.objects.filter(complaint=complaint, kind=MessageKind.PROGRESS_UPDATE).count()
    assert after - before == 1
    assert ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.PROGRESS_UPDATE).count() == 1


def test_a_supervisor_escalates_and_an_agent_cannot(client, agent, supervisor):
    complaint = make_complaint()
    url = reverse("admin:complaints_complaint_action", args=[complaint.pk, "escalate"])
    data = {"expected_version": _stored(complaint).version, "to_level": "2", "reason": "媒体曝光风险"}

    client.force_login(agent)
    assert client.post(url, data).status_code == 403
    assert _stored(complaint).escalation_level == 0
    page = client.get(reverse("admin:complaints_complaint_change", args=[complaint.pk]))
    assert page.context["actions_panel"]["escalate"] is False

    client.force_login(supervisor)
    page = client.get(reverse("admin:complaints_complaint_change", args=[complaint.pk]))
    assert page.context["actions_panel"]["escalate"] is True
    response = client.post(url, data)

    assert response.status_code == 302
    assert _stored(complaint).escalation_level == 2
    event = ComplaintEvent.objects.get(complaint=complaint, kind=EventKind.ESCALATED)
    assert (event.actor, event.message) == (supervisor, "媒体曝光风险")
