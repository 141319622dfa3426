from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ParcelVolume(models.Model):
    """The parcels a carrier handled in one ISO week, as the carrier reported it: the denominator of the complaint
    rate. A week without a row has an unknown rate, never a rate of zero."""

    carrier = models.ForeignKey(
        "accounts.Carrier", verbose_name=_("carrier"), on_delete=models.CASCADE, related_name="parcel_volumes"
    )
    iso_week = models.CharField(_("ISO week"), max_length=8, help_text=_("Such as 2026-W47."))
    week_start = models.DateField(_("week starts"), help_text=_("The Monday of the ISO week."))
    parcels = models.PositiveBigIntegerField(_("parcels"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)

    class Meta:
        verbose_name = _("parcel volume")
        verbose_name_plural = _("parcel volumes")
        ordering = ["-week_start", "carrier__code"]
        constraints = [
            models.UniqueConstraint(fields=["carrier", "week_start"], name="parcel_volume_once_per_week"),
            models.CheckConstraint(condition=Q(parcels__gte=0), name="parcel_volume_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.carrier} {self.iso_week}: {self.parcels}"


class WeeklyReport(models.Model):
    """A computed week, stored as it was computed (and sent): reading it later shows what supervisors read.
    Recomputing a past week is an explicit act (reports.services.weekly_report_build(recompute=True))."""

    iso_week = models.CharField(_("ISO week"), max_length=8, unique=True, help_text=_("Such as 2026-W47."))
    week_start = models.DateField(_("week starts"), help_text=_("The Monday of the ISO week."))
    data = models.JSONField(_("figures"), help_text=_("What reports.metrics.week_compute returned."))
    computed_at = models.DateTimeField(_("computed at"))
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("computed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Empty when computed by the Monday schedule."),
    )
    # The Monday email: when it was queued for supervisors (once per week).
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("weekly report")
        verbose_name_plural = _("weekly reports")
        ordering = ["-week_start"]

    def __str__(self) -> str:
        return self.iso_week
