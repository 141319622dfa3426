"""Paying a claim: the transfer is recorded once, a payout reference pays one claim only, and the carrier's share is
charged back to it."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role, user_role
from complaints.choices import EventKind, Visibility
from complaints.compensation.choices import ClaimState
from complaints.compensation.models import CompensationClaim
from complaints.compensation.services.inputs import PAYOUT_REFERENCE_MAX_LENGTH
from complaints.compensation.services.shares import carrier_share_at_payment, carrier_share_note, chargeback_record
from complaints.compensation.services.steps import claim_check_transition, claim_event_data, claim_lock, claim_notify
from complaints.errors import IllegalTransition, InvalidInput, NotAllowed
from complaints.events import complaint_record_event
from complaints.guards import instance_sync


def _reference_clean(payout_reference: str | None) -> str:
    reference = (payout_reference or "").strip()
    if not reference:
        raise InvalidInput(
            _("Give the payout reference of the transfer."), fields={"payout_reference": [_("This field is required.")]}
        )
    if len(reference) > PAYOUT_REFERENCE_MAX_LENGTH or not reference.isprintable():
        raise InvalidInput(
            _("A payout reference is at most %(max)d printable characters.") % {"max": PAYOUT_REFERENCE_MAX_LENGTH},
            fields={"payout_reference": [_("Check the reference.")]},
        )
    return reference


def _duplicate_reference_error(reference: str) -> InvalidInput:
    return InvalidInput(
        _(
            "Payout reference %(ref)s is already recorded for another claim: a transfer pays one claim only. Check the "
            "reference."
        )
        % {"ref": reference},
        fields={"payout_reference": [_("This reference is already recorded.")]},
        code="duplicate_payout_reference",
    )


def claim_pay(
    *, claim: CompensationClaim, actor: User, payout_reference: str, at: datetime | None = None
) -> CompensationClaim:
    """Record the payout of an approved claim, once: a second payout is refused, and a payout reference is never
    recorded twice. The carrier's share is decided now, from the complaint as it stands (shares.py), and charged
    back to it; the event says why."""
    role = user_role(actor)
    if role not in (Role.AGENT, Role.SUPERVISOR) or not actor.is_active or not actor.is_staff:
        raise NotAllowed(_("Only agents and supervisors record payouts."))
    reference = _reference_clean(payout_reference)
    at = at or timezone.now()
    with transaction.atomic():
        complaint, fresh = claim_lock(claim)
        if fresh.state == ClaimState.PAID:
            if fresh.payout_reference == reference:
                return instance_sync(claim, fresh)  # the same payout recorded again (a retry): nothing new
            raise IllegalTransition(
                _("This claim was already paid on %(date)s (reference %(ref)s): it cannot be paid twice.")
                % {"date": timezone.localtime(fresh.paid_at).strftime("%Y-%m-%d %H:%M"), "ref": fresh.payout_reference},
                code="already_paid",
            )
        claim_check_transition(
            fresh,
            ClaimState.PAID,
            refusal=_("Only an approved claim can be paid; this one is %(state)s.")
            % {"state": ClaimState(fresh.state).label},
        )
        duplicate = _duplicate_reference_error(reference)
        if CompensationClaim.objects.filter(payout_reference=reference).exists():
            raise duplicate
        share_before = fresh.carrier_liable_amount
        share, basis = carrier_share_at_payment(complaint, fresh)
        fresh.state = ClaimState.PAID
        fresh.payout_reference = reference
        fresh.paid_at = at
        fresh.paid_by = actor
        fresh.carrier_liable_amount = share
        try:
            with transaction.atomic():
                fresh.save(update_fields=["state", "payout_reference", "paid_at", "paid_by", "carrier_liable_amount"])
        except IntegrityError as error:
            # Another payout took the same reference at the same moment (the unique index waited for it).
            raise duplicate from error
        chargeback_record(complaint=complaint, claim=fresh, share=share, at=at)
        complaint_record_event(
            complaint=complaint,
            kind=EventKind.COMPENSATION_PAID,
            actor=actor,
            visibility=Visibility.PUBLIC,
            at=at,
            message=carrier_share_note(complaint=complaint, share=share, basis=basis, before=share_before),
            data=claim_event_data(
                fresh, carrier_share_basis=basis, carrier_share_before=str(share_before), chargeback_amount=str(share)
            ),
        )
        claim_notify(complaint, fresh, decision="paid", now=at)
    return instance_sync(claim, fresh)
