"""The agents' admin, driven as an agent or a supervisor would drive it: lists, filters, search, the change page and
its action buttons, and who may do what. Every change must go through the services (so: an event with an actor)."""

import pytest
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaints import services
from complaints.choices import Category, Channel, EventKind, Priority, Status
from complaints.models import Complaint, ComplaintEvent
from tests.factories import AgentFactory, CarrierUserFactory, make_complaint

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:complaints_complaint_changelist"
ALL = {"queue": "all"}  # every complaint, not only the default "Mine" view
PASSWORD = "pw-for-tests-123"


def _change_url(complaint):
    return reverse("admin:complaints_complaint_change", args=[complaint.pk])


def _action_url(complaint, name):
    return reverse("admin:complaints_complaint_action", args=[complaint.pk, name])


def _messages(response):
    return [(m.level, str(m)) for m in get_messages(response.wsgi_request)]


def _listed(response):
    return {c.reference for c in response.context["cl"].result_list}


def _stored(complaint):
    return Complaint.objects.get(pk=complaint.pk)


def _walk(complaint, *statuses, actor):
    for status in statuses:
        if status == Status.RESOLVED:
            services.complaint_resolve(complaint=complaint, actor=actor, summary="已赔付。", root_cause="网点遗失。")
        else:
            services.complaint_transition(complaint=complaint, actor=actor, to_status=status)
    return _stored(complaint)


# --- The list ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["agent_client", "supervisor_client"])
def test_the_changelist_shows_the_complaints(who, request):
    # Given three complaints
    complaints = [make_complaint() for _ in range(3)]
    client = request.getfixturevalue(who)

    # When an agent or a supervisor opens the list of all complaints
    response = client.get(reverse(CHANGELIST), ALL)

    # Then it shows them all
    assert response.status_code == 200
    assert _listed(response) == {c.reference for c in complaints}
    for complaint in complaints:
        assert complaint.reference in response.content.decode()


def test_the_changelist_does_not_run_a_query_per_row(agent_client, agent, other_agent, zto, sf):
    def fill(n):
        for i in range(n):
            complaint = make_complaint(carrier=(zto, sf)[i % 2])
            if i % 3:
                services.complaint_assign(complaint=complaint, actor=agent, owner=(agent, other_agent)[i % 2])

    def count_queries():
        with CaptureQueriesContext(connection) as captured:
            response = agent_client.get(reverse(CHANGELIST), ALL)
        assert response.status_code == 200
        return len(captured), len(response.context["cl"].result_list)

    # Given 5 complaints, with carriers and owners
    fill(5)
    small, rows = count_queries()
    assert rows == 5

    # When there are 30
    fill(25)
    large, rows = count_queries()
    assert rows == 30

    # Then the list costs the same number of queries
    assert large == small


@pytest.fixture
def assorted(agent, other_agent, zto, sf):
    """A handful of complaints that differ in one way each."""
    items = {
        "plain": make_complaint(carrier=zto),
        "sf_loss": make_complaint(carrier=sf, category=Category.LOSS),
        "regulator": make_complaint(carrier=zto, channel=Channel.REGULATOR),
        "urgent": make_complaint(carrier=zto, priority=Priority.URGENT),
        "mine": make_complaint(carrier=zto),
        "theirs": make_complaint(carrier=zto),
        "acknowledged": make_complaint(carrier=zto),
    }
    services.complaint_assign(complaint=items["mine"], actor=agent, owner=agent)
    services.complaint_assign(complaint=items["theirs"], actor=other_agent, owner=other_agent)
    services.complaint_transition(complaint=items["acknowledged"], actor=agent, to_status=Status.ACKNOWLEDGED)
    return {name: _stored(c) for name, c in items.items()}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status__exact": "acknowledged"}, {"acknowledged"}),
        ({"category__exact": "loss"}, {"sf_loss"}),
        ({"carrier__code": "SF"}, {"sf_loss"}),
        ({"channel__exact": "regulator"}, {"regulator"}),
        ({"priority__exact": "urgent"}, {"urgent"}),
        ({"escalation_level__exact": "1"}, {"regulator"}),
        ({"assigned": "mine"}, {"mine"}),
        ({"assigned": "unassigned"}, {"plain", "sf_loss", "regulator", "urgent", "acknowledged"}),
    ],
    ids=[
        "status",
        "category",
        "carrier",
        "channel",
        "priority",
        "escalation_level",
        "assigned-mine",
        "assigned-unassigned",
    ],
)
def test_the_filters_narrow_the_list(query, expected, assorted, agent_client, sf):
    # Given complaints that differ in one way each
    if "carrier__code" in query:
        query = {"carrier__id__exact": str(sf.pk)}

    # When the agent filters the list
    response = agent_client.get(reverse(CHANGELIST), query)

    # Then only the matching complaints are shown
    assert response.status_code == 200
    assert _listed(response) == {assorted[name].reference for name in expected}


