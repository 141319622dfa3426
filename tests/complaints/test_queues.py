"""The work queues of the complaint changelist: the default view, each one-click view, the capped counts."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from complaints import services
from complaints.choices import Status
from complaints.models import Complaint
from complaints.queues import Queue, queue_condition, queue_count, queue_count_display
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:complaints_complaint_changelist"


def _listed(response):
    return [c.pk for c in response.context["cl"].result_list]


def _due(complaint, due):
    Complaint.objects.filter(pk=complaint.pk).update(next_due_at=due, first_response_due_at=due)


def test_the_default_view_shows_only_the_agents_own_open_work_in_due_order(agent_client, agent, other_agent):
    # Given the agent's open complaints falling due at different times, one of them with no running clock,
    # a closed one of theirs, a colleague's and an unassigned one
    now = timezone.now()
    late, early, no_clock, closed = (make_complaint() for _ in range(4))
    for complaint in (late, early, no_clock, closed):
        services.complaint_assign(complaint=complaint, actor=agent, owner=agent)
    _due(late, now + timedelta(hours=30))
    _due(early, now + timedelta(hours=2))
    _due(no_clock, None)
    Complaint.objects.filter(pk=closed.pk).update(status=Status.CLOSED)
    theirs = make_complaint()
    services.complaint_assign(complaint=theirs, actor=other_agent, owner=other_agent)
    make_complaint()

    # When the agent opens the list with no filter and no search
    response = agent_client.get(reverse(CHANGELIST))

    # Then it shows their own open work, nearest due first, the one with no clock last, and "Mine" is selected
    assert response.status_code == 200
    assert _listed(response) == [early.pk, late.pk, no_clock.pk]
    queue = next(spec for spec in response.context["cl"].filter_specs if spec.parameter_name == "queue")
    assert queue.value() == Queue.MINE
    assert dict(queue.lookup_choices)["mine"].endswith("(3)")


def test_the_all_view_and_any_other_filter_lift_the_default(agent_client, agent):
    # Given one complaint of the agent's and two unassigned
    mine = make_complaint()
    services.complaint_assign(complaint=mine, actor=agent, owner=agent)
    others = [make_complaint(), make_complaint()]

    # When the agent picks "All complaints", filters by status, or searches
    everything = agent_client.get(reverse(CHANGELIST), {"queue": "all"})
    by_status = agent_client.get(reverse(CHANGELIST), {"status__exact": Status.NEW})
    searched = agent_client.get(reverse(CHANGELIST), {"q": others[0].reference})

    # Then the list is no longer only theirs
    assert set(_listed(everything)) == {mine.pk, *(c.pk for c in others)}
    assert set(_listed(by_status)) == {mine.pk, *(c.pk for c in others)}
    assert _listed(searched) == [others[0].pk]


def test_each_view_selects_its_complaints(agent, other_agent, sf):
    # Given one complaint per view, and a bystander in none of them
    now = timezone.now()
    mine = make_complaint()
    services.complaint_assign(complaint=mine, actor=agent, owner=agent)
    unassigned_frontline = make_complaint()
    unassigned_level_1 = make_complaint()
    Complaint.objects.filter(pk=unassigned_level_1.pk).update(escalation_level=1)
    due_soon, breached, high_risk, reopened = (make_complaint() for _ in range(4))
    bystander = make_complaint()
    for complaint in (due_soon, breached, high_risk, reopened, bystander):
        services.complaint_assign(complaint=complaint, actor=other_agent, owner=other_agent)
    _due(due_soon, now + timedelta(hours=3))
    _due(breached, now - timedelta(minutes=5))
    Complaint.objects.filter(pk=high_risk.pk).update(risk_medical=True)
    Complaint.objects.filter(pk=reopened.pk).update(status=Status.REOPENED)
    long_wait, short_wait = make_complaint(carrier=sf), make_complaint(carrier=sf)
    for complaint in (long_wait, short_wait):
        services.complaint_assign(complaint=complaint, actor=other_agent, owner=other_agent)
        services.complaint_transition(complaint=complaint, actor=other_agent, to_status=Status.ACKNOWLEDGED)
    with time_machine.travel(now - timedelta(hours=25)):
        services.complaint_hand_to_carrier(complaint=long_wait, actor=other_agent)
    services.complaint_hand_to_carrier(complaint=short_wait, actor=other_agent)
    for complaint in (bystander, long_wait, short_wait, high_risk, reopened, mine):
        _due(complaint, now + timedelta(days=3))

    def members(queue, **kwargs):
        condition = queue_condition(queue=queue, user=agent, now=now, **kwargs)
        return set(Complaint.objects.filter(condition).values_list("pk", flat=True))

    # Then each view holds exactly its complaints
    assert members(Queue.MINE) == {mine.pk}
    assert members(Queue.UNASSIGNED) == {unassigned_frontline.pk}
    assert members(Queue.UNASSIGNED, level=1) == {unassigned_level_1.pk}
    assert members(Queue.DUE_SOON) == {due_soon.pk}
    assert members(Queue.BREACHED) == {breached.pk}
    assert members(Queue.CARRIER_WAITING) == {long_wait.pk}
    assert members(Queue.REOPENED) == {reopened.pk}
    assert high_risk.pk in members(Queue.HIGH_RISK)
    assert bystander.pk not in members(Queue.HIGH_RISK)


def test_a_views_count_stops_at_the_cap():
    # Given five complaints
    for _ in range(5):
        make_complaint()

    # When they are counted with a cap of three
    count = queue_count(condition=queue_condition(queue=Queue.ALL, user=None, now=timezone.now()), cap=3)

    # Then the count stops at four and says "3+"
    assert count == 4
    assert queue_count_display(count, cap=3) == "3+"
    assert queue_count_display(3, cap=3) == "3"


def test_supervisors_get_the_unassigned_work_of_each_level_and_the_escalation_queue(client, supervisor, agent):
    # Given unassigned complaints at level 0 and level 2
    frontline, centre = make_complaint(), make_complaint()
    Complaint.objects.filter(pk=centre.pk).update(escalation_level=2)

    # When a supervisor picks the level-2 view
    client.force_login(supervisor)
    response = client.get(reverse(CHANGELIST), {"queue": "unassigned:2"})

    # Then it lists that level's work, and the sidebar offers each level and the escalation queue
    assert _listed(response) == [centre.pk]
    html = response.content.decode()
    for value in ("unassigned%3A0", "unassigned%3A1", "unassigned%3A2", "queue=escalated"):
        assert value in html
    # while an agent is offered none of these, and a view not theirs is refused
    client.force_login(agent)
    agent_html = client.get(reverse(CHANGELIST)).content.decode()
    assert "unassigned%3A2" not in agent_html and "queue=escalated" not in agent_html
    assert client.get(reverse(CHANGELIST), {"queue": "unassigned:2"}).status_code == 302
    assert _listed(client.get(reverse(CHANGELIST), {"queue": "unassigned"})) == [frontline.pk]
