"""What the partner API reads and writes. Write serializers accept only their documented fields: anything else
(a read-only field such as status or carrier, or an unknown name) is refused with 400 naming it, so a carrier never
believes it changed something it did not."""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from complaints.choices import CARRIER_HIDDEN_EVENT_DATA, Category, Channel, Clock, EventKind, Language
from complaints.models import Complaint, ComplaintEvent, ResolutionProposal
from complaints.sla.clocks import DUE_FIELDS

MESSAGE_MAX_LENGTH = 5000

# Fields a carrier can read but never write: naming them in a write gets 400 "read-only".
READ_ONLY_NAMES = frozenset(
    {
        "reference",
        "status",
        "priority",
        "escalation_level",
        "due",
        "created_at",
        "updated_at",
        "carrier",
        "owner",
        "version",
        "risk_medical",
        "risk_social_media",
        "risk_regulator",
        "risk_repeat",
        "risk_high_value",
        "received_at",
        "first_response_at",
        "resolved_at",
        "closed_at",
        "resolution_summary",
        "root_cause_area",
        "carrier_liable",
        "compensation",
        "id",
        "state",
    }
)


# A number as people write amounts: ASCII digits and an optional fraction. No sign, no exponent ("1e100000000" is 82
# bytes that become a hundred million digits when formatted), no digit separators ("1_000"), no other scripts' digits.
PLAIN_NUMBER_PATTERN = r"^[0-9]+(\.[0-9]+)?$"
PLAIN_NUMBER_MAX_LENGTH = 20


def plain_number_text(data: str) -> str:
    """The text of a number written plainly, or ValidationError. Bounded before anything parses or formats it: at most
    PLAIN_NUMBER_MAX_LENGTH characters, so at most 20 digits."""
    text = data  # not stripped: " 12" is no plain number, as the schema's pattern says
    if len(text) > PLAIN_NUMBER_MAX_LENGTH:
        raise serializers.ValidationError(
            _("Write at most %(n)d characters, e.g. “12.50”.") % {"n": PLAIN_NUMBER_MAX_LENGTH}, code="max_length"
        )
    if not re.fullmatch(PLAIN_NUMBER_PATTERN, text):
        raise serializers.ValidationError(
            _(
                "Write the amount in plain digits with an optional decimal point, e.g. “12.50” (no sign, exponent, "
                "spaces or separators)."
            ),
            code="invalid",
        )
    return text


PLAIN_NUMBER_SCHEMA = {"type": "string", "pattern": PLAIN_NUMBER_PATTERN, "maxLength": PLAIN_NUMBER_MAX_LENGTH}


@extend_schema_field({**PLAIN_NUMBER_SCHEMA, "format": "decimal"})
class MoneyField(serializers.DecimalField):
    """An amount in CNY (yuan and fen), a string: plain digits first (plain_number_text), then DRF's digits and
    decimal places."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 12)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)

    def validate_empty_values(self, data):
        # Only null is "no value" (DRF's DecimalField would read "" as null too; the schema says null).
        if data is None or data is serializers.empty:
            return super().validate_empty_values(data)
        return (False, data)

    def to_internal_value(self, data):
        return super().to_internal_value(plain_number_text(data))


@extend_schema_field(PLAIN_NUMBER_SCHEMA)
class PlainNumberField(serializers.Field):
    """A number the service checks (an amount or a percentage), a string, handed over as a Decimal once it is known to
    be plain and short (plain_number_text): the service then never parses or formats anything unbounded."""

    def to_internal_value(self, data):
        return Decimal(plain_number_text(data))

    def to_representation(self, value):
        return str(value)


def _json_type_refusal(field: serializers.Field, value) -> str | None:
    """Why `value` (as parsed from JSON) is not of the type the schema gives `field`, or None. DRF would otherwise
    read 5 as "5", "5" as 5 and "yes" as true: the API takes what its schema says, and says so when it does not."""
    if value is None:
        return None if field.allow_null else _("This field may not be null.")
    if isinstance(field, serializers.BooleanField):
        return None if isinstance(value, bool) else _("Give true or false (a JSON boolean).")
    if isinstance(field, serializers.IntegerField):
        return None if isinstance(value, int) and not isinstance(value, bool) else _("Give a whole number.")
    if isinstance(field, (serializers.DecimalField, PlainNumberField)):
        return None if isinstance(value, str) else _("Write the amount as a string, e.g. “12.50”.")
    if isinstance(field, (serializers.CharField, serializers.ChoiceField)):
        return None if isinstance(value, str) else _("Give a string.")
    return None


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not declare as writable, naming each, and values not of their field's JSON type."""

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            extra = sorted(str(name) for name in data if name not in writable)
            if extra:
                raise serializers.ValidationError(
                    {
                        name: [
                            _("This field is read-only.")
                            if name in READ_ONLY_NAMES
                            else _("Unknown field: the writable fields are %(names)s.")
                            % {"names": ", ".join(sorted(writable))}
                        ]
                        for name in extra
                    }
                )
            mistyped = {
                name: [refusal]
                for name, value in data.items()
                if (refusal := _json_type_refusal(self.fields[name], value)) is not None
            }
            if mistyped:
                # Every field at fault in one answer: the others are validated as usual.
                try:
                    super().to_internal_value({name: value for name, value in data.items() if name not in mistyped})
                except serializers.ValidationError as error:
                    others = error.detail if isinstance(error.detail, dict) else {"non_field_errors": error.detail}
                    mistyped = {**{k: v for k, v in others.items() if k not in mistyped}, **mistyped}
                raise serializers.ValidationError(mistyped)
        return super().to_internal_value(data)


