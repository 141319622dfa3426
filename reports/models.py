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


class DailyFlow(models.Model):
    """The weekly report's flows of one local day (TIME_ZONE) for one carrier, category and channel, as the report
    counts them (reports.metrics): written by the roll-up (reports/rollup.py), read for the weeks it covers. A day is
    counted once it is over; a later change that reaches it (complaints.recount) has it counted again."""

    day = models.DateField(_("day"))
    carrier_id = models.BigIntegerField(_("carrier"), null=True)
    category = models.CharField(_("category"), max_length=32)
    channel = models.CharField(_("channel"), max_length=32)
    received = models.PositiveIntegerField(_("received"), default=0)
    resolved = models.PositiveIntegerField(_("resolved"), default=0)
    resolved_on_time = models.PositiveIntegerField(_("resolved on time"), default=0)
    reopened = models.PositiveIntegerField(_("reopened"), default=0)
    escalations = models.PositiveIntegerField(_("escalations"), default=0)
    first_responses = models.PositiveIntegerField(_("first responses"), default=0)
    first_response_on_time = models.PositiveIntegerField(_("first responses on time"), default=0)
    answers = models.PositiveIntegerField(_("survey answers"), default=0)
    low_answers = models.PositiveIntegerField(_("survey answers of 1-2"), default=0)
    score_total = models.PositiveIntegerField(_("sum of the scores"), default=0)
    # Complaints counted valid in the day's ISO week on this day: their first resolution "carrier liable" that week.
    valid = models.PositiveIntegerField(_("valid complaints"), default=0)
    regulator_valid = models.PositiveIntegerField(_("valid complaints through the regulator"), default=0)
    missed_first_response = models.PositiveIntegerField(_("first-response breaches"), default=0)
    missed_resolution = models.PositiveIntegerField(_("resolution breaches"), default=0)
    missed_carrier_accept = models.PositiveIntegerField(_("carrier-accept breaches"), default=0)
    missed_carrier_reply = models.PositiveIntegerField(_("carrier-reply breaches"), default=0)
    missed_statutory = models.PositiveIntegerField(_("statutory breaches"), default=0)

    class Meta:
        verbose_name = _("daily flow")
        verbose_name_plural = _("daily flows")
        # One row per day, carrier, category and channel: the roll-up replaces a day's rows under its lock.
        indexes = [models.Index(fields=["day"], name="daily_flow_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.carrier_id} {self.category} {self.channel}"


class DailyAgentFlow(models.Model):
    """What one user did in one local day, as the report's per-agent rows count it (reports.metrics.agents): written
    by the daily roll-up with DailyFlow."""

    day = models.DateField(_("day"))
    actor_id = models.BigIntegerField(_("user"))
    resolved = models.PositiveIntegerField(_("resolved"), default=0)
    resolved_on_time = models.PositiveIntegerField(_("resolved on time"), default=0)
    first_responses = models.PositiveIntegerField(_("first responses"), default=0)
    first_response_on_time = models.PositiveIntegerField(_("first responses on time"), default=0)

    class Meta:
        verbose_name = _("daily agent flow")
        verbose_name_plural = _("daily agent flows")
        indexes = [models.Index(fields=["day"], name="daily_agent_flow_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.actor_id}"


class DailyTally(models.Model):
    """One local day's count of one key of a breakdown the report lists (`figure`: root causes, canned replies,
    escalation levels, reopenings per resolver; reports.metrics.daily), with a second count where the breakdown has
    one (`part`: liable resolutions, replies to the complainant). Written by the daily roll-up."""

    day = models.DateField(_("day"))
    figure = models.CharField(_("figure"), max_length=16)
    key = models.CharField(_("key"), max_length=64)
    count = models.PositiveIntegerField(_("count"), default=0)
    part = models.PositiveIntegerField(_("part"), default=0)

    class Meta:
        verbose_name = _("daily tally")
        verbose_name_plural = _("daily tallies")
        indexes = [models.Index(fields=["figure", "day"], name="daily_tally_figure_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.figure} {self.key}"


class RollupProgress(models.Model):
    """How far the daily roll-up has counted: every day before `rolled_until` is in DailyFlow (one row, id 1; locked
    by the roll-up while it counts a day, so two never count at once)."""

    rolled_until = models.DateField(_("rolled up until"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("roll-up progress")
        verbose_name_plural = _("roll-up progress")