def test_the_filters_are_offered_in_the_sidebar(assorted, agent_client):
    response = agent_client.get(reverse(CHANGELIST))
    html = response.content.decode()
    for parameter in (
        "status__exact",
        "category__exact",
        "carrier__id__exact",
        "channel__exact",
        "priority__exact",
        "escalation_level__exact",
        "assigned=mine",
        "assigned=unassigned",
    ):
        assert parameter in html, parameter


@pytest.mark.parametrize(
    "term",
    [
        pytest.param(lambda c: c.reference, id="reference"),
        pytest.param(lambda c: c.reference.lower(), id="reference-lower-case"),
        pytest.param(lambda c: c.waybill_number, id="waybill"),
        pytest.param(lambda c: c.waybill_number.lower(), id="waybill-lower-case"),
        pytest.param(lambda c: c.complainant_phone, id="phone"),
        pytest.param(lambda c: "136 1111 2222", id="phone-with-spaces"),
        pytest.param(lambda c: "+86 136-1111-2222", id="phone-with-country-code"),
        pytest.param(lambda c: c.complainant_name, id="name"),
        pytest.param(lambda c: c.complainant_name[1:], id="part-of-name"),
    ],
)
def test_search_finds_a_complaint(term, agent_client):
    # Given a complaint among others
    target = make_complaint(
        waybill_number="SF1234567890123", complainant_phone="13611112222", complainant_name="欧阳娜娜"
    )
    make_complaint(waybill_number="YT9876543210", complainant_phone="13799998888", complainant_name="李雷")
    make_complaint(waybill_number="JD5555666677", complainant_phone="13588887777", complainant_name="韩梅梅")

    # When the agent searches for it
    response = agent_client.get(reverse(CHANGELIST), {"q": term(target)})

    # Then only it is found
    assert response.status_code == 200
    assert _listed(response) == {target.reference}


# --- The change page --------------------------------------------------------------------------------------------------


def test_the_change_page_shows_the_timeline_newest_first_and_the_actions(agent_client, agent, other_agent):
    # Given a complaint with a history
    complaint = make_complaint(description="第一条：投诉内容。")
    services.complaint_transition(complaint=complaint, actor=other_agent, to_status=Status.ACKNOWLEDGED)
    services.complaint_add_note(complaint=complaint, actor=other_agent, message="第二条：内部备注。")
    services.complaint_reply(complaint=complaint, actor=other_agent, message="第三条：回复客户。")

    # When the agent opens it
    response = agent_client.get(_change_url(complaint))

    # Then the timeline is there, newest first
    assert response.status_code == 200
    html = response.content.decode()
    positions = [html.index(text) for text in ("第三条：回复客户。", "第二条：内部备注。", "第一条：投诉内容。")]
    assert positions == sorted(positions)
    assert [e.kind for e in response.context["timeline"]] == [
        EventKind.PUBLIC_REPLY,
        EventKind.INTERNAL_NOTE,
        EventKind.STATUS_CHANGED,
        EventKind.CREATED,
    ]
    # And the buttons an agent can use on an acknowledged complaint
    for action in ("assign_me", "transition", "reply", "note", "hand_to_carrier"):
        assert f'value="{action}"' in html, action
        assert _action_url(complaint, action) in html, action
    # But not those the state map does not allow from here, nor the supervisor's
    for action in ("resolve", "close", "reopen", "assign"):
        assert f'value="{action}"' not in html, action


