"""The bulk "assign to me" as a service (complaints_take): the actor gets the unowned complaints, never a colleague's,
never a closed one, and is told how many of each."""

import pytest

from complaints import services
from complaints.choices import EventKind, Status
from complaints.errors import InvalidInput
from complaints.models import Complaint
from tests.concurrency import run_together
from tests.factories import AgentFactory, CarrierUserFactory, make_complaint

pytestmark = pytest.mark.django_db


def _owner(complaint):
    return Complaint.objects.get(pk=complaint.pk).owner


def _closed(actor):
    complaint = make_complaint()
    for status in (Status.ACKNOWLEDGED, Status.IN_PROGRESS):
        services.complaint_transition(complaint=complaint, actor=actor, to_status=status)
    services.complaint_resolve(complaint=complaint, actor=actor, summary="已赔付。", root_cause="网点遗失。")
    services.complaint_close(complaint=complaint, actor=actor)
    return complaint


def test_taking_in_bulk_gives_the_agent_the_unowned_ones_and_never_a_colleagues(agent, other_agent):
    # Given two unowned complaints, one the agent already owns, one a colleague owns and one closed
    free_1, free_2, own, theirs = (make_complaint() for _ in range(4))
    services.complaint_assign(complaint=own, actor=agent, owner=agent)
    services.complaint_assign(complaint=theirs, actor=other_agent, owner=other_agent)
    closed = _closed(other_agent)

    # When the agent takes all five
    result = services.complaints_take(complaints=[free_1, free_2, own, theirs, closed], actor=agent)

    # Then the two unowned ones are the agent's, each with one assignment event by the agent
    assert (_owner(free_1), _owner(free_2)) == (agent, agent)
    for complaint in (free_1, free_2):
        assert [(e.actor, e.data["to"]) for e in complaint.events.filter(kind=EventKind.ASSIGNED)] == [
            (agent, agent.username)
        ]
    # And the colleague's complaint is untouched, the closed one still unowned
    assert _owner(theirs) == other_agent
    assert theirs.events.filter(kind=EventKind.ASSIGNED).count() == 1
    assert _owner(closed) is None
    # And the counts say what happened to each
    assert result == services.TakeResult(taken=2, already_yours=1, owned_by_others=1, closed=1)
    assert result.skipped == 2


def test_a_colleague_who_took_it_after_the_list_was_read_keeps_it(agent, other_agent):
    # Given the list the agent is looking at, with a complaint nobody owned yet
    complaint = make_complaint()
    seen = list(Complaint.objects.filter(pk=complaint.pk))
    assert seen[0].owner_id is None
    # And a colleague who takes it meanwhile
    services.complaint_assign(complaint=complaint, actor=other_agent, owner=other_agent)

    # When the agent takes the complaints of that (now stale) list
    result = services.complaints_take(complaints=seen, actor=agent)

    # Then the colleague keeps it, and it counts as skipped
    assert _owner(complaint) == other_agent
    assert complaint.events.filter(kind=EventKind.ASSIGNED).count() == 1
    assert result == services.TakeResult(owned_by_others=1)
    # And the agent's copy shows who owns it now
    assert seen[0].owner_id == other_agent.pk


def test_taking_twice_changes_nothing_the_second_time(agent):
    # Given complaints the agent took
    complaints = [make_complaint(), make_complaint()]
    services.complaints_take(complaints=complaints, actor=agent)

    # When they take them again
    result = services.complaints_take(complaints=complaints, actor=agent)

    # Then nothing more is written
    assert result == services.TakeResult(already_yours=2)
    assert all(c.events.filter(kind=EventKind.ASSIGNED).count() == 1 for c in complaints)


def test_someone_who_cannot_own_complaints_cannot_take_them(db):
    # Given an unowned complaint
    complaint = make_complaint()

    # When a carrier partner's user tries to take it
    with pytest.raises(InvalidInput):
        services.complaints_take(complaints=[complaint], actor=CarrierUserFactory())

    # Then it stays unowned
    assert _owner(complaint) is None
    assert not complaint.events.filter(kind=EventKind.ASSIGNED).exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_agents_taking_the_same_complaints_at_once_each_complaint_gets_one_owner():
    # Given three unowned complaints on both agents' screens
    first, second = AgentFactory(), AgentFactory()
    complaints = [make_complaint() for _ in range(3)]

    # When both select all of them and press "assign to me" at the same moment
    outcomes = run_together(
        lambda: services.complaints_take(
            complaints=list(Complaint.objects.filter(pk__in=[c.pk for c in complaints])), actor=first
        ),
        lambda: services.complaints_take(
            complaints=list(Complaint.objects.filter(pk__in=[c.pk for c in complaints])), actor=second
        ),
    )

    # Then neither fails, each complaint has exactly one owner and one assignment, and nobody took one from the other
    assert [kind for kind, _ in outcomes] == ["ok", "ok"]
    results = [result for _, result in outcomes]
    assert sum(r.taken for r in results) == 3
    assert sum(r.owned_by_others for r in results) == 3
    for complaint in complaints:
        assert _owner(complaint) in (first, second)
        assert complaint.events.filter(kind=EventKind.ASSIGNED).count() == 1
