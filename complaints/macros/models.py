from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.choices import Category, Language, Status, Visibility


class Macro(models.Model):
    """A canned reply. Saved only through complaints.macros.services.macro_save, which refuses unknown placeholders."""

    name = models.CharField(_("name"), max_length=100)
    category = models.CharField(
        _("category"), max_length=32, choices=Category.choices, blank=True, help_text=_("Empty: any category.")
    )
    language = models.CharField(_("language"), max_length=8, choices=Language.choices)
    body = models.TextField(_("text"))
    next_status = models.CharField(
        _("then set status"),
        max_length=20,
        # Never "merged": a merge needs the complaint it is merged into (complaint_merge), not a canned reply.
        choices=[(value, label) for value, label in Status.choices if value != Status.MERGED],
        blank=True,
        help_text=_("Empty: the status stays as it is."),
    )
    visibility = models.CharField(_("visibility"), max_length=8, choices=Visibility.choices, default=Visibility.PUBLIC)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("canned reply")
        verbose_name_plural = _("canned replies")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(language__in=Language.values), name="macro_language_known"),
            models.CheckConstraint(condition=Q(visibility__in=Visibility.values), name="macro_visibility_known"),
        ]

    def __str__(self) -> str:
        return self.name