def test_the_resolve_form_asks_where_it_arose_and_whether_the_carrier_is_liable(agent_client, agent):
    # Given a complaint being worked
    complaint = make_complaint()
    services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.ACKNOWLEDGED)
    services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.IN_PROGRESS)
    # When the agent opens it
    html = agent_client.get(_change_url(complaint)).content.decode()
    # Then the resolve form has every field the resolution needs
    for field in ("summary", "root_cause", "root_cause_area", "carrier_liable"):
        assert f'name="{field}"' in html, field


def test_a_supervisor_sees_the_set_owner_button(supervisor_client):
    complaint = make_complaint()
    html = supervisor_client.get(_change_url(complaint)).content.decode()
    assert 'value="assign"' in html


# --- The action buttons -----------------------------------------------------------------------------------------------


# name: (statuses to walk through first, form data, event kind, status afterwards)
ACTION_CASES = {
    "assign_me": ((), {}, EventKind.ASSIGNED, Status.NEW),
    "reply": ((), {"reply-message": "您好，我们正在处理。"}, EventKind.PUBLIC_REPLY, Status.NEW),
    "note": ((), {"note-message": "客户要求下午回电。"}, EventKind.INTERNAL_NOTE, Status.NEW),
    "transition": (
        (),
        {"to_status": Status.ACKNOWLEDGED, "note": "已受理。"},
        EventKind.STATUS_CHANGED,
        Status.ACKNOWLEDGED,
    ),
    "hand_to_carrier": (
        (Status.ACKNOWLEDGED,),
        {"message": "请核实派送记录。"},
        EventKind.HANDED_TO_CARRIER,
        Status.AWAITING_CARRIER,
    ),
    "resolve": (
        (Status.ACKNOWLEDGED, Status.IN_PROGRESS),
        {"summary": "已补发。", "root_cause": "分拣错误。", "root_cause_area": "sorting", "carrier_liable": "yes"},
        EventKind.RESOLVED,
        Status.RESOLVED,
    ),
    "close": ((Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.RESOLVED), {}, EventKind.CLOSED, Status.CLOSED),
    "reopen": (
        (Status.ACKNOWLEDGED, Status.IN_PROGRESS, Status.RESOLVED),
        {"reason": "客户仍不满意。"},
        EventKind.REOPENED,
        Status.REOPENED,
    ),
}


def _version_field(name):
    return f"{name}-expected_version" if name in ("reply", "note") else "expected_version"


@pytest.mark.parametrize("name", sorted(ACTION_CASES))
def test_each_action_button_acts_through_the_service(name, agent_client, agent, other_agent):
    # Given a complaint in a state where the action makes sense
    walk, data, kind, status_after = ACTION_CASES[name]
    complaint = _walk(make_complaint(), *walk, actor=other_agent)
    events = complaint.events.count()

    # When the agent presses the button, from the version on their screen
    response = agent_client.post(_action_url(complaint, name), {**data, _version_field(name): complaint.version})

    # Then they are sent back to the complaint with a success message
    assert response.status_code == 302
    assert response.url == _change_url(complaint)
    assert [level for level, _ in _messages(response)] == [message_levels.SUCCESS]
    # And the service wrote one event of the right kind, by the agent
    after = _stored(complaint)
    assert after.status == status_after
    assert after.version == complaint.version + 1
    assert after.events.count() == events + 1
    event = after.events.order_by("-id").first()
    assert event.kind == kind
    assert event.actor == agent


def test_the_set_owner_button_assigns_through_the_service(supervisor_client, supervisor, agent):
    # Given a new complaint
    complaint = make_complaint()

    # When the supervisor gives it to an agent
    response = supervisor_client.post(_action_url(complaint, "assign"), {"owner": agent.pk, "expected_version": 1})

    # Then the agent owns it, and the event names the supervisor
    assert response.status_code == 302
    after = _stored(complaint)
    assert after.owner == agent
    event = after.events.order_by("-id").first()
    assert (event.kind, event.actor) == (EventKind.ASSIGNED, supervisor)


