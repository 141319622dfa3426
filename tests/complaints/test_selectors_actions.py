"""The actions a user may take on a complaint: one selector (complaint_actions_for, the state map crossed with the
user's role and permissions) that the admin's action panel shows, button for button."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import translation

from accounts.services import carrier_api_user
from complaints import services
from complaints.admin.complaint_actions import ACTIONS
from complaints.choices import Status
from complaints.errors import IllegalTransition
from complaints.selectors import (
    PLAIN_TARGETS,
    ComplaintAction,
    action_permitted,
    complaint_actions_for,
)
from tests.factories import AgentFactory, CarrierUserFactory, UserFactory, make_complaint

pytestmark = pytest.mark.django_db

A = ComplaintAction
# Walks through the state map from "new", and what an agent who does not own the complaint may then do (an open
# complaint may be merged into another as a duplicate).
AGENT_ACTIONS_BY_STATUS = {
    Status.NEW: ((), [A.ASSIGN_ME, A.REPLY, A.NOTE, A.TRANSITION, A.SEND_PROGRESS_UPDATE, A.MERGE]),
    Status.ACKNOWLEDGED: (
        (Status.ACKNOWLEDGED,),
        [A.ASSIGN_ME, A.REPLY, A.NOTE, A.TRANSITION, A.HAND_TO_CARRIER, A.SEND_PROGRESS_UPDATE, A.MERGE],
    ),
    Status.IN_PROGRESS: (
        (Status.ACKNOWLEDGED, Status.IN_PROGRESS),
        [A.ASSIGN_ME, A.REPLY, A.NOTE, A.TRANSITION, A.HAND_TO_CARRIER, A.RESOLVE, A.SEND_PROGRESS_UPDATE, A.MERGE],
    ),
    Status.AWAITING_CUSTOMER: (
        (Status.ACKNOWLEDGED, Status.AWAITING_CUSTOMER),
        [A.ASSIGN_ME, A.REPLY, A.NOTE, A.TRANSITION, A.HAND_TO_CARRIER, A.RESOLVE, A.SEND_PROGRESS_UPDATE, A.MERGE],
    ),
    Status.RESOLVED: (
        (Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.RESOLVED),
        [A.ASSIGN_ME, A.REPLY, A.NOTE, A.CLOSE, A.REOPEN],
    ),
    Status.REOPENED: (
        (Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.RESOLVED, Status.REOPENED),
        [A.ASSIGN_ME, A.REPLY, A.NOTE, A.TRANSITION, A.SEND_PROGRESS_UPDATE, A.MERGE],
    ),
    Status.CLOSED: ((Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED), [A.NOTE]),
}


def _walk(complaint, *statuses, actor):
    for status in statuses:
        if status == Status.RESOLVED:
            services.complaint_resolve(complaint=complaint, actor=actor, summary="已赔付。", root_cause="网点遗失。")
        elif status == Status.CLOSED:
            services.complaint_close(complaint=complaint, actor=actor)
        elif status == Status.REOPENED:
            services.complaint_reopen(complaint=complaint, actor=actor, reason="客户仍不满意。")
        else:
            services.complaint_transition(complaint=complaint, actor=actor, to_status=status)
    return complaint


@pytest.mark.parametrize("status", list(AGENT_ACTIONS_BY_STATUS))
def test_an_agent_may_take_what_the_state_map_allows_from_each_status(status, agent, other_agent):
    # Given a complaint in that status, owned by nobody
    walk, expected = AGENT_ACTIONS_BY_STATUS[status]
    complaint = _walk(make_complaint(), *walk, actor=other_agent)
    assert complaint.status == status

    # When we ask what the agent may do
    actions = complaint_actions_for(complaint=complaint, user=agent)

    # Then it is what the state map allows, without the supervisors' actions
    assert actions == expected


@pytest.mark.parametrize("status", list(AGENT_ACTIONS_BY_STATUS))
def test_a_supervisor_may_also_set_the_owner_and_escalate(status, supervisor, other_agent):
    # Given a complaint in that status
    walk, agent_actions = AGENT_ACTIONS_BY_STATUS[status]
    complaint = _walk(make_complaint(), *walk, actor=other_agent)

    # When we ask what a supervisor may do
    actions = set(complaint_actions_for(complaint=complaint, user=supervisor))

    # Then: all an agent may, plus setting the owner unless it is closed, and escalating while it is open
    extra = {A.ASSIGN} if status != Status.CLOSED else set()
    if A.SEND_PROGRESS_UPDATE in agent_actions:  # open
        extra.add(A.ESCALATE)
    assert actions == set(agent_actions) | extra


def test_the_owner_is_not_offered_to_take_it_again(agent):
    complaint = make_complaint()
    services.complaint_assign(complaint=complaint, actor=agent, owner=agent)
    assert A.ASSIGN_ME not in complaint_actions_for(complaint=complaint, user=agent)


def test_without_a_carrier_there_is_nobody_to_hand_it_to(agent):
    complaint = _walk(make_complaint(carrier=None), Status.ACKNOWLEDGED, actor=agent)
    assert A.HAND_TO_CARRIER not in complaint_actions_for(complaint=complaint, user=agent)


def test_a_carriers_pending_proposal_can_be_confirmed_once_the_complaint_can_be_resolved(agent, zto):
    # Given a complaint handed to its carrier, who proposes a resolution
    complaint = _walk(make_complaint(carrier=zto), Status.ACKNOWLEDGED, actor=agent)
    services.complaint_hand_to_carrier(complaint=complaint, actor=agent)
    services.resolution_propose(
        complaint=complaint, actor=carrier_api_user(carrier=zto), summary="已重新派送。", root_cause="错分。"
    )

    # Then the agent may confirm it
    assert A.CONFIRM_RESOLUTION in complaint_actions_for(complaint=complaint, user=agent)


def test_a_pending_proposal_on_a_complaint_that_cannot_be_resolved_yet_is_not_offered(agent, zto):
    # Given a new complaint (it must be acknowledged before it can be resolved) with a carrier's proposal
    complaint = make_complaint(carrier=zto)
    services.resolution_propose(complaint=complaint, actor=carrier_api_user(carrier=zto), summary="s", root_cause="r")
    assert A.CONFIRM_RESOLUTION not in complaint_actions_for(complaint=complaint, user=agent)


@pytest.mark.parametrize(
    "make_user",
    [
        pytest.param(lambda: UserFactory(is_staff=True), id="staff-without-a-role"),
        pytest.param(CarrierUserFactory, id="carrier-partner"),
    ],
)
def test_someone_without_the_right_to_change_complaints_may_take_none(make_user):
    complaint = make_complaint()
    assert complaint_actions_for(complaint=complaint, user=make_user()) == []


def test_an_agent_given_the_escalation_permission_may_escalate_as_the_service_allows(db):
    # Given an agent who holds the escalation permission on their own
    agent = AgentFactory()
    agent.user_permissions.add(Permission.objects.get(codename="escalate_complaint"))
    agent = type(agent).objects.get(pk=agent.pk)  # permissions are cached per instance

    # Then the admin offers escalation, but not setting the owner (a supervisor's)
    assert action_permitted(user=agent, action=A.ESCALATE)
    assert not action_permitted(user=agent, action=A.ASSIGN)
    assert A.ESCALATE in complaint_actions_for(complaint=make_complaint(), user=agent)


def test_every_action_has_a_button_on_the_change_page():
    assert set(ACTIONS) == set(ComplaintAction.values)


def test_the_plain_targets_are_the_statuses_without_a_dedicated_action():
    assert PLAIN_TARGETS == (Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.AWAITING_CUSTOMER)


@pytest.mark.parametrize("status", list(AGENT_ACTIONS_BY_STATUS))
def test_the_change_page_shows_exactly_the_selectors_buttons(status, supervisor_client, supervisor, other_agent):
    # Given a complaint in that status
    walk, _agent_actions = AGENT_ACTIONS_BY_STATUS[status]
    complaint = _walk(make_complaint(), *walk, actor=other_agent)

    # When the supervisor opens it
    html = supervisor_client.get(reverse("admin:complaints_complaint_change", args=[complaint.pk])).content.decode()

    # Then the buttons are those the selector lists, and no others
    offered = set(complaint_actions_for(complaint=complaint, user=supervisor))
    shown = {action for action in ComplaintAction if f'name="do" value="{action}"' in html}
    assert shown == offered


def test_a_status_with_its_own_action_is_refused_by_a_plain_change_naming_that_action_in_chinese(agent):
    # Given a complaint in progress
    complaint = _walk(make_complaint(), Status.ACKNOWLEDGED, Status.IN_PROGRESS, actor=agent)

    # When someone tries to resolve it with a plain status change, in Chinese
    with translation.override("zh-hans"), pytest.raises(IllegalTransition) as refused:
        services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.RESOLVED)

    # Then they are pointed to the "办结" (resolve) button by its own name
    assert "“办结”" in str(refused.value)