class DueSerializer(serializers.Serializer):
    """Due time of each running clock; a clock that is stopped or paused is absent."""

    first_response = serializers.DateTimeField(required=False, help_text="First human reply to the complainant.")
    resolution = serializers.DateTimeField(
        required=False, help_text="Resolution (paused while awaiting the complainant)."
    )
    progress = serializers.DateTimeField(required=False, help_text="Next progress update to the complainant.")
    carrier_accept = serializers.DateTimeField(required=False, help_text="The carrier accepts the complaint.")
    carrier_reply = serializers.DateTimeField(required=False, help_text="The carrier replies after accepting.")
    statutory = serializers.DateTimeField(required=False, help_text="The legal 7-day limit.")


@extend_schema_field(DueSerializer)
class DueField(serializers.Field):
    def __init__(self, **kwargs):
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, complaint: Complaint) -> dict:
        as_text = serializers.DateTimeField().to_representation
        return {
            str(clock): as_text(getattr(complaint, field))
            for clock, field in DUE_FIELDS.items()
            if getattr(complaint, field) is not None and clock in Clock.values
        }


def visible_merged_into(*, carrier_id: int | None, primary_carrier_id: int | None, primary_reference: str | None):
    """The reference a merged complaint was merged into, for its carrier: only when the primary is that carrier's too
    (complaint_merge merges within one carrier; a carrier corrected later must not reveal another's complaint)."""
    if primary_reference and primary_carrier_id is not None and primary_carrier_id == carrier_id:
        return primary_reference
    return None


class ComplaintSerializer(serializers.ModelSerializer):
    due = DueField()
    merged_into = serializers.SerializerMethodField(
        help_text="Status merged: the reference of your complaint this duplicate was merged into, where the work "
        "goes on. Otherwise null."
    )

    def get_merged_into(self, complaint: Complaint) -> str | None:
        if not complaint.merged_into_id:
            return None
        primary = complaint.merged_into
        return visible_merged_into(
            carrier_id=complaint.carrier_id, primary_carrier_id=primary.carrier_id, primary_reference=primary.reference
        )

    class Meta:
        model = Complaint
        fields = [
            "reference",
            "waybill_number",
            "category",
            "channel",
            "description",
            "status",
            "merged_into",
            "priority",
            "escalation_level",
            "complainant_name",
            "complainant_phone",
            "complainant_email",
            "language",
            "declared_value",
            "insured_value",
            "shipping_fee",
            "due",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ComplaintCreateSerializer(StrictSerializer):
    waybill_number = serializers.CharField(max_length=30, help_text="The parcel's waybill number.")
    category = serializers.ChoiceField(choices=Category.choices)
    channel = serializers.ChoiceField(
        choices=Channel.choices,
        default=Channel.PARTNER_API,
        help_text="How the complaint reached you; partner_api if omitted.",
    )
    description = serializers.CharField(
        max_length=MESSAGE_MAX_LENGTH, help_text="The complaint in the complainant's words."
    )
    complainant_name = serializers.CharField(max_length=100)
    complainant_phone = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        default="",
        help_text="Mainland mobile number; phone or email (or both) is required.",
    )
    complainant_email = serializers.EmailField(max_length=254, required=False, allow_blank=True, default="")
    language = serializers.ChoiceField(
        choices=Language.choices, default=Language.ZH_HANS, help_text="The language the complainant is written to in."
    )
    declared_value = MoneyField(
        min_value=Decimal("0"),
        default=Decimal("0.00"),
        help_text="CNY, as a decimal string.",
    )
    insured_value = MoneyField(
        min_value=Decimal("0"),
        default=Decimal("0.00"),
        help_text="CNY, as a decimal string.",
    )
    shipping_fee = MoneyField(
        min_value=Decimal("0"),
        required=False,
        allow_null=True,
        default=None,
        help_text="CNY, as a decimal string. Omitted or null: not known (shown as null; a compensation claim that "
        "needs the fee waits until it is recorded). 0.00 means the parcel shipped free.",
    )


