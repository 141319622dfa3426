"""Merges at the same moment: both rows are locked in the order of their ids, so concurrent merges of the same pair,
crossed pairs or a would-be chain wait for each other: no double merge, no deadlock, no chain. PostgreSQL only
(SQLite serialises all writers, so it cannot show the race)."""

import pytest

from complaints import services
from complaints.choices import EventKind, MessageKind, Status
from complaints.errors import IllegalTransition
from complaints.models import Complaint, ComplaintEvent, OutboundMessage
from tests.concurrency import run_together
from tests.factories import AgentFactory, make_complaint

# serialized_rollback: the flush after a transactional test would otherwise drop the role groups of migration
# accounts 0002, which later tests need.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WAYBILL = "ZT880077777777"


def _status(complaint):
    return Complaint.objects.get(pk=complaint.pk)


def test_the_same_merge_sent_twice_at_once_merges_once_and_tells_once():
    # Given two complaints about one waybill, and two agents who both merge the second into the first
    agent, other = AgentFactory(), AgentFactory()
    primary = make_complaint(waybill_number=WAYBILL)
    duplicate = make_complaint(waybill_number=WAYBILL)

    outcomes = run_together(
        lambda: services.complaint_merge(duplicate=Complaint(pk=duplicate.pk), primary=primary, actor=agent),
        lambda: services.complaint_merge(duplicate=Complaint(pk=duplicate.pk), primary=primary, actor=other),
    )

    # Then both calls return (the second finds it done), and the merge happened once
    assert [kind for kind, _result in outcomes] == ["ok", "ok"], outcomes
    assert _status(duplicate).merged_into_id == primary.pk
    assert ComplaintEvent.objects.filter(complaint=duplicate, kind=EventKind.MERGED).count() == 1
    assert ComplaintEvent.objects.filter(complaint=primary, kind=EventKind.DUPLICATE_MERGED).count() == 1
    assert OutboundMessage.objects.filter(kind=MessageKind.MERGE_NOTICE).count() == 1


def test_crossed_merges_at_once_do_not_deadlock_and_one_wins():
    # Given A and B about one waybill; one agent merges A into B while another merges B into A
    agent, other = AgentFactory(), AgentFactory()
    a = make_complaint(waybill_number=WAYBILL)
    b = make_complaint(waybill_number=WAYBILL)

    outcomes = run_together(
        lambda: services.complaint_merge(duplicate=Complaint(pk=a.pk), primary=Complaint(pk=b.pk), actor=agent),
        lambda: services.complaint_merge(duplicate=Complaint(pk=b.pk), primary=Complaint(pk=a.pk), actor=other),
    )

    # Then one merge went through and the other was refused with a clear error (no deadlock: run_together returned)
    kinds = sorted(kind for kind, _result in outcomes)
    assert kinds == ["error", "ok"], outcomes
    error = next(result for kind, result in outcomes if kind == "error")
    assert isinstance(error, IllegalTransition)
    statuses = sorted(_status(c).status for c in (a, b))
    assert statuses == sorted([Status.MERGED, Status.NEW])


def test_a_chain_cannot_form_between_two_merges_at_once():
    # Given A, B and C about one waybill; B is merged into A while C is merged into B
    agent, other = AgentFactory(), AgentFactory()
    a = make_complaint(waybill_number=WAYBILL)
    b = make_complaint(waybill_number=WAYBILL)
    c = make_complaint(waybill_number=WAYBILL)

    outcomes = run_together(
        lambda: services.complaint_merge(duplicate=Complaint(pk=b.pk), primary=Complaint(pk=a.pk), actor=agent),
        lambda: services.complaint_merge(duplicate=Complaint(pk=c.pk), primary=Complaint(pk=b.pk), actor=other),
    )

    # Then one of them was refused, and no complaint is merged into a merged one
    assert sorted(kind for kind, _result in outcomes) == ["error", "ok"], outcomes
    merged = Complaint.objects.filter(status=Status.MERGED)
    assert not merged.filter(merged_into__status=Status.MERGED).exists()
