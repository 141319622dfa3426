"""The vocabularies of evidence files."""

from collections.abc import Collection

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.roles import Role


class EvidenceKind(models.TextChoices):
    PHOTO = "photo", _("Photo")
    DOCUMENT = "document", _("Document")
    PROOF_OF_DELIVERY = "proof_of_delivery", _("Proof of delivery")
    RECEIPT = "receipt", _("Receipt")


class EvidenceVisibility(models.TextChoices):
    """Who sees a file. Agents and supervisors see every file of a complaint they may see."""

    PUBLIC = "public", _("Complainant, carrier and agents")
    CARRIER = "carrier", _("Carrier and agents")
    INTERNAL = "internal", _("Agents only")


class Contributor(models.TextChoices):
    """Who added a file: the roles of accounts.roles, and the complainant (who has no account)."""

    COMPLAINANT = "complainant", _("Complainant")
    AGENT = Role.AGENT.value, Role.AGENT.label
    SUPERVISOR = Role.SUPERVISOR.value, Role.SUPERVISOR.label
    CARRIER = Role.CARRIER.value, Role.CARRIER.label
    SYSTEM = Role.SYSTEM.value, Role.SYSTEM.label


# Types a file may have, detected from its bytes (complaints.evidence.files), and what each is stored as.
JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"
HEIC = "image/heic"
PDF = "application/pdf"
IMAGE_TYPES = frozenset({JPEG, PNG, WEBP, HEIC})
EXTENSIONS = {JPEG: "jpg", PNG: "png", WEBP: "webp", HEIC: "heic", PDF: "pdf"}


def evidence_summary(kinds: Collection[str], count: int) -> str:
    """What a timeline says when files are added, in the active language: "3 photos added", or "2 files added" when
    they are of several kinds."""
    kind = next(iter(kinds)) if len(kinds) == 1 else None
    if kind == EvidenceKind.PHOTO:
        return ngettext("%(n)d photo added", "%(n)d photos added", count) % {"n": count}
    if kind == EvidenceKind.DOCUMENT:
        return ngettext("%(n)d document added", "%(n)d documents added", count) % {"n": count}
    if kind == EvidenceKind.PROOF_OF_DELIVERY:
        return ngettext("%(n)d proof of delivery added", "%(n)d proofs of delivery added", count) % {"n": count}
    if kind == EvidenceKind.RECEIPT:
        return ngettext("%(n)d receipt added", "%(n)d receipts added", count) % {"n": count}
    return ngettext("%(n)d file added", "%(n)d files added", count) % {"n": count}
