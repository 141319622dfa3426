"""The compensation admin as agents and supervisors drive it: claims on the complaint page, proposing with the
computation shown, deciding within each role's limit, paying once, the policy's versions and chargeback totals."""

from decimal import Decimal as D

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from complaints.compensation import services
from complaints.compensation.choices import ClaimState
from complaints.compensation.models import Chargeback, CompensationClaim, CompensationPolicy
from complaints.models import Complaint
from tests.complaints.compensation.factories import active_policy, make_claim
from tests.factories import CarrierFactory, SupervisorFactory, make_complaint

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
CLAIMS = "admin:compensation_compensationclaim_changelist"


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def _listed(response):
    return {c.pk for c in response.context["cl"].result_list}


def _lost(value="300.00", **kw):
    return make_complaint(category="loss", declared_value=D(value), shipping_fee=D("15.00"), **kw)


def _claim_url(claim, name="change"):
    return reverse(f"admin:compensation_compensationclaim_{name}", args=[claim.pk])


# --- on the complaint -----------------------------------------------------------------------------------------------


def test_the_complaint_page_lists_its_claims_and_offers_to_propose(agent_client, agent):
    complaint = _lost()
    claim = make_claim(actor=agent, complaint=complaint, case="loss")

    response = agent_client.get(reverse("admin:complaints_complaint_change", args=[complaint.pk]), **EN)

    assert response.status_code == 200
    body = response.content.decode()
    assert "Compensation claims" in body
    assert "315.00" in body
    assert _claim_url(claim) in body
    assert f"{reverse('admin:compensation_compensationclaim_add')}?complaint={complaint.pk}" in body


def test_saving_the_complaint_form_still_works_with_claims_on_it(agent_client, agent):
    # The inline is display-only: the complaint's own form posts without its management data.
    complaint = _lost()
    make_claim(actor=agent, complaint=complaint, case="loss")
    stored = Complaint.objects.get(pk=complaint.pk)
    data = {
        name: getattr(stored, name)
        for name in (
            "waybill_number",
            "category",
            "channel",
            "priority",
            "description",
            "complainant_name",
            "complainant_phone",
            "complainant_email",
            "language",
            "contact_channel",
            "declared_value",
            "insured_value",
            "shipping_fee",
        )
    }
    data.update(carrier=stored.carrier_id, expected_version=stored.version, complainant_name="张伟伟", _save="Save")

    response = agent_client.post(reverse("admin:complaints_complaint_change", args=[complaint.pk]), data)

    assert response.status_code == 302, response.content.decode()[:2000]
    assert Complaint.objects.get(pk=complaint.pk).complainant_name == "张伟伟"


# --- proposing ------------------------------------------------------------------------------------------------------


def _propose_data(complaint, **overrides):
    data = {
        "complaint": complaint.pk,
        "case": "loss",
        "days_late": "",
        "proven_value": "",
        "damaged_share": "",
        "mismatch_kind": "",
        "proposed_amount": "",
        "carrier_liable_amount": "",
        "reason": "",
    }
    data.update(overrides)
    return data


def test_an_agent_computes_then_proposes(agent_client, agent):
    complaint = _lost()
    url = reverse("admin:compensation_compensationclaim_add")

    # the form starts from the complaint
    page = agent_client.get(f"{url}?complaint={complaint.pk}", **EN)
    assert page.status_code == 200 and complaint.reference in page.content.decode()

    # "compute only" shows the amount and the explanation in both languages, and writes nothing
    preview = agent_client.post(url, {**_propose_data(complaint), "_compute": "1"}, **EN)
    body = preview.content.decode()
    assert preview.status_code == 200
    assert "Computed: ¥315.00" in body
    assert "Value plus fee: ¥300.00 + ¥15.00 = ¥315.00." in body
    assert "价值加运费：¥300.00 + ¥15.00 = ¥315.00。" in body
    assert not CompensationClaim.objects.exists()

    # proposing saves it through the service and opens the claim
    response = agent_client.post(url, {**_propose_data(complaint), "_submit": "1"}, **EN)
    claim = CompensationClaim.objects.get()
    assert response.status_code == 302 and response["Location"] == _claim_url(claim)
    assert (claim.proposed_by, claim.proposed_amount) == (agent, D("315.00"))
    view = agent_client.get(_claim_url(claim), **EN)
    assert view.status_code == 200
    assert "赔偿金额：¥315.00。" in view.content.decode()
    assert _claim_url(claim, "approve") in view.content.decode()


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        pytest.param({"case": "damage", "damaged_share": "120"}, "percentage from 0 to 100", id="share-above-100"),
        pytest.param({"proposed_amount": "-5", "reason": "x"}, "cannot be negative", id="negative"),
        pytest.param({"proposed_amount": "5000000", "reason": "x"}, "not a plausible compensation", id="absurd"),
        pytest.param({"proposed_amount": "400"}, "say why", id="no-reason"),
    ],
)
def test_bad_input_is_shown_on_the_form_and_nothing_is_written(agent_client, overrides, expected):
    complaint = _lost()

    response = agent_client.post(
        reverse("admin:compensation_compensationclaim_add"),
        {**_propose_data(complaint, **overrides), "_submit": "1"},
        **EN,
    )

    assert response.status_code == 200
    assert expected in response.content.decode()
    assert not CompensationClaim.objects.exists()