def test_an_agent_cannot_use_the_set_owner_button(agent_client, other_agent):
    # Given a new complaint
    complaint = make_complaint()

    # When an agent posts to the supervisor's "set owner" action
    response = agent_client.post(_action_url(complaint, "assign"), {"owner": other_agent.pk, "expected_version": 1})

    # Then it is forbidden and nothing changes
    assert response.status_code == 403
    assert _stored(complaint).owner is None
    assert complaint.events.count() == 1


@pytest.mark.parametrize("name", sorted([*ACTION_CASES, "assign"]))
def test_an_action_from_a_stale_version_shows_an_error_and_writes_nothing(name, supervisor_client, other_agent):
    # Given a complaint the supervisor opened, that a colleague then changed (a note bumps the version)
    walk, data, _kind, _status = ACTION_CASES.get(name, ((), {"owner": other_agent.pk}, None, None))
    complaint = _walk(make_complaint(), *walk, actor=other_agent)
    seen = complaint.version
    services.complaint_add_note(complaint=complaint, actor=other_agent, message="同事刚加的备注。")
    now = _stored(complaint)
    events = now.events.count()

    # When the supervisor presses the button with the version they saw
    response = supervisor_client.post(_action_url(complaint, name), {**data, _version_field(name): seen})

    # Then they are told it changed (by whom), and nothing is written
    assert response.status_code == 302
    shown = _messages(response)
    assert [level for level, _ in shown] == [message_levels.ERROR]
    assert other_agent.username in shown[0][1]
    after = _stored(complaint)
    assert after.version == now.version
    assert after.status == now.status
    assert after.owner_id == now.owner_id
    assert after.events.count() == events


def test_an_action_with_missing_input_shows_an_error_and_writes_nothing(agent_client):
    # Given a complaint in progress
    complaint = _walk(make_complaint(), Status.ACKNOWLEDGED, Status.IN_PROGRESS, actor=None)

    # When the agent presses "resolve" without a root cause
    response = agent_client.post(
        _action_url(complaint, "resolve"),
        {"summary": "已处理。", "root_cause": "", "expected_version": complaint.version},
    )

    # Then an error is shown and nothing is written
    assert [level for level, _ in _messages(response)] == [message_levels.ERROR]
    assert _stored(complaint).status == Status.IN_PROGRESS


def test_an_illegal_transition_from_the_admin_is_refused_with_a_message(agent_client):
    # Given a new complaint
    complaint = make_complaint()

    # When the agent posts a status change the state map does not allow
    response = agent_client.post(
        _action_url(complaint, "transition"), {"to_status": Status.IN_PROGRESS, "expected_version": 1}
    )

    # Then an error is shown and nothing is written
    assert [level for level, _ in _messages(response)] == [message_levels.ERROR]
    assert _stored(complaint).status == Status.NEW
    assert complaint.events.count() == 1


def test_an_action_url_answers_only_post(agent_client):
    complaint = make_complaint()
    assert agent_client.get(_action_url(complaint, "assign_me")).status_code == 403
    assert agent_client.post(_action_url(complaint, "explode"), {"expected_version": 1}).status_code == 403


# --- The details form -------------------------------------------------------------------------------------------------


def _details(complaint, **overrides):
    data = {
        "waybill_number": complaint.waybill_number,
        "carrier": complaint.carrier_id or "",
        "category": complaint.category,
        "channel": complaint.channel,
        "description": complaint.description,
        "complainant_name": complaint.complainant_name,
        "complainant_phone": complaint.complainant_phone,
        "complainant_email": complaint.complainant_email,
        "language": complaint.language,
        "contact_channel": complaint.contact_channel,
        "declared_value": str(complaint.declared_value),
        "insured_value": str(complaint.insured_value),
        "shipping_fee": str(complaint.shipping_fee),
        "priority": complaint.priority,
        "expected_version": complaint.version,
        "_save": "Save",
    }
    if complaint.risk_medical:
        data["risk_medical"] = "on"
    if complaint.risk_social_media:
        data["risk_social_media"] = "on"
    data.update(overrides)
    return data


