"""The complaint admin on a very large table: the search recognises what was typed, the count stops at a cap and says
so, deep pages are bounded, and the change page costs the same however long the timeline. (The figures at 10 million
complaints are bench_admin's: docs/benchmarks.md.)"""

from datetime import timedelta

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from complaints.admin import complaint_actions
from complaints.admin.paginator import CappedCountPaginator
from complaints.choices import EventKind, Visibility
from complaints.models import Complaint, ComplaintEvent
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:complaints_complaint_changelist"


def _listed(response):
    return {c.reference for c in response.context["cl"].result_list}


@pytest.fixture
def people():
    target = make_complaint(
        waybill_number="SF1234567890123", complainant_phone="13611112222", complainant_name="欧阳娜娜"
    )
    others = [
        make_complaint(waybill_number="YT9876543210", complainant_phone="13799998888", complainant_name="李雷"),
        make_complaint(waybill_number="JD5555666677", complainant_phone="13611119999", complainant_name="欧阳修"),
        make_complaint(waybill_number="ZT1361111222", complainant_phone="13588887777", complainant_name="韩梅梅"),
    ]
    return target, others


# What an agent may type, and whom it means: one complaint ("target") and others sharing parts of its name or phone.
SEARCHES = [
    (lambda t: t.reference.lower(), {"target"}),  # a reference, in any case
    (lambda t: "sf12 3456 7890 123", {"target"}),  # a waybill number, lower case with spaces
    (lambda t: "SF1234-5678-90123", {"target"}),  # a waybill number with dashes
    (lambda t: "(+86) 136 1111 2222", {"target"}),  # a whole phone number as people write it
    (lambda t: "136-1111", {"target", "欧阳修"}),  # the start of a phone number
    (lambda t: "欧阳", {"target", "欧阳修"}),  # two characters: the start of a name
    (lambda t: "阳娜娜", {"target"}),  # three characters: anywhere in a name
    (lambda t: "ouyang", set()),  # nobody of that name
    (lambda t: "ZT9999999999", set()),  # a waybill number nobody has
]


def test_the_search_recognises_what_was_typed(people, agent_client):
    # Given a complaint and others that share parts of its name, phone or waybill
    target, others = people
    names = {"target": target.reference, **{c.complainant_name: c.reference for c in others}}

    for term, expected in SEARCHES:
        # When the agent searches
        response = agent_client.get(reverse(CHANGELIST), {"q": term(target)})

        # Then exactly the complaints meant are listed
        assert response.status_code == 200
        assert _listed(response) == {names[name] for name in expected}, term(target)


def test_a_waybill_shaped_search_does_not_match_a_phone_that_merely_contains_it(people, agent_client):
    # Given a waybill number made of the same digits as the start of someone's phone ("1361111222")
    target, others = people

    # When the agent searches for the other complaint's waybill number
    response = agent_client.get(reverse(CHANGELIST), {"q": "zt1361111222"})

    # Then only the complaint with that waybill is found
    assert _listed(response) == {others[2].reference}


@pytest.fixture
def small_cap(monkeypatch):
    # The cap is 10,000 in production; 3 rows here keep the test fast. Two rows a page.
    monkeypatch.setattr(CappedCountPaginator, "cap", 3)
    monkeypatch.setattr(admin.site._registry[Complaint], "list_per_page", 2)


def test_the_count_stops_at_the_cap_and_says_so(small_cap, agent_client):
    # Given more complaints than the cap
    for _ in range(5):
        make_complaint()

    # When the agent lists them all (a search every one of them matches)
    with CaptureQueriesContext(connection) as queries:
        response = agent_client.get(reverse(CHANGELIST), {"q": "张伟"}, HTTP_ACCEPT_LANGUAGE="en")

    # Then the list says there are more than the cap instead of counting them all
    html = response.content.decode()
    assert "More than 3 complaints" in html
    assert "more than 3 results" in html
    counts = [q["sql"] for q in queries if "COUNT(" in q["sql"].upper() and "张伟" in str(q["sql"])]
    assert counts and all("LIMIT 4" in sql for sql in counts), counts


def test_below_the_cap_the_count_is_exact(small_cap, agent_client):
    # Given fewer complaints than the cap
    make_complaint()
    make_complaint()

    # When the agent searches for something two of them share
    response = agent_client.get(reverse(CHANGELIST), {"q": "张伟"}, HTTP_ACCEPT_LANGUAGE="en")

    # Then the exact count is shown
    html = response.content.decode()
    assert "2 results" in html
    assert "More than" not in html


