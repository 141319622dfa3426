"""The weekly report page in the admin: supervisors read it, agents are refused, anonymous users log in first."""

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from reports.models import WeeklyReport
from tests.factories import CarrierUserFactory
from tests.reports.sample_report import sample_report

pytestmark = pytest.mark.django_db

# Wednesday 25 November 2026, 10:00 in Shanghai: the last complete week is 2026-W47.
NOW = "2026-11-25T02:00:00+00:00"


@pytest.fixture
def stored_w47(db):
    return WeeklyReport.objects.create(
        iso_week="2026-W47",
        week_start=date(2026, 11, 16),
        data=sample_report(),
        computed_at=datetime(2026, 11, 23, 0, 0, tzinfo=UTC),
    )


@time_machine.travel(NOW, tick=False)
def test_supervisor_reads_the_stored_week_with_figures_changes_and_charts(supervisor_client, stored_w47):
    # given a stored snapshot of 2026-W47
    # when a supervisor opens its page
    response = supervisor_client.get(reverse("reports-weekly-week", args=["2026-W47"]), HTTP_ACCEPT_LANGUAGE="en")
    # then the headline figures, their previous values and the change read as stored
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-figure="received"' in html
    assert "128" in html and "110" in html and "+18" in html
    assert "93.8 %" in html  # first response within target
    # Haier's controls: the dissatisfaction rate had no previous value → unknown, not zero
    assert html.count("rr-worse") >= 1 and html.count("rr-better") >= 1
    # KY reported no parcel volume: its rate reads unknown
    assert 'data-carrier="KY"' in html
    ky_row = html.split('data-carrier="KY"', 1)[1].split("</tr>", 1)[0]
    assert "unknown" in ky_row or "未知" in ky_row
    # charts are inline SVG: two trends and two shares
    assert html.count('<svg class="redress-chart"') == 4
    assert 'data-chart="category"' in html and 'data-chart="carrier"' in html


@time_machine.travel(NOW, tick=False)
def test_the_regulators_view_shows_the_12305_figures_beside_the_valid_complaints(supervisor_client, stored_w47):
    # given the stored W47: 71 valid complaints, 5 of them through 12305 (0.1 per million parcels; 0.0 the week before)
    # when a supervisor opens its page in English
    html = supervisor_client.get(
        reverse("reports-weekly-week", args=["2026-W47"]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    # then the regulator's section shows both counts and both rates
    regulator = html.split('id="rr-regulator"', 1)[1].split("</section>", 1)[0]
    for key in (
        "valid_complaints",
        "valid_rate_per_million",
        "regulator_valid_complaints",
        "regulator_valid_rate_per_million",
    ):
        assert f'data-figure="{key}"' in regulator
    card = regulator.split('data-figure="regulator_valid_rate_per_million"', 1)[1].split("</div>\n</div>", 1)[0]
    assert "Valid 12305 complaints per million parcels" in card
    assert "0.1" in card and "+0.1" in card
    # and each carrier's scorecard has its 12305 rate (KY reported no parcels: unknown)
    assert "Valid 12305 complaints per million parcels" in html.split('id="rr-scorecards"', 1)[1]


@time_machine.travel(NOW, tick=False)
def test_the_index_opens_the_last_complete_week(supervisor_client):
    response = supervisor_client.get(reverse("reports-weekly"))
    assert response.status_code == 302
    assert response.url == reverse("reports-weekly-week", args=["2026-W47"])


@time_machine.travel(NOW, tick=False)
def test_the_week_picker_goes_to_the_chosen_week_and_refuses_nonsense(supervisor_client):
    response = supervisor_client.get(reverse("reports-weekly"), {"week": "2026-W40"})
    assert response.url == reverse("reports-weekly-week", args=["2026-W40"])
    response = supervisor_client.get(reverse("reports-weekly"), {"week": "2026-W99"}, follow=True)
    assert response.status_code == 200
    assert "2026-W99" in response.content.decode()  # the error message names what was typed
    assert response.redirect_chain[-1][0] == reverse("reports-weekly-week", args=["2026-W47"])


@time_machine.travel(NOW, tick=False)
def test_a_week_never_computed_is_built_and_stored_on_first_read(supervisor_client):
    # given no snapshot and no complaints
    assert not WeeklyReport.objects.exists()
    # when a supervisor opens last week
    response = supervisor_client.get(reverse("reports-weekly-week", args=["2026-W47"]))
    # then the (empty) week is shown and stored
    assert response.status_code == 200
    assert WeeklyReport.objects.filter(iso_week="2026-W47").exists()
    assert '<svg class="redress-chart"' in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_the_week_in_progress_is_shown_live_and_not_stored(supervisor_client):
    response = supervisor_client.get(reverse("reports-weekly-week", args=["2026-W48"]))
    assert response.status_code == 200
    assert not WeeklyReport.objects.filter(iso_week="2026-W48").exists()
    assert 'id="rr-recompute"' not in response.content.decode()


@time_machine.travel(NOW, tick=False)
def test_a_future_week_says_it_has_not_started(supervisor_client):
    response = supervisor_client.get(reverse("reports-weekly-week", args=["2026-W50"]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert 'class="rr-empty"' in response.content.decode()


def test_a_malformed_week_in_the_address_is_not_found(supervisor_client):
    assert supervisor_client.get("/admin/reports/weekly/2026-W60/").status_code == 404


@time_machine.travel(NOW, tick=False)
def test_an_agent_is_refused(agent_client, stored_w47):
    for name, args in (
        ("reports-weekly", []),
        ("reports-weekly-week", ["2026-W47"]),
        ("reports-weekly-csv", ["2026-W47"]),
        ("reports-weekly-xlsx", ["2026-W47"]),
    ):
        assert agent_client.get(reverse(name, args=args)).status_code == 403
    assert agent_client.post(reverse("reports-weekly-recompute", args=["2026-W47"])).status_code == 403


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.get(reverse("reports-weekly-week", args=["2026-W47"]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_a_carrier_user_never_reaches_the_page(client):
    client.force_login(CarrierUserFactory())
    response = client.get(reverse("reports-weekly-week", args=["2026-W47"]))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


@time_machine.travel(NOW, tick=False)
def test_the_reports_section_links_supervisors_to_the_page(supervisor_client, agent, stored_w47):
    agent_client = Client()
    agent_client.force_login(agent)
    index = supervisor_client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:reports_weeklyreport_changelist") in index
    changelist = supervisor_client.get(reverse("admin:reports_weeklyreport_changelist")).content.decode()
    assert reverse("reports-weekly") in changelist
    assert reverse("reports-weekly-week", args=["2026-W47"]) in changelist
    # agents do not see the section
    assert (
        reverse("admin:reports_weeklyreport_changelist")
        not in agent_client.get(reverse("admin:index")).content.decode()
    )


@time_machine.travel(NOW, tick=False)
def test_labels_read_in_the_readers_language_whatever_the_stored_language(supervisor_client, stored_w47):
    # given a week stored with Chinese labels (延误, 中通快递 / ZTO Express)
    english = supervisor_client.get(
        reverse("reports-weekly-week", args=["2026-W47"]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    # then an English reader reads English labels, re-labelled from the keys
    assert "Delay" in english and "延误" not in english
    assert "Sorting centre" in english