def test_saving_the_details_goes_through_the_update_service(agent_client, agent):
    # Given a complaint recorded as a delay
    complaint = make_complaint(category=Category.DELAY)

    # When the agent corrects the category and saves
    response = agent_client.post(_change_url(complaint), _details(complaint, category=Category.LOSS))

    # Then it is saved, with one `updated` event by the agent
    assert response.status_code == 302
    after = _stored(complaint)
    assert after.category == Category.LOSS
    assert after.version == 2
    event = after.events.order_by("-id").first()
    assert (event.kind, event.actor) == (EventKind.UPDATED, agent)
    assert event.data["changes"] == {"category": [Category.DELAY, Category.LOSS]}


def test_saving_the_details_from_a_stale_version_shows_the_conflict_and_saves_nothing(agent_client, other_agent):
    # Given a complaint the agent opened at version 1, that a colleague then changed
    complaint = make_complaint(category=Category.DELAY)
    services.complaint_add_note(complaint=_stored(complaint), actor=other_agent, message="同事的备注。")

    # When the agent saves the details form they opened
    response = agent_client.post(
        _change_url(complaint), _details(complaint, category=Category.LOSS, expected_version=1)
    )

    # Then the page comes back with the conflict, and nothing is saved
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert [e.code for e in form.non_field_errors().as_data()] == ["conflict"]
    after = _stored(complaint)
    assert after.category == Category.DELAY
    assert after.version == 2
    assert after.events.count() == 2


# --- The add page -----------------------------------------------------------------------------------------------------


def _new_complaint_form(zto, **overrides):
    data = {
        "waybill_number": "zt7512345678",
        "carrier": zto.pk,
        "category": Category.DAMAGE,
        "channel": Channel.PHONE,
        "description": "外箱破损，内件玻璃杯碎了两个。",
        "complainant_name": "赵敏",
        "complainant_phone": "13812345678",
        "complainant_email": "",
        "language": "zh-hans",
        "contact_channel": "sms",
        "declared_value": "120.00",
        "insured_value": "0.00",
        "shipping_fee": "10.00",
        "priority": Priority.NORMAL,
        "_save": "Save",
    }
    data.update(overrides)
    return data


def test_the_add_page_creates_a_complaint_through_intake(agent_client, agent, zto):
    # Given an agent on the phone with a complainant
    # When they fill in the add form and save
    response = agent_client.post(reverse("admin:complaints_complaint_add"), _new_complaint_form(zto))

    # Then one complaint is recorded with a reference, through intake (one `created` event by the agent)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    complaint = Complaint.objects.get()
    assert complaint.reference.startswith("C") and len(complaint.reference) == 11
    assert complaint.waybill_number == "ZT7512345678"
    assert complaint.status == Status.NEW
    event = ComplaintEvent.objects.get()
    assert (event.complaint, event.kind, event.actor) == (complaint, EventKind.CREATED, agent)


def test_the_add_page_accepts_a_phone_number_typed_with_spaces(agent_client, zto):
    # Given a complainant who dictates their number as "+86 138 1234 5678"
    # When the agent types it that way and saves
    response = agent_client.post(
        reverse("admin:complaints_complaint_add"), _new_complaint_form(zto, complainant_phone="+86 138 1234 5678")
    )

    # Then it is accepted and stored in E.164, as intake does for every other channel
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert Complaint.objects.get().complainant_phone == "+8613812345678"


def test_the_add_page_flags_risk_like_intake(agent_client, zto):
    # Given a complaint that came in through the regulator
    # When the agent records it
    agent_client.post(reverse("admin:complaints_complaint_add"), _new_complaint_form(zto, channel=Channel.REGULATOR))

    # Then it is flagged and escalated as intake does
    complaint = Complaint.objects.get()
    assert complaint.risk_regulator is True
    assert complaint.escalation_level == 1


def test_the_add_page_refuses_invalid_input_and_records_nothing(agent_client, zto):
    # Given an add form with a malformed waybill number
    # When it is saved
    response = agent_client.post(
        reverse("admin:complaints_complaint_add"), _new_complaint_form(zto, waybill_number="ZT-75")
    )

    # Then the form comes back with the error, and nothing is recorded
    assert response.status_code == 200
    assert "waybill_number" in response.context["adminform"].form.errors
    assert Complaint.objects.count() == 0
    assert ComplaintEvent.objects.count() == 0


