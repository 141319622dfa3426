"""Services behind the partner API: carrier notes and resolution proposals, checked for the carrier they concern."""

import pytest
from django.conf import settings

from accounts.services import carrier_api_user
from complaints import services
from complaints.choices import Status
from complaints.errors import IllegalTransition, InvalidInput, NotAllowed
from complaints.models import ResolutionProposal
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db


@pytest.fixture
def complaint(zto, agent):
    complaint = make_complaint(carrier=zto)
    services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.ACKNOWLEDGED)
    services.complaint_hand_to_carrier(complaint=complaint, actor=agent)
    return complaint


def test_only_the_complaints_carrier_can_note_or_propose(complaint, sf, agent):
    for actor in (carrier_api_user(carrier=sf), agent):
        with pytest.raises(NotAllowed):
            services.complaint_carrier_note(complaint=complaint, actor=actor, message="x")
        with pytest.raises(NotAllowed):
            services.resolution_propose(complaint=complaint, actor=actor, summary="s", root_cause="r")


def test_proposal_needs_summary_and_root_cause(complaint, zto):
    with pytest.raises(InvalidInput) as error:
        services.resolution_propose(
            complaint=complaint, actor=carrier_api_user(carrier=zto), summary=" ", root_cause=""
        )
    assert set(error.value.fields) == {"summary", "root_cause"}


def test_confirming_twice_resolves_once_and_withdrawn_cannot_be_confirmed(complaint, zto, agent):
    proposal = services.resolution_propose(
        complaint=complaint, actor=carrier_api_user(carrier=zto), summary="已重新派送。", root_cause="错分。"
    )
    services.resolution_proposal_confirm(proposal=proposal, actor=agent, root_cause_area="sorting", carrier_liable=True)
    services.resolution_proposal_confirm(proposal=proposal, actor=agent, root_cause_area="sorting", carrier_liable=True)
    complaint.refresh_from_db()
    assert complaint.status == Status.RESOLVED
    assert complaint.events.filter(kind="resolved").count() == 1

    other = ResolutionProposal.objects.create(
        complaint=complaint, carrier=zto, summary="s", root_cause="r", proposed_by=agent, state="withdrawn"
    )
    with pytest.raises(IllegalTransition):
        services.resolution_proposal_confirm(proposal=other, actor=agent)


def test_confirming_when_the_complaint_cannot_be_resolved_changes_nothing(zto, agent):
    # A new complaint must be acknowledged before it can be resolved: the proposal stays pending
    complaint = make_complaint(carrier=zto)
    proposal = services.resolution_propose(
        complaint=complaint, actor=carrier_api_user(carrier=zto), summary="s", root_cause="r"
    )
    with pytest.raises(IllegalTransition):
        services.resolution_proposal_confirm(proposal=proposal, actor=agent)
    proposal.refresh_from_db()
    assert proposal.state == "proposed" and proposal.decided_at is None


def test_idempotency_keys_are_purged_by_beat():
    from config.celery_app import app

    assert settings.CELERY_BEAT_SCHEDULE["purge-idempotency-keys"]["task"] == "redress.purge_idempotency_keys"
    app.loader.import_default_modules()
    assert "redress.purge_idempotency_keys" in app.tasks