class EventSerializer(serializers.ModelSerializer):
    # Event data meant for staff only (e.g. a link to another complaint, which may be another carrier's).
    HIDDEN_DATA = CARRIER_HIDDEN_EVENT_DATA

    actor_role = serializers.CharField(read_only=True, help_text="Who acted: carrier, agent, supervisor or system.")
    data = serializers.SerializerMethodField(help_text="Details of the event, depending on its kind.")

    class Meta:
        model = ComplaintEvent
        fields = ["kind", "created_at", "actor_role", "message", "data"]
        read_only_fields = fields

    def get_data(self, event: ComplaintEvent) -> dict:
        data = {key: value for key, value in (event.data or {}).items() if key not in self.HIDDEN_DATA}
        # The files that came with the event and that the carrier may see now (an agent may have hidden one since):
        # `attachments` in the context, by event id, from the view.
        attachments = self.context.get("attachments")
        if attachments is not None and (event.pk in attachments or event.kind == EventKind.EVIDENCE_ADDED):
            data["attachments"] = [{"id": item.pk, "kind": item.kind} for item in attachments.get(event.pk, [])]
        return data


class EmptySerializer(StrictSerializer):
    """A write that takes no fields (accept): an empty body or `{}`; any field is refused."""


class ReplySerializer(StrictSerializer):
    message = serializers.CharField(max_length=MESSAGE_MAX_LENGTH)
    public = serializers.BooleanField(
        help_text="true: the complainant gets it (with the next progress update) and it counts as a human response; "
        "false: a note for Redress's agents only."
    )


class ResolutionProposalCreateSerializer(StrictSerializer):
    summary = serializers.CharField(max_length=MESSAGE_MAX_LENGTH, help_text="What was done for the complainant.")
    root_cause = serializers.CharField(max_length=MESSAGE_MAX_LENGTH, help_text="What caused the problem.")


class ResolutionProposalSerializer(serializers.ModelSerializer):
    complaint = serializers.CharField(
        source="complaint.reference", read_only=True, help_text="The complaint's reference."
    )

    class Meta:
        model = ResolutionProposal
        fields = ["id", "complaint", "summary", "root_cause", "state", "created_at", "decided_at"]
        read_only_fields = fields


class VolumeWriteSerializer(StrictSerializer):
    parcels = serializers.IntegerField(
        min_value=0, max_value=10_000_000_000, help_text="Parcels you handled in that ISO week."
    )


class VolumeSerializer(serializers.Serializer):
    iso_week = serializers.CharField(help_text="The ISO week, e.g. 2026-W47.")
    parcels = serializers.IntegerField()
    reported_at = serializers.DateTimeField()


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable machine-readable code, e.g. invalid, not_found, rate_limited.")
    message = serializers.CharField(help_text="What went wrong and what to do about it, for people.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Per field (or header), what to fix. Empty when no field is at fault.",
    )


class ErrorSerializer(serializers.Serializer):
    """The one error shape of the API."""

    error = ErrorDetailSerializer()