# --- Bulk action ------------------------------------------------------------------------------------------------------


def test_bulk_assign_to_me_takes_unowned_ones_and_skips_colleagues(agent_client, agent, other_agent):
    # Given two unowned complaints, one of the agent's own and one a colleague owns
    free_1, free_2, own, theirs = (make_complaint() for _ in range(4))
    services.complaint_assign(complaint=own, actor=agent, owner=agent)
    services.complaint_assign(complaint=theirs, actor=other_agent, owner=other_agent)

    # When the agent selects all four and runs "assign to me"
    response = agent_client.post(
        f"{reverse(CHANGELIST)}?queue=all",
        {
            "action": "assign_to_me",
            "_selected_action": [c.pk for c in (free_1, free_2, own, theirs)],
            "index": 0,
        },
    )

    # Then the unowned ones are theirs, the colleague's is untouched, and they are told one was skipped
    assert response.status_code == 302
    assert _stored(free_1).owner == agent
    assert _stored(free_2).owner == agent
    assert _stored(own).owner == agent
    assert _stored(theirs).owner == other_agent
    assert theirs.events.filter(kind=EventKind.ASSIGNED).count() == 1
    assert free_1.events.get(kind=EventKind.ASSIGNED).actor == agent
    levels = [level for level, _ in _messages(response)]
    assert message_levels.WARNING in levels


# --- Permissions ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["agent", "supervisor"])
def test_nobody_deletes_a_complaint_it_is_closed_instead(who, client, agent, supervisor):
    # Given a complaint (a record the regulator may ask for)
    complaint = make_complaint()
    client.force_login(agent if who == "agent" else supervisor)
    # When staff try the delete page or the bulk delete action
    response = client.get(reverse("admin:complaints_complaint_delete", args=[complaint.pk]))
    assert response.status_code == 403
    response = client.post(reverse("admin:complaints_complaint_delete", args=[complaint.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert 'value="delete_selected"' not in client.get(reverse(CHANGELIST)).content.decode()
    # Then the complaint is still there
    assert Complaint.objects.filter(pk=complaint.pk).exists()


def test_a_carrier_partner_cannot_log_in_to_the_admin(client):
    # Given a carrier-partner user with a valid password
    user = CarrierUserFactory(username="zto_api")

    # When they try to log in to the admin
    response = client.post(reverse("admin:login"), {"username": user.username, "password": PASSWORD})

    # Then they are not logged in
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    # And even with a session, the admin sends them to the login page
    client.force_login(user)
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 302
    assert reverse("admin:login") in response.url


def test_an_agent_can_log_in_to_the_admin(client):
    # Given an agent (the same login that refuses carrier users works for staff)
    user = AgentFactory(username="agent_zhou")
    response = client.post(reverse("admin:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse(CHANGELIST)).status_code == 200


@pytest.mark.parametrize("who", ["agent_client", "supervisor_client"])
def test_the_event_admin_is_read_only(who, request):
    # Given a complaint with its created event
    client = request.getfixturevalue(who)
    event = make_complaint().events.get()

    # When staff open the audit trail
    assert client.get(reverse("admin:complaints_complaintevent_changelist")).status_code == 200
    assert client.get(reverse("admin:complaints_complaintevent_change", args=[event.pk])).status_code == 200

    # Then they cannot add, change or delete an event
    assert client.get(reverse("admin:complaints_complaintevent_add")).status_code == 403
    response = client.post(
        reverse("admin:complaints_complaintevent_change", args=[event.pk]), {"message": "篡改", "kind": event.kind}
    )
    assert response.status_code == 403
    assert client.get(reverse("admin:complaints_complaintevent_delete", args=[event.pk])).status_code == 403
    assert (
        client.post(reverse("admin:complaints_complaintevent_delete", args=[event.pk]), {"post": "yes"}).status_code
        == 403
    )
    event.refresh_from_db()
    assert event.message != "篡改"
    assert ComplaintEvent.objects.filter(pk=event.pk).exists()