# --- the claims list ------------------------------------------------------------------------------------------------


def test_the_claims_list_filters_by_state_case_carrier_and_limit(agent_client, agent):
    sf = CarrierFactory(code="SF")
    small = make_claim(actor=agent, complaint=_lost(), case="loss")
    large = make_claim(actor=agent, complaint=_lost(value="2000.00", carrier=sf), case="loss")
    delay = make_claim(actor=agent, complaint=_lost(), case="delay")
    services.claim_approve(claim=small, actor=agent)
    url = reverse(CLAIMS)

    assert _listed(agent_client.get(url)) == {small.pk, large.pk, delay.pk}
    assert _listed(agent_client.get(url, {"state__exact": "approved"})) == {small.pk}
    assert _listed(agent_client.get(url, {"case__exact": "delay"})) == {delay.pk}
    assert _listed(agent_client.get(url, {"complaint__carrier__id__exact": sf.pk})) == {large.pk}
    assert _listed(agent_client.get(url, {"over_limit": "yes"})) == {large.pk}
    assert _listed(agent_client.get(url, {"over_limit": "no"})) == {small.pk, delay.pk}


def test_bulk_approval_approves_what_the_agent_may_and_says_why_not_for_the_rest(agent_client, agent):
    small = make_claim(actor=agent, complaint=_lost(), case="loss")
    large = make_claim(actor=agent, complaint=_lost(value="2000.00"), case="loss")

    response = agent_client.post(
        reverse(CLAIMS), {"action": "approve_selected", "_selected_action": [small.pk, large.pk]}, follow=True, **EN
    )

    small.refresh_from_db()
    large.refresh_from_db()
    assert (small.state, large.state) == (ClaimState.APPROVED, ClaimState.PROPOSED)
    messages = _messages(response)
    assert "1 approved." in messages
    assert any(large.complaint.reference in m and "a supervisor decides" in m for m in messages)


# --- deciding and paying --------------------------------------------------------------------------------------------


def test_an_agent_is_told_a_supervisor_decides_above_the_limit_and_a_supervisor_approves(agent, client):
    claim = make_claim(actor=agent, complaint=_lost(value="2000.00"), case="loss")
    client.force_login(agent)

    refused = client.post(_claim_url(claim, "approve"), {"note": ""}, **EN)

    assert refused.status_code == 200
    assert any("above the agents' limit of ¥500.00" in e for e in refused.context["form"].non_field_errors())
    claim.refresh_from_db()
    assert claim.state == ClaimState.PROPOSED

    supervisor = SupervisorFactory(username="supervisor_he")
    client.force_login(supervisor)
    done = client.post(_claim_url(claim, "approve"), {"note": "Invoice checked."}, **EN)
    assert done.status_code == 302
    claim.refresh_from_db()
    assert (claim.state, claim.decided_by, claim.decision_note) == (ClaimState.APPROVED, supervisor, "Invoice checked.")


def test_rejecting_needs_a_reason(agent_client, agent):
    claim = make_claim(actor=agent, complaint=_lost(), case="loss")

    empty = agent_client.post(_claim_url(claim, "reject"), {"reason": ""}, **EN)
    assert empty.status_code == 200
    done = agent_client.post(_claim_url(claim, "reject"), {"reason": "Signed for on delivery."}, **EN)

    assert done.status_code == 302
    claim.refresh_from_db()
    assert claim.state == ClaimState.REJECTED


def test_paying_twice_or_with_a_used_reference_is_refused_on_the_page(agent_client, agent):
    first = make_claim(actor=agent, complaint=_lost(), case="loss")
    second = make_claim(actor=agent, complaint=_lost(), case="loss")
    for claim in (first, second):
        services.claim_approve(claim=claim, actor=agent)

    assert agent_client.post(_claim_url(first, "pay"), {"payout_reference": "WX-1"}).status_code == 302
    again = agent_client.post(_claim_url(first, "pay"), {"payout_reference": "WX-2"}, **EN)
    reused = agent_client.post(_claim_url(second, "pay"), {"payout_reference": "WX-1"}, **EN)

    assert again.status_code == 200 and "cannot be paid twice" in again.content.decode()
    assert reused.status_code == 200 and "already recorded" in reused.content.decode()
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.payout_reference, second.state) == ("WX-1", ClaimState.APPROVED)


