"""One state map for claims (choices.CLAIM_TRANSITIONS): the services refuse what it does not allow and the admin
offers exactly what it allows, to whoever holds the permission."""

from decimal import Decimal as D

import pytest
from django.urls import reverse

from complaints.compensation import selectors, services
from complaints.compensation.choices import CLAIM_TRANSITIONS, ClaimState
from tests.complaints.compensation.factories import make_claim
from tests.factories import UserFactory, make_complaint

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _claims_in_every_state(agent):
    def lost():
        return make_complaint(category="loss", declared_value=D("100.00"), shipping_fee=D("10.00"))

    proposed = make_claim(actor=agent, complaint=lost(), case="loss")
    approved = make_claim(actor=agent, complaint=lost(), case="loss")
    services.claim_approve(claim=approved, actor=agent)
    rejected = make_claim(actor=agent, complaint=lost(), case="loss")
    services.claim_reject(claim=rejected, actor=agent, reason="Delivered and signed for.")
    paid = make_claim(actor=agent, complaint=lost(), case="loss")
    services.claim_approve(claim=paid, actor=agent)
    services.claim_pay(claim=paid, actor=agent, payout_reference="PAY-MAP-1")
    return {
        ClaimState.PROPOSED: proposed,
        ClaimState.APPROVED: approved,
        ClaimState.REJECTED: rejected,
        ClaimState.PAID: paid,
    }


def test_the_claim_page_offers_the_steps_the_state_map_allows(agent_client, agent):
    claims = _claims_in_every_state(agent)
    leads_to = {name: target for name, (target, _permission) in selectors.CLAIM_ACTIONS.items()}

    for state, claim in claims.items():
        page = agent_client.get(reverse("admin:compensation_compensationclaim_change", args=[claim.pk]), **EN)
        body = page.content.decode()
        offered = {
            name
            for name in leads_to
            if reverse(f"admin:compensation_compensationclaim_{name}", args=[claim.pk]) in body
        }
        assert {leads_to[name] for name in offered} == set(CLAIM_TRANSITIONS[state]), state


def test_someone_without_the_permission_is_offered_nothing(agent):
    claims = _claims_in_every_state(agent)
    nobody = UserFactory(username="no_permissions", is_staff=True)

    assert all(selectors.claim_actions_for(claim=claim, user=nobody) == [] for claim in claims.values())
    assert selectors.claim_actions_for(claim=claims[ClaimState.PROPOSED], user=agent) == ["approve", "reject"]
    assert selectors.claim_actions_for(claim=claims[ClaimState.APPROVED], user=agent) == ["pay"]
