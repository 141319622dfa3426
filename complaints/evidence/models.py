"""Evidence files: a row per file attached to a complaint; the bytes live in the evidence storage under
storage_name. Files are never edited or deleted through the app: an agent can hide one, with a reason."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from complaints.evidence.choices import IMAGE_TYPES, Contributor, EvidenceKind, EvidenceVisibility

# The only fields that change after a file is added: hiding it.
HIDING_FIELDS = frozenset({"hidden_at", "hidden_by", "hidden_reason"})


class EvidenceQuerySet(models.QuerySet):
    def delete(self):
        raise TypeError("Evidence files are never deleted; hide one instead (evidence_hide).")

    def visible(self):
        return self.filter(hidden_at__isnull=True)


class Evidence(models.Model):
    complaint = models.ForeignKey(
        "complaints.Complaint", verbose_name=_("complaint"), on_delete=models.PROTECT, related_name="evidence"
    )
    # The event that added it: its own "files added" event, or the reply or note it came with.
    event = models.ForeignKey(
        "complaints.ComplaintEvent",
        verbose_name=_("event"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evidence",
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    added_by_role = models.CharField(_("added by (role)"), max_length=16, choices=Contributor.choices)
    kind = models.CharField(_("kind"), max_length=20, choices=EvidenceKind.choices)
    visibility = models.CharField(_("visible to"), max_length=8, choices=EvidenceVisibility.choices)
    original_name = models.CharField(_("original name"), max_length=255)
    # What the bytes were (never the name or the sender's content type), and what is stored and served: images are
    # re-encoded (HEIC becomes JPEG), PDFs are kept as sent.
    detected_type = models.CharField(_("type as detected"), max_length=50)
    content_type = models.CharField(_("stored type"), max_length=50)
    # The bytes as received: the same bytes twice on one complaint are stored once.
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    stored_size = models.PositiveBigIntegerField(_("stored size (bytes)"))
    stored_sha256 = models.CharField(_("stored SHA-256"), max_length=64)
    width = models.PositiveIntegerField(_("width (px)"), null=True, blank=True)
    height = models.PositiveIntegerField(_("height (px)"), null=True, blank=True)
    storage_name = models.CharField(_("storage name"), max_length=255, unique=True)
    thumbnail_name = models.CharField(_("thumbnail storage name"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created at"))
    hidden_at = models.DateTimeField(_("hidden at"), null=True, blank=True)
    hidden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("hidden by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    hidden_reason = models.TextField(_("why hidden"), blank=True)

    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["complaint", "created_at", "id"], name="evidence_by_complaint")]
        constraints = [
            models.UniqueConstraint(fields=["complaint", "sha256"], name="evidence_once_per_complaint"),
            models.CheckConstraint(condition=Q(kind__in=EvidenceKind.values), name="evidence_kind_known"),
            models.CheckConstraint(
                condition=Q(visibility__in=EvidenceVisibility.values), name="evidence_visibility_known"
            ),
            models.CheckConstraint(
                condition=Q(hidden_at__isnull=True, hidden_reason="")
                | (Q(hidden_at__isnull=False) & ~Q(hidden_reason="")),
                name="evidence_hidden_with_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name

    def save(self, *args, **kwargs):
        if not self._state.adding:
            fields = set(kwargs.get("update_fields") or ())
            if not fields or not fields <= HIDING_FIELDS:
                raise TypeError("Evidence files are never edited; only hiding one changes it (evidence_hide).")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Evidence files are never deleted; hide one instead (evidence_hide).")

    @property
    def is_image(self) -> bool:
        return self.content_type in IMAGE_TYPES

    @property
    def is_hidden(self) -> bool:
        return self.hidden_at is not None
