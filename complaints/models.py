from decimal import Decimal

from django.conf import settings
from django.core.validators import EmailValidator, MinLengthValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from complaints.choices import (
    Category,
    Channel,
    ContactChannel,
    EscalationLevel,
    EventKind,
    Language,
    Priority,
    Status,
    Visibility,
)
from complaints.validators import validate_phone, validate_waybill_number

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
    shipping_fee = models.DecimalField(_("shipping fee (CNY)"), default=Decimal("0.00"), **MONEY)

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
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)

    resolution_summary = models.TextField(_("resolution summary"), blank=True)
    root_cause = models.TextField(_("root cause"), blank=True)

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


class ComplaintEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("Complaint events are append-only and cannot be updated.")

    def delete(self):
        raise TypeError("Complaint events are append-only and cannot be deleted.")

    def public(self):
        return self.filter(visibility=Visibility.PUBLIC)


class ComplaintEvent(models.Model):
    """One entry of a complaint's timeline. Append-only: the database refuses updates (see migration 0002)."""

    complaint = models.ForeignKey(Complaint, verbose_name=_("complaint"), on_delete=models.CASCADE, related_name="events")
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

    objects = ComplaintEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["complaint", "created_at", "id"], name="event_timeline")]
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
