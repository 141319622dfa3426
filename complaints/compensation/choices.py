"""The vocabularies of compensation claims."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Case(models.TextChoices):
    """The four cases of GB/T 27917.3 (docs/domain.md, Compensation)."""

    DELAY = "delay", _("Delay")
    LOSS = "loss", _("Loss")
    DAMAGE = "damage", _("Damage")
    CONTENTS_MISMATCH = "contents_mismatch", _("Contents mismatch")


class MismatchKind(models.TextChoices):
    WRONG_ITEM = "wrong_item", _("Wrong item (paid as total damage)")
    WRONG_QUANTITY = "wrong_quantity", _("Wrong quantity (paid as partial damage)")


class ClaimState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    PAID = "paid", _("Paid")


# The claim's state map: the only steps a claim takes (proposed → approved → paid, or proposed → rejected). The
# services check it before every step and the admin offers only the steps it allows (selectors.claim_actions_for).
CLAIM_TRANSITIONS: dict[str, frozenset[str]] = {
    ClaimState.PROPOSED: frozenset({ClaimState.APPROVED, ClaimState.REJECTED}),
    ClaimState.APPROVED: frozenset({ClaimState.PAID}),
    ClaimState.REJECTED: frozenset(),
    ClaimState.PAID: frozenset(),
}

# Claims that still count against a case: a rejected claim can be proposed again, the others cannot.
LIVE_STATES = (ClaimState.PROPOSED, ClaimState.APPROVED, ClaimState.PAID)
