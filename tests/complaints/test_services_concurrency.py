"""Two agents at the same moment: row locks and versions make exactly one of them win. PostgreSQL only (SQLite
serialises all writers, so it cannot show the race)."""

from datetime import UTC, datetime

import pytest

from complaints import services
from complaints.choices import Category, Channel, Status
from complaints.errors import VersionConflict
from complaints.models import Complaint, ComplaintEvent
from tests.concurrency import run_together
from tests.factories import AgentFactory, CarrierFactory, make_complaint

# serialized_rollback: the flush after a transactional test would otherwise drop the role groups of migration
# accounts 0002, which later tests need.
pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _fresh(complaint):
    return Complaint.objects.get(pk=complaint.pk)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param(
            lambda c, a, v: services.complaint_reply(
                complaint=c, actor=a, message="您好，我来处理。", expected_version=v
            ),
            lambda c, a, v: services.complaint_reply(
                complaint=c, actor=a, message="您好，已在跟进。", expected_version=v
            ),
            id="two-replies",
        ),
        pytest.param(
            lambda c, a, v: services.complaint_transition(
                complaint=c, actor=a, to_status=Status.IN_PROGRESS, expected_version=v
            ),
            lambda c, a, v: services.complaint_transition(
                complaint=c, actor=a, to_status=Status.AWAITING_CUSTOMER, expected_version=v
            ),
            id="two-different-transitions",
        ),
        pytest.param(
            lambda c, a, v: services.complaint_assign(complaint=c, actor=a, owner=a, expected_version=v),
            lambda c, a, v: services.complaint_assign(complaint=c, actor=a, owner=a, expected_version=v),
            id="two-agents-take-it",
        ),
        pytest.param(
            lambda c, a, v: services.complaint_add_note(complaint=c, actor=a, message="备注。", expected_version=v),
            lambda c, a, v: services.complaint_update(
                complaint=c, actor=a, expected_version=v, changes={"category": Category.LOSS}
            ),
            id="note-and-update",
        ),
    ],
)
def test_two_agents_acting_from_the_same_version_one_wins_one_gets_a_conflict(first, second):
    # Given an acknowledged complaint at some version, opened by two agents
    wang = AgentFactory(username="agent_wang")
    li = AgentFactory(username="agent_li")
    complaint = make_complaint()
    services.complaint_transition(complaint=complaint, actor=wang, to_status=Status.ACKNOWLEDGED)
    version = _fresh(complaint).version
    events = ComplaintEvent.objects.filter(complaint=complaint).count()

    # When both act at the same moment from that version
    outcomes = run_together(
        lambda: first(_fresh(complaint), wang, version),
        lambda: second(_fresh(complaint), li, version),
    )

    # Then exactly one succeeds and the other is told someone else changed it
    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["error", "ok"], outcomes
    error = next(value for kind, value in outcomes if kind == "error")
    assert isinstance(error, VersionConflict), repr(error)
    # And exactly one new event and one new version were written
    assert ComplaintEvent.objects.filter(complaint=complaint).count() == events + 1
    assert _fresh(complaint).version == version + 1


def test_concurrent_intake_hands_out_distinct_sequential_references():
    # Given twenty complaints arriving in the same minute (Shanghai 23 November), on twenty threads
    carrier = CarrierFactory(code="ZTO")
    at = datetime(2026, 11, 22, 17, 30, tzinfo=UTC)

    def intake(n):
        return lambda: make_complaint(
            carrier=carrier,
            at=at,
            channel=Channel.WEB,
            waybill_number=f"ZT99000000{n:02d}",
            complainant_phone=f"137000000{n:02d}",
        )

    # When they are all recorded at once
    outcomes = run_together(*(intake(n) for n in range(20)))

    # Then all twenty are recorded, numbered 0001 to 0020 of that day, none twice
    assert all(kind == "ok" for kind, _ in outcomes), outcomes
    references = sorted(result.reference for _, result in outcomes)
    assert references == [f"C261123{n:04d}" for n in range(1, 21)]
    assert Complaint.objects.count() == 20
    assert ComplaintEvent.objects.count() == 20