def test_a_common_name_stops_at_the_name_cap_and_the_rest_of_the_search_does_not(monkeypatch, agent_client):
    # Given a name cap of 3 (1,000 in production) and five complaints from people called 张伟, one of them with a
    # waybill the agent knows
    from complaints.admin import complaints as complaint_admin

    monkeypatch.setattr(complaint_admin, "NAME_MATCH_CAP", 3)
    for _ in range(4):
        make_complaint(complainant_name="张伟")
    known = make_complaint(complainant_name="张伟", waybill_number="SF1234567890123")

    # When the agent searches the name
    with CaptureQueriesContext(connection) as queries:
        response = agent_client.get(reverse(CHANGELIST), {"q": "张伟"}, HTTP_ACCEPT_LANGUAGE="en")

    # Then at most the cap and one more are read, and the list says there are more than the cap
    html = response.content.decode()
    assert "More than 3 complaints" in html
    assert len(response.context["cl"].result_list) == 4
    assert any("LIMIT 4" in q["sql"] and "张伟" in q["sql"] for q in queries)

    # and a waybill search finds its complaint, with an exact count
    response = agent_client.get(reverse(CHANGELIST), {"q": "sf 1234 5678 90123"}, HTTP_ACCEPT_LANGUAGE="en")
    assert _listed(response) == {known.reference}
    assert "More than" not in response.content.decode()


def test_pages_past_the_cap_are_refused(small_cap, agent_client):
    # Given 5 complaints, two a page, and a count capped at 3 (so 2 pages are offered)
    for _ in range(5):
        make_complaint()

    # When the agent asks for the last page the count allows, then for the one past it
    allowed = agent_client.get(reverse(CHANGELIST), {"q": "张伟", "p": 2})
    past = agent_client.get(reverse(CHANGELIST), {"q": "张伟", "p": 3})

    # Then the first is shown and the second is refused as any page past the end is
    assert allowed.status_code == 200
    assert len(allowed.context["cl"].result_list) == 2
    assert past.status_code == 302
    assert past["Location"].endswith("?e=1")


def _add_notes(complaint, n):
    ComplaintEvent.objects.bulk_create(
        ComplaintEvent(
            complaint=complaint,
            kind=EventKind.INTERNAL_NOTE,
            actor_role=Role.AGENT,
            visibility=Visibility.INTERNAL,
            message=f"第{i}次致电网点。",
            created_at=complaint.received_at + timedelta(minutes=i),
        )
        for i in range(1, n + 1)
    )


def _change_page(client, complaint):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(
            reverse("admin:complaints_complaint_change", args=[complaint.pk]), HTTP_ACCEPT_LANGUAGE="en"
        )
    assert response.status_code == 200
    return response, len(queries)


def test_the_change_page_costs_the_same_however_long_the_timeline(monkeypatch, agent_client):
    # Given the page shows the newest 5 events, a complaint with 3 notes and one with 40
    monkeypatch.setattr(complaint_actions, "TIMELINE_LIMIT", 5)
    short, long = make_complaint(), make_complaint()
    _add_notes(short, 3)
    _add_notes(long, 40)

    # When the agent opens each (after a first page, which fills the caches of the session)
    _change_page(agent_client, short)
    short_page, short_queries = _change_page(agent_client, short)
    long_page, long_queries = _change_page(agent_client, long)

    # Then both take the same number of queries
    assert long_queries == short_queries
    # And the long one shows its newest 5 events and links to all of them in the audit trail
    assert [e.message for e in long_page.context["timeline"]] == [f"第{i}次致电网点。" for i in range(40, 35, -1)]
    html = long_page.content.decode()
    assert "The newest 5 events are shown." in html
    assert f"?complaint__id__exact={long.pk}" in html
    # While the short one shows everything, with no such note
    assert len(short_page.context["timeline"]) == short.events.count()
    assert "The newest 5 events are shown." not in short_page.content.decode()


def test_the_audit_trail_link_lists_the_complaints_events(agent_client):
    # Given a complaint with notes, and another complaint
    complaint = make_complaint()
    _add_notes(complaint, 3)
    make_complaint()

    # When the agent follows the change page's link to the audit trail
    response = agent_client.get(
        reverse("admin:complaints_complaintevent_changelist"), {"complaint__id__exact": complaint.pk}
    )

    # Then exactly that complaint's events are listed
    assert response.status_code == 200
    assert {e.complaint_id for e in response.context["cl"].result_list} == {complaint.pk}
    assert len(response.context["cl"].result_list) == complaint.events.count()