def test_nobody_edits_or_deletes_a_claim_directly(agent_client, agent):
    claim = make_claim(actor=agent, complaint=_lost(), case="loss")

    response = agent_client.post(
        reverse("admin:compensation_compensationclaim_change", args=[claim.pk]), {"proposed_amount": "9999"}
    )
    assert response.status_code == 403
    assert agent_client.post(_claim_url(claim, "delete"), {"post": "yes"}).status_code == 403
    claim.refresh_from_db()
    assert claim.proposed_amount == D("315.00")


# --- the policy -----------------------------------------------------------------------------------------------------


def _policy_data(policy, **overrides):
    data = {name: getattr(policy, name) if getattr(policy, name) is not None else "" for name in services.POLICY_FIELDS}
    data["insured_cap"] = "on" if policy.insured_cap else ""
    data.update(note="", _save="Save")
    data.update(overrides)
    return data


def test_a_supervisor_saving_the_policy_makes_a_new_version_and_keeps_the_history(supervisor_client):
    v1 = active_policy()

    response = supervisor_client.post(
        reverse("admin:compensation_compensationpolicy_change", args=[v1.pk]),
        _policy_data(v1, uninsured_cap_multiple="3", note="Cap at 3× the fee."),
    )

    assert response.status_code == 302
    v2 = active_policy()
    assert (v2.version, v2.uninsured_cap_multiple, v2.note) == (2, D("3"), "Cap at 3× the fee.")
    stored_v1 = CompensationPolicy.objects.get(pk=v1.pk)
    assert stored_v1.uninsured_cap_multiple is None and not stored_v1.is_active
    history = supervisor_client.get(reverse("admin:compensation_compensationpolicy_changelist"))
    assert [p.version for p in history.context["cl"].result_list] == [2, 1]


def test_contradictory_policy_parameters_are_shown_per_field_and_nothing_is_saved(supervisor_client):
    v1 = active_policy()

    response = supervisor_client.post(
        reverse("admin:compensation_compensationpolicy_change", args=[v1.pk]),
        _policy_data(v1, delay_fee_waiver_percent="150", uninsured_cap_multiple="0.5", agent_approval_limit="0"),
        **EN,
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) >= {"delay_fee_waiver_percent", "uninsured_cap_multiple", "agent_approval_limit"}
    assert CompensationPolicy.objects.count() == 1


def test_agents_see_the_policy_but_cannot_change_it(agent_client):
    v1 = active_policy()

    assert agent_client.get(reverse("admin:compensation_compensationpolicy_changelist")).status_code == 200
    response = agent_client.post(
        reverse("admin:compensation_compensationpolicy_change", args=[v1.pk]),
        _policy_data(v1, agent_approval_limit="100000"),
    )

    assert response.status_code == 403
    assert CompensationPolicy.objects.count() == 1


# --- chargebacks ----------------------------------------------------------------------------------------------------


def test_chargebacks_show_totals_per_carrier(agent_client, agent):
    zto, sf = CarrierFactory(code="ZTO"), CarrierFactory(code="SF")
    for carrier, value, reference in ((zto, "300.00", "P1"), (zto, "100.00", "P2"), (sf, "50.00", "P3")):
        claim = make_claim(actor=agent, complaint=_lost(value=value, carrier=carrier), case="loss")
        services.claim_approve(claim=claim, actor=agent)
        services.claim_pay(claim=claim, actor=agent, payout_reference=reference)

    response = agent_client.get(reverse("admin:compensation_chargeback_changelist"), **EN)

    assert response.status_code == 200
    totals = {row["carrier__code"]: (row["count"], row["total"]) for row in response.context["carrier_totals"]}
    assert totals == {"ZTO": (2, D("430.00")), "SF": (1, D("65.00"))}
    assert response.context["grand_total"] == D("495.00")
    assert "¥495.00" in response.content.decode()
    filtered = agent_client.get(reverse("admin:compensation_chargeback_changelist"), {"carrier__id__exact": sf.pk})
    assert [row["carrier__code"] for row in filtered.context["carrier_totals"]] == ["SF"]
    assert Chargeback.objects.count() == 3


def test_an_agent_computes_a_share_by_item_counts(agent_client, agent):
    # 1 of 3 items missing from a parcel worth 300.00: a third, 100.00
    complaint = _lost()
    data = _propose_data(
        complaint, case="contents_mismatch", mismatch_kind="wrong_quantity", items_affected="1", items_total="3"
    )

    preview = agent_client.post(reverse("admin:compensation_compensationclaim_add"), {**data, "_compute": "1"}, **EN)

    assert "Computed: ¥100.00" in preview.content.decode()
    assert "Value of what is missing: ¥300.00 × 1/3 = ¥100.00." in preview.content.decode()
    response = agent_client.post(reverse("admin:compensation_compensationclaim_add"), {**data, "_submit": "1"}, **EN)
    claim = CompensationClaim.objects.get()
    assert response.status_code == 302
    assert (claim.items_affected, claim.items_total, claim.proposed_amount) == (1, 3, D("100.00"))
