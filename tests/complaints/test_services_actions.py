"""Working a complaint: assign, reply, note, update; versions and conflicts; the append-only timeline."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from complaints import services
from complaints.choices import Category, EventKind, Priority, Status, Visibility
from complaints.errors import IllegalTransition, InvalidInput, VersionConflict
from complaints.models import Complaint, ComplaintEvent
from tests.factories import AgentFactory, CarrierUserFactory, make_complaint

pytestmark = pytest.mark.django_db


def _closed(actor) -> Complaint:
    complaint = make_complaint()
    for status in (Status.ACKNOWLEDGED, Status.IN_PROGRESS):
        services.complaint_transition(complaint=complaint, actor=actor, to_status=status)
    services.complaint_resolve(complaint=complaint, actor=actor, summary="已赔付。", root_cause="网点遗失。")
    services.complaint_close(complaint=complaint, actor=actor)
    return complaint


def _latest_event(complaint) -> ComplaintEvent:
    return complaint.events.order_by("-id").first()


# --- Assign -----------------------------------------------------------------------------------------------------------


def test_assigning_records_one_event_from_and_to(agent, supervisor):
    # Given an unowned complaint
    complaint = make_complaint()

    # When a supervisor gives it to an agent
    services.complaint_assign(complaint=complaint, actor=supervisor, owner=agent, expected_version=1)

    # Then the agent owns it, one version later, with one `assigned` event naming both
    complaint.refresh_from_db()
    assert complaint.owner == agent
    assert complaint.version == 2
    assert complaint.events.count() == 2
    event = _latest_event(complaint)
    assert event.kind == EventKind.ASSIGNED
    assert event.actor == supervisor
    assert event.actor_role == "supervisor"
    assert event.visibility == Visibility.INTERNAL
    assert event.data == {"from": None, "to": agent.username}


def test_assigning_the_same_owner_twice_records_one_event(agent):
    # Given an agent who took a complaint
    complaint = make_complaint()
    services.complaint_assign(complaint=complaint, actor=agent, owner=agent)

    # When they take it again (a double click), even from the old version
    services.complaint_assign(complaint=complaint, actor=agent, owner=agent, expected_version=1)

    # Then nothing more is written
    complaint.refresh_from_db()
    assert complaint.version == 2
    assert complaint.events.filter(kind=EventKind.ASSIGNED).count() == 1


def test_back_to_the_queue(agent):
    # Given an owned complaint
    complaint = make_complaint()
    services.complaint_assign(complaint=complaint, actor=agent, owner=agent)

    # When it is put back in the queue
    services.complaint_assign(complaint=complaint, actor=agent, owner=None)

    # Then nobody owns it and the event says so
    complaint.refresh_from_db()
    assert complaint.owner is None
    assert _latest_event(complaint).data == {"from": agent.username, "to": None}


@pytest.mark.parametrize(
    "make_owner",
    [
        pytest.param(lambda: CarrierUserFactory(), id="carrier-user"),
        pytest.param(lambda: AgentFactory(is_active=False), id="inactive-agent"),
        pytest.param(lambda: AgentFactory(is_staff=False), id="not-staff"),
    ],
)
def test_only_active_agents_and_supervisors_can_own_a_complaint(make_owner, agent):
    # Given a complaint and a user who is not an active member of staff
    complaint = make_complaint()
    owner = make_owner()

    # When someone tries to give them the complaint
    with pytest.raises(InvalidInput) as caught:
        services.complaint_assign(complaint=complaint, actor=agent, owner=owner)

    # Then it is refused naming the owner, and nothing is written
    assert "owner" in caught.value.fields
    complaint.refresh_from_db()
    assert complaint.owner is None
    assert complaint.version == 1
    assert complaint.events.count() == 1


def test_a_closed_complaint_cannot_be_reassigned(agent, other_agent):
    # Given a closed complaint
    complaint = _closed(agent)
    events = complaint.events.count()

    # When someone tries to give it to a colleague
    with pytest.raises(IllegalTransition):
        services.complaint_assign(complaint=complaint, actor=agent, owner=other_agent)

    # Then nothing is written
    assert complaint.events.count() == events


# --- Reply ------------------------------------------------------------------------------------------------------------


def test_the_first_human_reply_stops_the_first_response_clock(agent, other_agent):
    # Given a new complaint
    complaint = make_complaint()
    first_at = timezone.now()

    # When an agent replies, then a colleague replies later
    services.complaint_reply(complaint=complaint, actor=agent, message=" 您好，我们已收到您的投诉。 ", at=first_at)
    services.complaint_reply(
        complaint=complaint, actor=other_agent, message="正在联系网点。", at=first_at + timedelta(hours=3)
    )

    # Then the first response time is the first reply's, and each reply is a public event
    complaint.refresh_from_db()
    assert complaint.first_response_at == first_at
    replies = list(complaint.events.filter(kind=EventKind.PUBLIC_REPLY).order_by("id"))
    assert [(e.actor, e.visibility, e.message) for e in replies] == [
        (agent, Visibility.PUBLIC, "您好，我们已收到您的投诉。"),
        (other_agent, Visibility.PUBLIC, "正在联系网点。"),
    ]


def test_an_automatic_reply_does_not_count_as_a_first_response(agent):
    # Given a new complaint
    complaint = make_complaint()

    # When the system sends an automatic acknowledgement
    services.complaint_reply(complaint=complaint, actor=None, message="我们已收到您的投诉，编号见短信。")

    # Then the first response clock is still running, though the reply is on the timeline
    complaint.refresh_from_db()
    assert complaint.first_response_at is None
    assert _latest_event(complaint).kind == EventKind.PUBLIC_REPLY
    assert _latest_event(complaint).actor_role == "system"

    # And the first human reply stops it
    services.complaint_reply(complaint=complaint, actor=agent, message="您好，我是客服王芳。")
    complaint.refresh_from_db()
    assert complaint.first_response_at is not None


@pytest.mark.parametrize("message", ["", "   \n "])
def test_an_empty_reply_is_refused(message, agent):
    # Given a new complaint
    complaint = make_complaint()

    # When an agent sends an empty reply
    with pytest.raises(InvalidInput) as caught:
        services.complaint_reply(complaint=complaint, actor=agent, message=message)

    # Then it is refused naming the message, and nothing is written
    assert "message" in caught.value.fields
    complaint.refresh_from_db()
    assert complaint.first_response_at is None
    assert complaint.version == 1
    assert complaint.events.count() == 1


def test_a_reply_that_is_too_long_is_refused(agent):
    complaint = make_complaint()
    with pytest.raises(InvalidInput):
        services.complaint_reply(complaint=complaint, actor=agent, message="字" * (services.MESSAGE_MAX_LENGTH + 1))
    assert complaint.events.count() == 1


def test_a_closed_complaint_takes_no_reply(agent):
    # Given a closed complaint
    complaint = _closed(agent)
    events = complaint.events.count()
    version = Complaint.objects.get(pk=complaint.pk).version

    # When an agent replies to it
    with pytest.raises(IllegalTransition):
        services.complaint_reply(complaint=complaint, actor=agent, message="还有什么可以帮您？")

    # Then nothing is written
    complaint.refresh_from_db()
    assert complaint.version == version
    assert complaint.events.count() == events


# --- Internal note ----------------------------------------------------------------------------------------------------


def test_a_note_is_internal_and_does_not_count_as_a_response(agent):
    # Given a new complaint
    complaint = make_complaint()

    # When an agent adds a note
    services.complaint_add_note(
        complaint=complaint, actor=agent, message="客户情绪激动，注意措辞。", expected_version=1
    )

    # Then it is one internal event, and the complainant has still not been answered
    complaint.refresh_from_db()
    assert complaint.version == 2
    assert complaint.first_response_at is None
    event = _latest_event(complaint)
    assert (event.kind, event.visibility, event.actor, event.message) == (
        EventKind.INTERNAL_NOTE,
        Visibility.INTERNAL,
        agent,
        "客户情绪激动，注意措辞。",
    )
    assert event not in ComplaintEvent.objects.filter(complaint=complaint).public()


def test_an_empty_note_is_refused(agent):
    complaint = make_complaint()
    with pytest.raises(InvalidInput) as caught:
        services.complaint_add_note(complaint=complaint, actor=agent, message=" ")
    assert "message" in caught.value.fields
    assert complaint.events.count() == 1


# --- Update -----------------------------------------------------------------------------------------------------------


def test_an_update_records_old_and_new_values_in_one_event(agent, sf):
    # Given a complaint recorded as a delay of a ZTO parcel worth 200
    complaint = make_complaint(category=Category.DELAY, declared_value=Decimal("200.00"))

    # When the agent corrects the category, the carrier, the value and the phone
    services.complaint_update(
        complaint=complaint,
        actor=agent,
        expected_version=1,
        changes={
            "category": Category.LOSS,
            "carrier": sf,
            "declared_value": "350.00",
            "complainant_phone": "+86 139 0000 5555",
            "complainant_name": complaint.complainant_name,
        },
    )

    # Then the complaint has the new values, one version later
    complaint.refresh_from_db()
    assert complaint.category == Category.LOSS
    assert complaint.carrier == sf
    assert complaint.declared_value == Decimal("350.00")
    assert complaint.complainant_phone == "+8613900005555"
    assert complaint.version == 2
    # And one internal `updated` event lists exactly what changed, old and new
    assert complaint.events.count() == 2
    event = _latest_event(complaint)
    assert event.kind == EventKind.UPDATED
    assert event.actor == agent
    assert event.visibility == Visibility.INTERNAL
    changes = event.data["changes"]
    assert set(changes) == {"category", "carrier", "declared_value", "complainant_phone"}
    assert changes["category"] == [Category.DELAY, Category.LOSS]
    assert changes["declared_value"] == ["200.00", "350.00"]
    assert changes["complainant_phone"][1] == "+8613900005555"
    assert "SF" in changes["carrier"][1] and "ZTO" in changes["carrier"][0]


def test_an_update_raising_the_value_flags_the_complaint_high_value(agent):
    # Given an ordinary complaint
    complaint = make_complaint(declared_value=Decimal("100.00"))

    # When the declared value is corrected to a high one
    services.complaint_update(
        complaint=complaint, actor=agent, expected_version=1, changes={"declared_value": Decimal("9000.00")}
    )

    # Then it is flagged high-value
    complaint.refresh_from_db()
    assert complaint.risk_high_value is True


@pytest.mark.parametrize(
    "field",
    ["status", "owner", "reference", "version", "resolved_at", "escalation_level", "first_response_at", "risk_repeat"],
)
def test_fields_with_their_own_action_cannot_be_updated(field, agent):
    # Given a new complaint
    complaint = make_complaint()

    # When someone tries to change a field that is not a detail of intake
    with pytest.raises(InvalidInput) as caught:
        services.complaint_update(
            complaint=complaint, actor=agent, expected_version=1, changes={field: None, "description": "改了描述"}
        )

    # Then it is refused naming that field, and nothing is written (not even the allowed change)
    assert field in caught.value.fields
    complaint.refresh_from_db()
    assert complaint.version == 1
    assert complaint.description != "改了描述"
    assert complaint.events.count() == 1


def test_an_update_that_changes_nothing_is_a_no_op(agent):
    # Given a complaint
    complaint = make_complaint(declared_value=Decimal("200.00"))

    # When the form is saved with the same values (typed differently)
    services.complaint_update(
        complaint=complaint,
        actor=agent,
        expected_version=1,
        changes={
            "declared_value": "200",
            "description": f"  {complaint.description} ",
            "complainant_phone": complaint.complainant_phone,
        },
    )

    # Then no event is written and the version does not move
    complaint.refresh_from_db()
    assert complaint.version == 1
    assert complaint.events.count() == 1


def test_an_invalid_update_is_refused_and_writes_nothing(agent):
    # Given a complaint
    complaint = make_complaint()

    # When the waybill is corrected to something that is not a waybill number
    with pytest.raises(InvalidInput) as caught:
        services.complaint_update(
            complaint=complaint,
            actor=agent,
            expected_version=1,
            changes={"waybill_number": "ZT-1", "category": Category.LOSS},
        )

    # Then nothing is written
    assert "waybill_number" in caught.value.fields
    complaint.refresh_from_db()
    assert complaint.category == Category.DELAY
    assert complaint.version == 1
    assert complaint.events.count() == 1


# --- Every write: one event, one version ------------------------------------------------------------------------------


def test_each_service_writes_exactly_one_event_and_bumps_the_version_by_one(agent, other_agent):
    complaint = make_complaint()
    steps = [
        lambda v: services.complaint_assign(complaint=complaint, actor=agent, owner=agent, expected_version=v),
        lambda v: services.complaint_reply(complaint=complaint, actor=agent, message="您好。", expected_version=v),
        lambda v: services.complaint_add_note(complaint=complaint, actor=agent, message="备注。", expected_version=v),
        lambda v: services.complaint_update(
            complaint=complaint, actor=agent, expected_version=v, changes={"priority": Priority.HIGH}
        ),
        lambda v: services.complaint_transition(
            complaint=complaint, actor=agent, to_status=Status.ACKNOWLEDGED, expected_version=v
        ),
        lambda v: services.complaint_hand_to_carrier(complaint=complaint, actor=agent, expected_version=v),
        lambda v: services.complaint_transition(
            complaint=complaint, actor=agent, to_status=Status.IN_PROGRESS, expected_version=v
        ),
        lambda v: services.complaint_assign(complaint=complaint, actor=agent, owner=other_agent, expected_version=v),
        lambda v: services.complaint_resolve(
            complaint=complaint, actor=agent, summary="已处理。", root_cause="延误。", expected_version=v
        ),
        lambda v: services.complaint_reopen(complaint=complaint, actor=agent, reason="不满意。", expected_version=v),
        lambda v: services.complaint_transition(
            complaint=complaint, actor=agent, to_status=Status.IN_PROGRESS, expected_version=v
        ),
        lambda v: services.complaint_resolve(
            complaint=complaint, actor=agent, summary="已处理。", root_cause="延误。", expected_version=v
        ),
        lambda v: services.complaint_close(complaint=complaint, actor=agent, expected_version=v),
    ]
    for step in steps:
        # Given the complaint at some version with some events
        stored = Complaint.objects.get(pk=complaint.pk)
        events = ComplaintEvent.objects.filter(complaint=complaint).count()

        # When one service is called from that version
        returned = step(stored.version)

        # Then it wrote one event and one version, and the caller's object is up to date
        assert ComplaintEvent.objects.filter(complaint=complaint).count() == events + 1
        assert Complaint.objects.get(pk=complaint.pk).version == stored.version + 1
        assert returned.version == complaint.version == stored.version + 1


@pytest.mark.parametrize(
    "call",
    [
        pytest.param(
            lambda c, a, v: services.complaint_reply(complaint=c, actor=a, message="您好。", expected_version=v),
            id="reply",
        ),
        pytest.param(
            lambda c, a, v: services.complaint_add_note(complaint=c, actor=a, message="备注。", expected_version=v),
            id="note",
        ),
        pytest.param(
            lambda c, a, v: services.complaint_assign(complaint=c, actor=a, owner=a, expected_version=v), id="assign"
        ),
        pytest.param(
            lambda c, a, v: services.complaint_update(
                complaint=c, actor=a, expected_version=v, changes={"category": Category.LOSS}
            ),
            id="update",
        ),
        pytest.param(
            lambda c, a, v: services.complaint_transition(
                complaint=c, actor=a, expected_version=v, to_status=Status.IN_PROGRESS
            ),
            id="transition",
        ),
        pytest.param(
            lambda c, a, v: services.complaint_hand_to_carrier(complaint=c, actor=a, expected_version=v),
            id="hand_to_carrier",
        ),
    ],
)
def test_a_stale_version_is_refused_naming_who_changed_it(call, agent, other_agent):
    # Given an agent who opened a new complaint at version 1, and a colleague who then acknowledged it
    complaint = make_complaint()
    services.complaint_transition(
        complaint=Complaint.objects.get(pk=complaint.pk), actor=other_agent, to_status=Status.ACKNOWLEDGED
    )
    stored = Complaint.objects.get(pk=complaint.pk)

    # When the agent acts from version 1
    with pytest.raises(VersionConflict) as caught:
        call(complaint, agent, 1)

    # Then the message names the complaint and the colleague, and nothing is written
    assert other_agent.username in str(caught.value)
    assert complaint.reference in str(caught.value)
    after = Complaint.objects.get(pk=complaint.pk)
    assert after.version == stored.version == 2
    assert after.owner is None
    assert after.category == Category.DELAY
    assert after.status == Status.ACKNOWLEDGED
    assert complaint.events.count() == 2


def test_a_stale_version_after_a_system_change_names_the_system(agent):
    # Given a complaint the system replied to after the agent opened it
    complaint = make_complaint()
    services.complaint_reply(complaint=Complaint.objects.get(pk=complaint.pk), actor=None, message="已收到。")

    # When the agent writes from version 1
    with pytest.raises(VersionConflict) as caught:
        services.complaint_add_note(complaint=complaint, actor=agent, message="备注。", expected_version=1)

    # Then the message says who (the system) changed it, in the agent's language
    assert gettext("the system") in str(caught.value)
    assert complaint.events.count() == 2


# --- The timeline is append-only --------------------------------------------------------------------------------------


def test_an_event_cannot_be_changed_through_the_orm(agent):
    # Given a complaint with its created event
    event = make_complaint().events.get()

    # When someone edits the event and saves it
    event.message = "篡改的内容"
    with pytest.raises(TypeError):
        event.save()

    # Then the stored event is unchanged
    event.refresh_from_db()
    assert event.message != "篡改的内容"


def test_an_event_cannot_be_deleted_through_the_orm():
    # Given a complaint with its created event
    complaint = make_complaint()
    event = complaint.events.get()

    # When someone deletes the event, or all events through the manager
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        ComplaintEvent.objects.filter(complaint=complaint).delete()

    # Then it is still there
    assert ComplaintEvent.objects.filter(pk=event.pk).exists()


def test_events_cannot_be_updated_in_bulk():
    # Given a complaint with its created event
    complaint = make_complaint()

    # When someone updates events through the manager
    with pytest.raises(TypeError):
        ComplaintEvent.objects.update(message="篡改")
    with pytest.raises(TypeError):
        ComplaintEvent.objects.filter(complaint=complaint).update(message="篡改")

    # Then the stored event is unchanged
    assert complaint.events.get().message != "篡改"


def test_the_database_refuses_a_raw_update_of_an_event():
    # Given a complaint with its created event
    complaint = make_complaint()
    event = complaint.events.get()
    table = ComplaintEvent._meta.db_table

    # When someone goes around the ORM with SQL
    with pytest.raises((DatabaseError, IntegrityError)) as caught:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"UPDATE {table} SET message = %s WHERE id = %s", ["篡改", event.pk])

    # Then the database trigger refuses it, and the event is unchanged
    assert "append-only" in str(caught.value)
    event.refresh_from_db()
    assert event.message != "篡改"


def test_resolving_records_where_the_problem_arose_and_whether_the_carrier_is_liable(agent):
    # Given a complaint being worked
    complaint = make_complaint(actor=agent)
    services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.ACKNOWLEDGED)
    services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.IN_PROGRESS)
    # When it is resolved as the sorting centre's fault
    services.complaint_resolve(
        complaint=complaint,
        actor=agent,
        summary="已补发。",
        root_cause="错分。",
        root_cause_area="sorting",
        carrier_liable=True,
    )
    # Then the report can count it as a valid complaint fed back to the sorting centre
    complaint.refresh_from_db()
    assert (complaint.root_cause_area, complaint.carrier_liable) == ("sorting", True)
    assert complaint.events.get(kind=EventKind.RESOLVED).data["root_cause_area"] == "sorting"


def test_an_unknown_root_cause_area_is_refused_and_nothing_changes(agent):
    complaint = make_complaint(actor=agent)
    services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.ACKNOWLEDGED)
    with pytest.raises(InvalidInput) as error:
        services.complaint_resolve(
            complaint=complaint, actor=agent, summary="已补发。", root_cause="错分。", root_cause_area="weather"
        )
    assert "root_cause_area" in error.value.fields
    complaint.refresh_from_db()
    assert complaint.status == Status.ACKNOWLEDGED
