from datetime import time
from decimal import Decimal

from django.conf import settings
from django.core.validators import EmailValidator, MinLengthValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from complaints.choices import (
    AlertKind,
    Category,
    Channel,
    Clock,
    ContactChannel,
    EscalationLevel,
    EventKind,
    Language,
    MessageChannel,
    MessageKind,
    MessageState,
    Priority,
    RiskCondition,
    RootCauseArea,
    Status,
    Visibility,
)
from complaints.sla.calendars import WorkingSchedule
from complaints.validators import (
    validate_phone,
    validate_time_zone,
    validate_waybill_number,
    validate_working_days,
)

MONEY = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"))]}


def _choices_check(field: str, choices: type[models.TextChoices], name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=name)


class Complaint(models.Model):
    """A complaint about a parcel. Changed only through complaints.services; every change is a ComplaintEvent."""

    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    waybill_number = models.CharField(_("waybill number"), max_length=30, validators=[validate_waybill_number])
    carrier = models.ForeignKey(
        "accounts.Carrier",
        verbose_name=_("carrier"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
    )
    category = models.CharField(_("category"), max_length=32, choices=Category.choices)
    channel = models.CharField(_("channel"), max_length=32, choices=Channel.choices)
    description = models.TextField(_("description"), validators=[MinLengthValidator(1)])

    complainant_name = models.CharField(_("complainant name"), max_length=100)
    complainant_phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[validate_phone])
    complainant_email = models.CharField(
        _("email"), max_length=254, blank=True, validators=[EmailValidator(_("Enter a valid email address."))]
    )
    language = models.CharField(_("language"), max_length=8, choices=Language.choices, default=Language.ZH_HANS)
    contact_channel = models.CharField(
        _("preferred contact"), max_length=8, choices=ContactChannel.choices, default=ContactChannel.SMS
    )

    declared_value = models.DecimalField(_("declared value (CNY)"), default=Decimal("0.00"), **MONEY)
    insured_value = models.DecimalField(_("insured value (CNY)"), default=Decimal("0.00"), **MONEY)
    # Empty: not recorded. Unknown is not ¥0.00: a compensation claim that needs the fee waits until it is known.
    shipping_fee = models.DecimalField(_("shipping fee (CNY)"), null=True, blank=True, **MONEY)

    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    risk_medical = models.BooleanField(_("medical or urgent goods"), default=False)
    risk_social_media = models.BooleanField(_("social-media exposure"), default=False)
    risk_regulator = models.BooleanField(_("regulator channel"), default=False)
    risk_repeat = models.BooleanField(_("repeat complaint"), default=False)
    risk_high_value = models.BooleanField(_("high declared value"), default=False)
    repeat_of = models.ForeignKey(
        "self",
        verbose_name=_("repeat of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="repeats",
    )
    # Duplicates: at intake, the open complaint about the same waybill this one may duplicate (shown to the agent,
    # never merged by itself); after complaint_merge, the complaint this one lives on in (its status is "merged").
    duplicate_of = models.ForeignKey(
        "self",
        verbose_name=_("possible duplicate of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="possible_duplicates",
        db_index=False,  # read from the complaint that names it, never the other way
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_duplicates",
        db_index=False,  # the partial index complaint_merged_into: almost every row has none
    )

    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_complaints",
    )
    escalation_level = models.PositiveSmallIntegerField(
        _("escalation level"), choices=EscalationLevel.choices, default=EscalationLevel.FRONTLINE
    )

    received_at = models.DateTimeField(_("received at"))
    first_response_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    # Set by the first human reply: the first-response clock was never breached (complaints/outcomes.py).
    first_response_met = models.BooleanField(_("first response on time"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)

    # Due times of the running clocks, computed by complaints.sla.clocks from the event history and the policy.
    sla_policy = models.ForeignKey(
        "complaints.SlaPolicy",
        verbose_name=_("SLA policy"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaints",
    )
    first_response_due_at = models.DateTimeField(_("first response due"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True)
    progress_due_at = models.DateTimeField(_("progress update due"), null=True, blank=True, db_index=True)
    carrier_accept_due_at = models.DateTimeField(_("carrier accept due"), null=True, blank=True)
    carrier_reply_due_at = models.DateTimeField(_("carrier reply due"), null=True, blank=True)
    statutory_due_at = models.DateTimeField(_("statutory limit"), null=True, blank=True)
    # The nearest due time of any running clock (for sorting and "overdue"), and the next moment the clock sweep
    # has something to do (a warning or a breach not yet recorded).
    next_due_at = models.DateTimeField(_("next due"), null=True, blank=True, db_index=True)
    next_alert_at = models.DateTimeField(_("next alert"), null=True, blank=True, db_index=True)
    # The revisit after resolution: when the survey goes out, and when its one reminder does.
    revisit_due_at = models.DateTimeField(_("survey due"), null=True, blank=True, db_index=True)
    survey_reminder_due_at = models.DateTimeField(_("survey reminder due"), null=True, blank=True, db_index=True)

    resolution_summary = models.TextField(_("resolution summary"), blank=True)
    root_cause = models.TextField(_("root cause"), blank=True)
    root_cause_area = models.CharField(
        _("root cause area"),
        max_length=20,
        choices=RootCauseArea.choices,
        blank=True,
        help_text=_("The department the result is fed back to."),
    )
    # The regulator counts a complaint as valid when the carrier is liable for it. Unknown until resolved.
    carrier_liable = models.BooleanField(_("carrier liable (valid complaint)"), null=True, blank=True)

    # Optimistic concurrency: every write bumps it; a write from an older version is refused.
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now, editable=False, db_index=True)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["-received_at", "-id"]
        permissions = [
            ("escalate_complaint", _("Can escalate and de-escalate complaints")),
        ]
        indexes = [
            models.Index(fields=["status", "-received_at"], name="complaint_status_received"),
            models.Index(fields=["-received_at", "-id"], name="complaint_received"),
            models.Index(fields=["waybill_number"], name="complaint_waybill"),
            models.Index(fields=["complainant_phone"], name="complaint_phone"),
            # The partner API's list: one carrier's complaints, newest first.
            models.Index(fields=["carrier", "-created_at", "-id"], name="complaint_carrier_created"),
            # The weekly report (reports.metrics): first responses by week.
            models.Index(fields=["first_response_at"], name="complaint_first_response"),
            # The timeline of a complaint with the duplicates merged into it.
            models.Index(fields=["merged_into"], condition=Q(merged_into__isnull=False), name="complaint_merged_into"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(declared_value__gte=0), name="complaint_declared_value_non_negative"),
            models.CheckConstraint(condition=Q(insured_value__gte=0), name="complaint_insured_value_non_negative"),
            models.CheckConstraint(condition=Q(shipping_fee__gte=0), name="complaint_shipping_fee_non_negative"),
            _choices_check("status", Status, "complaint_status_known"),
            _choices_check("category", Category, "complaint_category_known"),
            _choices_check("channel", Channel, "complaint_channel_known"),
            _choices_check("priority", Priority, "complaint_priority_known"),
            models.CheckConstraint(
                condition=Q(escalation_level__gte=0, escalation_level__lte=2), name="complaint_level_in_range"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="complaint_version_positive"),
            models.CheckConstraint(
                condition=~Q(complainant_phone="") | ~Q(complainant_email=""),
                name="complaint_has_contact",
                violation_error_message=_("Give the complainant's phone number or email address, or both."),
            ),
            models.CheckConstraint(
                condition=~Q(contact_channel=ContactChannel.SMS) | ~Q(complainant_phone=""),
                name="complaint_sms_needs_phone",
                violation_error_message=_("A phone number is needed to reach the complainant by SMS."),
            ),
            models.CheckConstraint(
                condition=~Q(contact_channel=ContactChannel.EMAIL) | ~Q(complainant_email=""),
                name="complaint_email_needs_email",
                violation_error_message=_("An email address is needed to reach the complainant by email."),
            ),
            models.CheckConstraint(
                condition=~Q(status=Status.RESOLVED) | Q(resolved_at__isnull=False), name="complaint_resolved_has_time"
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("pk")) & ~Q(duplicate_of=models.F("pk")),
                name="complaint_not_merged_into_itself",
            ),
            # Merged means merged into one complaint, and only a merged complaint names one.
            models.CheckConstraint(
                condition=Q(status=Status.MERGED, merged_into__isnull=False)
                | (~Q(status=Status.MERGED) & Q(merged_into__isnull=True)),
                name="complaint_merged_has_primary",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def risk_flags(self) -> list[str]:
        return [
            name
            for name, on in (
                ("medical", self.risk_medical),
                ("social_media", self.risk_social_media),
                ("regulator", self.risk_regulator),
                ("repeat", self.risk_repeat),
                ("high_value", self.risk_high_value),
            )
            if on
        ]

    @property
    def is_high_risk(self) -> bool:
        return bool(self.risk_flags)


class ReferenceSequence(models.Model):
    """The last number handed out per day, so references (C2611220001) are readable and never repeat."""

    day = models.DateField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("reference sequence")


class FiguresRecount(models.Model):
    """A local day (TIME_ZONE) whose counted flows changed after the day: a complaint's carrier, category or channel
    corrected, a merge, a breach recorded after the day it was due. The reports' daily roll-up counts that day again
    and deletes the row (reports/rollup.py); until then the weekly report counts the day's week from the rows."""

    day = models.DateField(_("day"))
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("figures recount")
        verbose_name_plural = _("figures recounts")
        indexes = [models.Index(fields=["day"], name="figures_recount_day")]

    def __str__(self) -> str:
        return str(self.day)


class ComplaintEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Complaint events are append-only and cannot be updated.")

    def delete(self):
        raise TypeError("Complaint events are append-only and cannot be deleted.")

    def public(self):
        return self.filter(visibility=Visibility.PUBLIC)


# Events that reopen a complaint: the reopen action, and a survey answer of 1-2 (which reopens by itself).
# (The kind is compared first, so the JSON is read only for survey answers.)
REOPENING = Q(kind=EventKind.REOPENED) | (Q(kind=EventKind.SURVEY_ANSWERED) & Q(data__to=Status.REOPENED))


class ComplaintEvent(models.Model):
    """One entry of a complaint's timeline. Append-only: the database refuses updates (see migration 0002)."""

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="complaint_events",
    )
    actor_role = models.CharField(_("actor role"), max_length=16, choices=Role.choices)
    visibility = models.CharField(_("visibility"), max_length=8, choices=Visibility.choices)
    message = models.TextField(_("message"), blank=True)
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("time"), db_index=True)
    # On `resolved` events only (complaints/outcomes.py): the cycle had no resolution breach, and when it began.
    clock_met = models.BooleanField(_("clock met"), null=True, blank=True)
    cycle_started_at = models.DateTimeField(_("cycle started at"), null=True, blank=True)

    objects = ComplaintEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["complaint", "created_at", "id"], name="event_timeline"),
            # The weekly report: resolutions, reopenings and escalations by week.
            models.Index(fields=["kind", "created_at"], name="event_kind_time"),
            models.Index(fields=["complaint", "created_at"], condition=REOPENING, name="event_reopening"),
        ]
        constraints = [
            _choices_check("visibility", Visibility, "event_visibility_known"),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.kind} {self.created_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise TypeError("Complaint events are append-only and cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("Complaint events are append-only and cannot be deleted.")


class WorkingCalendar(models.Model):
    """When a desk works, for the SLA policies that count working hours (complaints/sla/calendars.py): days of the
    week, opening hours, China's public holidays and adjusted working days (调休), and named closures."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="Asia/Shanghai",
        validators=[validate_time_zone],
        help_text=_("An IANA time zone name, e.g. Asia/Shanghai."),
    )
    working_days = models.CharField(
        _("working days"),
        max_length=7,
        default="12345",
        validators=[validate_working_days],
        help_text=_("Days of the week: 1 is Monday, 7 is Sunday."),
    )
    opens_at = models.TimeField(_("opens at"), default=time(9))
    closes_at = models.TimeField(_("closes at"), default=time(18), help_text=_("00:00 means midnight."))
    public_holidays = models.BooleanField(
        _("follows China's public holidays"),
        default=True,
        help_text=_(
            "Closed on public holidays and open on the adjusted working days (调休) announced by the State "
            "Council. For a year not announced yet, only the working days of the week count."
        ),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("working calendar")
        verbose_name_plural = _("working calendars")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")) | Q(closes_at=time(0)),
                name="working_calendar_closes_after_opening",
                violation_error_message=_("A working day closes after it opens."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def schedule(self) -> WorkingSchedule:
        """The calendar as the clocks' arithmetic uses it (reads the closures: prefetch them for many calendars)."""
        return WorkingSchedule(
            time_zone=self.time_zone,
            weekdays=frozenset(int(day) - 1 for day in self.working_days),
            opens=self.opens_at,
            closes=self.closes_at,
            public_holidays=self.public_holidays,
            closures=tuple((c.starts_on, c.ends_on) for c in self.closures.all()),
        )


class CalendarClosure(models.Model):
    """Days a working calendar is closed besides its weekly rest days and public holidays (a company event, the
    office moving), both days included."""

    calendar = models.ForeignKey(
        WorkingCalendar, verbose_name=_("working calendar"), on_delete=models.CASCADE, related_name="closures"
    )
    name = models.CharField(_("name"), max_length=100)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))

    class Meta:
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="calendar_closure_ends_after_start",
                violation_error_message=_("A closure ends on or after its first day."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SlaPolicy(models.Model):
    """Targets for the clocks of docs/domain.md. Policies are checked by position; the first whose conditions all match
    a complaint applies. An empty condition matches anything."""

    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(
        _("position"), default=100, help_text=_("Lower positions are checked first.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    category = models.CharField(_("category"), max_length=32, choices=Category.choices, blank=True)
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, blank=True)
    channel = models.CharField(_("channel"), max_length=32, choices=Channel.choices, blank=True)
    risk = models.CharField(_("risk flag"), max_length=16, choices=RiskCondition.choices, blank=True)

    first_response_hours = models.DecimalField(
        _("first response (hours)"), max_digits=6, decimal_places=2, default=Decimal("24")
    )
    resolution_hours = models.DecimalField(
        _("resolution (hours)"), max_digits=6, decimal_places=2, default=Decimal("72")
    )
    progress_update_hours = models.DecimalField(
        _("progress update (hours)"), max_digits=6, decimal_places=2, default=Decimal("24")
    )
    carrier_accept_hours = models.DecimalField(
        _("carrier accepts (hours)"), max_digits=6, decimal_places=2, default=Decimal("4")
    )
    carrier_reply_hours = models.DecimalField(
        _("carrier replies (hours)"), max_digits=6, decimal_places=2, default=Decimal("24")
    )
    statutory_hours = models.DecimalField(
        _("statutory limit (hours)"), max_digits=6, decimal_places=2, default=Decimal("168")
    )
    warning_percent = models.PositiveSmallIntegerField(_("warn at (percentage of target)"), default=80)
    calendar = models.ForeignKey(
        WorkingCalendar,
        verbose_name=_("working calendar"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="policies",
        help_text=_(
            "Empty: the targets count calendar hours. Chosen: they count working hours on this calendar. The "
            "statutory limit always counts calendar days."
        ),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    first_response_hours__gt=0,
                    resolution_hours__gt=0,
                    progress_update_hours__gt=0,
                    carrier_accept_hours__gt=0,
                    carrier_reply_hours__gt=0,
                    statutory_hours__gt=0,
                ),
                name="sla_targets_positive",
                violation_error_message=_("Every target must be more than zero hours."),
            ),
            models.CheckConstraint(
                condition=Q(warning_percent__gte=1, warning_percent__lte=99),
                name="sla_warning_percent_range",
                violation_error_message=_("The warning threshold is a percentage between 1 and 99."),
            ),
            models.CheckConstraint(
                condition=Q(resolution_hours__lte=models.F("statutory_hours")),
                name="sla_resolution_within_statutory",
                violation_error_message=_("The resolution target cannot be later than the statutory limit."),
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ClockAlert(models.Model):
    """A warning or breach of one clock in one cycle (the cycle is the due time it was measured against). Unique,
    so each happens exactly once however often or wherever the sweep runs."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="clock_alerts")
    clock = models.CharField(_("clock"), max_length=20, choices=Clock.choices)
    kind = models.CharField(_("kind"), max_length=8, choices=AlertKind.choices)
    due_at = models.DateTimeField(_("due at"))
    recorded_at = models.DateTimeField(_("recorded at"))

    class Meta:
        verbose_name = _("clock alert")
        verbose_name_plural = _("clock alerts")
        # The weekly report: breaches by the week of their due time, and the complaints that breached a clock.
        indexes = [
            models.Index(fields=["due_at"], condition=Q(kind="breach"), name="clock_breach_due"),
            models.Index(fields=["clock", "complaint"], condition=Q(kind="breach"), name="clock_breach_complaint"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["complaint", "clock", "kind", "due_at"], name="clock_alert_once"),
        ]


class OutboundMessage(models.Model):
    """Every message to a complainant, carrier or staff member is a row first (the outbox); the dispatcher sends
    it. Unique per complaint, kind and period, so nothing is ever sent twice."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="messages", null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=MessageKind.choices)
    period = models.CharField(
        _("period"), max_length=64, help_text=_("What makes this message unique for its complaint and kind.")
    )
    channel = models.CharField(_("channel"), max_length=8, choices=MessageChannel.choices)
    recipient = models.CharField(_("recipient"), max_length=254)
    language = models.CharField(_("language"), max_length=8, choices=Language.choices, default=Language.ZH_HANS)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("body"))
    # Emails only: an HTML alternative and one attachment (the weekly report's workbook).
    html_body = models.TextField(_("HTML body"), blank=True)
    attachment_name = models.CharField(_("attachment name"), max_length=100, blank=True)
    attachment_type = models.CharField(_("attachment type"), max_length=100, blank=True)
    attachment = models.BinaryField(_("attachment"), null=True, blank=True)
    due_at = models.DateTimeField(_("due at"))
    state = models.CharField(_("state"), max_length=8, choices=MessageState.choices, default=MessageState.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    provider_id = models.CharField(_("provider id"), max_length=100, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("outbound message")
        verbose_name_plural = _("outbound messages")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "due_at"], name="outbox_due"),
            # The weekly report: progress updates and surveys due, and surveys sent, by week.
            models.Index(fields=["kind", "due_at"], name="outbox_kind_due"),
            models.Index(fields=["kind", "sent_at"], name="outbox_kind_sent"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["complaint", "kind", "period"], name="outbox_once_per_period"),
            # Messages about no complaint (the weekly report, surge alerts): once per kind, period and recipient.
            models.UniqueConstraint(
                fields=["kind", "period", "recipient"],
                condition=Q(complaint__isnull=True),
                name="outbox_once_per_period_global",
            ),
            models.CheckConstraint(
                condition=~Q(state=MessageState.SENT) | Q(sent_at__isnull=False), name="outbox_sent_has_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient}"


class SurveyResponse(models.Model):
    """The complainant's satisfaction answer: one per complaint and resolution cycle."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="survey_responses")
    cycle = models.PositiveSmallIntegerField(_("cycle"), default=0, help_text=_("Times reopened when asked."))
    score = models.PositiveSmallIntegerField(_("score (1-5)"))
    comment = models.TextField(_("comment"), blank=True)
    answered_at = models.DateTimeField(_("answered at"))

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        indexes = [models.Index(fields=["answered_at"], name="survey_answered_at")]
        constraints = [
            models.UniqueConstraint(fields=["complaint", "cycle"], name="survey_once_per_cycle"),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="survey_score_range"),
        ]


class ProposalState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    CONFIRMED = "confirmed", _("Confirmed")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    SUPERSEDED = "superseded", _("Superseded")


class ResolutionProposal(models.Model):
    """A carrier's proposal to resolve a complaint (partner API). An agent confirms it, which resolves the
    complaint; a newer proposal supersedes the pending one."""

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.CASCADE, related_name="resolution_proposals"
    )
    carrier = models.ForeignKey(
        "accounts.Carrier", verbose_name=_("carrier"), on_delete=models.PROTECT, related_name="resolution_proposals"
    )
    summary = models.TextField(_("what was done"))
    root_cause = models.TextField(_("root cause"))
    state = models.CharField(_("state"), max_length=12, choices=ProposalState.choices, default=ProposalState.PROPOSED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("proposed by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("resolution proposal")
        verbose_name_plural = _("resolution proposals")
        ordering = ["-created_at", "-id"]
        constraints = [
            _choices_check("state", ProposalState, "proposal_state_known"),
            # At most one proposal waits for an agent per complaint.
            models.UniqueConstraint(
                fields=["complaint"], condition=Q(state="proposed"), name="proposal_one_pending_per_complaint"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.get_state_display()}"


class IdempotencyState(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")


class IdempotencyKey(models.Model):
    """The first response to a partner API write, kept under the carrier's Idempotency-Key so that a retry replays
    it instead of doing the work again (complaints.partners.api.idempotency)."""

    carrier = models.ForeignKey("accounts.Carrier", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(_("key"), max_length=255)
    fingerprint = models.CharField(_("request fingerprint"), max_length=64)
    state = models.CharField(
        _("state"), max_length=8, choices=IdempotencyState.choices, default=IdempotencyState.RUNNING
    )
    response_status = models.PositiveSmallIntegerField(_("response status"), null=True, blank=True)
    # The rendered JSON as sent, so a replay is byte for byte the same.
    response_body = models.TextField(_("response body"), blank=True)
    response_headers = models.JSONField(_("response headers"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["carrier", "key"], name="idempotency_key_once_per_carrier"),
        ]


# Evidence files attached to complaints (their own package: complaints/evidence).
from complaints.evidence.models import Evidence  # noqa: E402,F401

# Inbound SMS and the numbers that opted out of SMS (their own package: complaints/inbound).
from complaints.inbound.models import InboundSms, SmsOptOut  # noqa: E402,F401

# Webhooks to carriers (their own module, so the API's models and these merge cleanly).
from complaints.partners.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint  # noqa: E402,F401
