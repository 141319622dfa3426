"""The state map: every (from, to) pair over all statuses, through the service an agent would use."""

import itertools

import pytest

from complaints import services
from complaints.choices import OPEN_STATUSES, TRANSITIONS, EventKind, Status
from complaints.errors import IllegalTransition, InvalidInput, VersionConflict
from complaints.models import Complaint, ComplaintEvent
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db

ALL = list(Status)
ALLOWED = sorted((src, dst) for src in ALL for dst in TRANSITIONS[src])
REFUSED = sorted((src, dst) for src, dst in itertools.product(ALL, ALL) if src != dst and dst not in TRANSITIONS[src])

# A legal path from `new` to every status, one step at a time.
PATHS = {
    Status.NEW: [],
    Status.ACKNOWLEDGED: [Status.ACKNOWLEDGED],
    Status.IN_PROGRESS: [Status.ACKNOWLEDGED, Status.IN_PROGRESS],
    Status.AWAITING_CARRIER: [Status.ACKNOWLEDGED, Status.AWAITING_CARRIER],
    Status.AWAITING_CUSTOMER: [Status.ACKNOWLEDGED, Status.AWAITING_CUSTOMER],
    Status.RESOLVED: [Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.RESOLVED],
    Status.REOPENED: [Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.RESOLVED, Status.REOPENED],
    Status.CLOSED: [Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED],
    Status.MERGED: [Status.MERGED],
}

EXPECTED_KIND = {
    Status.RESOLVED: EventKind.RESOLVED,
    Status.AWAITING_CARRIER: EventKind.HANDED_TO_CARRIER,
    Status.REOPENED: EventKind.REOPENED,
    Status.CLOSED: EventKind.CLOSED,
    Status.MERGED: EventKind.MERGED,
}


def move(complaint: Complaint, to_status: str, *, actor, expected_version=None) -> Complaint:
    """Move a complaint to `to_status` through the service an agent would use for that target."""
    if to_status == Status.RESOLVED:
        return services.complaint_resolve(
            complaint=complaint,
            actor=actor,
            summary="已补发同款商品并退还运费。",
            root_cause="转运中心分拣错误。",
            expected_version=expected_version,
        )
    if to_status == Status.AWAITING_CARRIER:
        return services.complaint_hand_to_carrier(
            complaint=complaint, actor=actor, message="请核实派送记录。", expected_version=expected_version
        )
    if to_status == Status.REOPENED:
        return services.complaint_reopen(
            complaint=complaint, actor=actor, reason="客户表示仍未收到补发件。", expected_version=expected_version
        )
    if to_status == Status.CLOSED:
        return services.complaint_close(complaint=complaint, actor=actor, expected_version=expected_version)
    if to_status == Status.MERGED:
        return services.complaint_merge(
            duplicate=complaint, primary=primary_of(complaint), actor=actor, expected_version=expected_version
        )
    return services.complaint_transition(
        complaint=complaint, actor=actor, to_status=to_status, expected_version=expected_version
    )


def primary_of(complaint: Complaint) -> Complaint:
    """The open complaint about the same waybill and carrier that complaint_in made, to merge into."""
    return (
        Complaint.objects.filter(waybill_number=complaint.waybill_number, status__in=OPEN_STATUSES)
        .exclude(pk=complaint.pk)
        .get()
    )


def complaint_in(status: str, *, actor) -> Complaint:
    complaint = make_complaint()
    make_complaint(waybill_number=complaint.waybill_number)  # a complaint to merge it into
    for step in PATHS[status]:
        move(complaint, step, actor=actor)
    complaint.refresh_from_db()
    assert complaint.status == status
    return complaint


def test_the_paths_used_here_cover_every_status():
    assert set(PATHS) == set(Status)


@pytest.mark.parametrize(("src", "dst"), ALLOWED, ids=[f"{s}->{d}" for s, d in ALLOWED])
def test_an_allowed_transition_succeeds_and_records_one_event(src, dst, agent):
    # Given a complaint in `src`
    complaint = complaint_in(src, actor=agent)
    version = complaint.version
    events_before = ComplaintEvent.objects.count()

    # When the agent moves it to `dst` through the matching action, from the version they saw
    returned = move(complaint, dst, actor=agent, expected_version=version)

    # Then it is in `dst`, one version later
    complaint.refresh_from_db()
    assert complaint.status == dst
    assert complaint.version == version + 1
    assert returned.status == dst and returned.version == version + 1
    # And exactly one event records who moved it from where to where (a merge adds one on the primary too)
    assert ComplaintEvent.objects.count() == events_before + (2 if dst == Status.MERGED else 1)
    event = complaint.events.order_by("-id").first()
    assert event.kind == EXPECTED_KIND.get(dst, EventKind.STATUS_CHANGED)
    assert event.actor == agent
    assert event.data["from"] == src
    assert event.data["to"] == dst


@pytest.mark.parametrize(("src", "dst"), REFUSED, ids=[f"{s}->{d}" for s, d in REFUSED])
def test_a_refused_transition_names_both_statuses_and_writes_nothing(src, dst, agent):
    # Given a complaint in `src`
    complaint = complaint_in(src, actor=agent)
    version = complaint.version
    events_before = ComplaintEvent.objects.count()

    # When the agent tries to move it to `dst`, which the state map does not allow
    with pytest.raises(IllegalTransition) as caught:
        move(complaint, dst, actor=agent, expected_version=version)

    # Then the error names where it is and where it cannot go
    message = str(caught.value)
    assert str(Status(src).label) in message
    assert str(Status(dst).label) in message
    # And nothing was written
    complaint.refresh_from_db()
    assert complaint.status == src
    assert complaint.version == version
    assert ComplaintEvent.objects.count() == events_before


@pytest.mark.parametrize("status", ALL, ids=[s.value for s in ALL])
def test_moving_to_the_status_it_already_has_is_a_quiet_no_op(status, agent):
    # Given a complaint already in `status`
    complaint = complaint_in(status, actor=agent)
    version = complaint.version
    events_before = ComplaintEvent.objects.count()

    # When the same action is asked for again (a double click, a retried request)
    move(complaint, status, actor=agent, expected_version=version)

    # Then nothing happens: no error, no event, same version
    complaint.refresh_from_db()
    assert complaint.status == status
    assert complaint.version == version
    assert ComplaintEvent.objects.count() == events_before


@pytest.mark.parametrize("status", [Status.IN_PROGRESS, Status.RESOLVED, Status.AWAITING_CARRIER, Status.CLOSED])
def test_calling_a_service_twice_records_one_event(status, agent):
    # Given a complaint one step before `status`
    complaint = make_complaint()
    for step in PATHS[status][:-1]:
        move(complaint, step, actor=agent)
    events_before = ComplaintEvent.objects.count()

    # When the same action is called twice, the second time from the version seen before the first
    version = complaint.version
    move(complaint, status, actor=agent, expected_version=version)
    move(complaint, status, actor=agent, expected_version=version)

    # Then the second call changes nothing and raises nothing
    complaint.refresh_from_db()
    assert complaint.status == status
    assert complaint.version == version + 1
    assert ComplaintEvent.objects.count() == events_before + 1


@pytest.mark.parametrize("target", [Status.RESOLVED, Status.AWAITING_CARRIER, Status.REOPENED, Status.CLOSED])
def test_a_plain_status_change_cannot_skip_a_dedicated_action(target, agent):
    # Given a complaint from which `target` is allowed
    source = next(src for src, dst in ALLOWED if dst == target)
    complaint = complaint_in(source, actor=agent)
    events_before = ComplaintEvent.objects.count()

    # When the agent tries a plain status change to it
    with pytest.raises(IllegalTransition):
        services.complaint_transition(complaint=complaint, actor=agent, to_status=target)

    # Then it is refused (the dedicated action asks for what is needed) and nothing is written
    complaint.refresh_from_db()
    assert complaint.status == source
    assert ComplaintEvent.objects.count() == events_before


def test_an_unknown_status_is_invalid_input(agent):
    # Given a new complaint
    complaint = make_complaint()

    # When asked to become a status that does not exist
    with pytest.raises(InvalidInput) as caught:
        services.complaint_transition(complaint=complaint, actor=agent, to_status="lost_in_space")

    # Then the error names the field
    assert "to_status" in caught.value.fields
    assert complaint.events.count() == 1


def test_a_transition_with_a_stale_version_is_refused(agent, other_agent):
    # Given an agent who opened a new complaint at version 1, and a colleague who acknowledged it since
    complaint = make_complaint()
    services.complaint_transition(
        complaint=Complaint.objects.get(pk=complaint.pk), actor=other_agent, to_status=Status.ACKNOWLEDGED
    )

    # When the agent, still looking at version 1, moves it on
    with pytest.raises(VersionConflict):
        services.complaint_transition(
            complaint=complaint, actor=agent, to_status=Status.IN_PROGRESS, expected_version=1
        )

    # Then nothing more was written
    complaint.refresh_from_db()
    assert complaint.status == Status.ACKNOWLEDGED
    assert complaint.events.count() == 2


def test_a_transition_note_is_kept_on_the_event(agent):
    # Given a new complaint
    complaint = make_complaint()

    # When the agent acknowledges it with a note
    services.complaint_transition(
        complaint=complaint, actor=agent, to_status=Status.ACKNOWLEDGED, note="  已致电客户确认情况。 "
    )

    # Then the event carries the note
    assert complaint.events.order_by("-id").first().message == "已致电客户确认情况。"


# --- Resolve ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("summary", "root_cause", "missing"),
    [
        ("", "分拣错误", {"summary"}),
        ("已赔付", "   ", {"root_cause"}),
        ("", "", {"summary", "root_cause"}),
    ],
)
def test_resolving_needs_a_summary_and_a_root_cause(summary, root_cause, missing, agent):
    # Given a complaint in progress
    complaint = complaint_in(Status.IN_PROGRESS, actor=agent)
    events_before = ComplaintEvent.objects.count()

    # When the agent resolves it without saying what was done or why it happened
    with pytest.raises(InvalidInput) as caught:
        services.complaint_resolve(complaint=complaint, actor=agent, summary=summary, root_cause=root_cause)

    # Then the missing fields are named and nothing is written
    assert set(caught.value.fields) == missing
    complaint.refresh_from_db()
    assert complaint.status == Status.IN_PROGRESS
    assert ComplaintEvent.objects.count() == events_before


def test_resolving_keeps_the_summary_and_root_cause_and_stamps_the_time(agent):
    # Given a complaint in progress
    complaint = complaint_in(Status.IN_PROGRESS, actor=agent)

    # When the agent resolves it
    services.complaint_resolve(complaint=complaint, actor=agent, summary=" 已赔付200元。 ", root_cause=" 网点遗失。 ")

    # Then what was done and why are recorded on the complaint and its event
    complaint.refresh_from_db()
    assert complaint.resolution_summary == "已赔付200元。"
    assert complaint.root_cause == "网点遗失。"
    assert complaint.resolved_at is not None
    event = complaint.events.order_by("-id").first()
    assert event.message == "已赔付200元。"
    assert event.data["root_cause"] == "网点遗失。"


# --- Reopen -----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["", "   "])
def test_reopening_needs_a_reason(reason, agent):
    # Given a resolved complaint
    complaint = complaint_in(Status.RESOLVED, actor=agent)
    events_before = ComplaintEvent.objects.count()

    # When it is reopened without a reason
    with pytest.raises(InvalidInput) as caught:
        services.complaint_reopen(complaint=complaint, actor=agent, reason=reason)

    # Then the reason is asked for and nothing is written
    assert "reason" in caught.value.fields
    complaint.refresh_from_db()
    assert complaint.status == Status.RESOLVED
    assert ComplaintEvent.objects.count() == events_before


def test_reopening_counts_and_clears_the_resolution_time(agent):
    # Given a resolved complaint
    complaint = complaint_in(Status.RESOLVED, actor=agent)
    assert complaint.resolved_at is not None

    # When it is reopened twice, with a fresh resolution between
    services.complaint_reopen(complaint=complaint, actor=agent, reason="客户不满意。")
    complaint.refresh_from_db()
    assert complaint.reopen_count == 1
    assert complaint.resolved_at is None
    services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.IN_PROGRESS)
    services.complaint_resolve(complaint=complaint, actor=agent, summary="再次补发。", root_cause="补发件地址错误。")
    services.complaint_reopen(complaint=complaint, actor=agent, reason="仍未收到。")

    # Then the count goes up each time and the reason is on the event
    complaint.refresh_from_db()
    assert complaint.reopen_count == 2
    assert complaint.resolved_at is None
    event = complaint.events.order_by("-id").first()
    assert event.kind == EventKind.REOPENED
    assert event.message == "仍未收到。"
    assert event.data["reopen_count"] == 2


# --- Hand to carrier --------------------------------------------------------------------------------------------------


def test_handing_to_the_carrier_without_a_carrier_is_refused(agent):
    # Given an acknowledged complaint whose carrier is not known
    complaint = make_complaint(carrier=None)
    services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.ACKNOWLEDGED)
    events_before = ComplaintEvent.objects.count()

    # When the agent hands it to the carrier
    with pytest.raises(InvalidInput) as caught:
        services.complaint_hand_to_carrier(complaint=complaint, actor=agent)

    # Then it is refused naming the carrier, and nothing is written
    assert "carrier" in caught.value.fields
    complaint.refresh_from_db()
    assert complaint.status == Status.ACKNOWLEDGED
    assert ComplaintEvent.objects.count() == events_before


def test_handing_to_an_inactive_carrier_is_refused(agent, zto):
    # Given an acknowledged complaint whose carrier stopped being a partner
    complaint = make_complaint(carrier=zto)
    services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.ACKNOWLEDGED)
    zto.is_active = False
    zto.save()

    # When the agent hands it to the carrier
    with pytest.raises(InvalidInput):
        services.complaint_hand_to_carrier(complaint=complaint, actor=agent)

    # Then it stays where it was
    complaint.refresh_from_db()
    assert complaint.status == Status.ACKNOWLEDGED


def test_handing_to_the_carrier_names_the_carrier_on_the_event(agent, sf):
    # Given an acknowledged complaint about an SF parcel
    complaint = make_complaint(carrier=sf)
    services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.ACKNOWLEDGED)

    # When the agent hands it over with a message
    services.complaint_hand_to_carrier(complaint=complaint, actor=agent, message="请核实签收记录。")

    # Then the event says which carrier and what was asked
    event = complaint.events.order_by("-id").first()
    assert event.kind == EventKind.HANDED_TO_CARRIER
    assert event.data["carrier"] == "SF"
    assert event.message == "请核实签收记录。"
