"""Forms of the compensation admin. They only parse input; the services decide."""

from django import forms
from django.forms.models import construct_instance
from django.utils.translation import gettext_lazy as _

from complaints.compensation.choices import Case, MismatchKind
from complaints.compensation.models import CompensationPolicy
from complaints.compensation.services import (
    PAYOUT_REFERENCE_MAX_LENGTH,
    POLICY_FIELDS,
    TEXT_MAX_LENGTH,
    policy_errors,
)
from complaints.evidence.models import Evidence
from complaints.models import Complaint

MONEY = {"max_digits": 12, "decimal_places": 2, "required": False}


class EvidenceChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Evidence) -> str:
        return f"{obj.original_name} · {obj.get_kind_display()} · {obj.created_at:%Y-%m-%d %H:%M}"


class ProposeForm(forms.Form):
    complaint = forms.ModelChoiceField(Complaint.objects.all(), label=_("complaint"), widget=forms.HiddenInput)
    case = forms.ChoiceField(label=_("case"), choices=Case.choices)
    days_late = forms.IntegerField(
        label=_("days late"), required=False, initial=0, help_text=_("Delay only: how many days the parcel was late.")
    )
    value_destroyed = forms.BooleanField(
        label=_("the delay destroyed the item's value (paid as a loss)"), required=False
    )
    proven_value = forms.DecimalField(
        label=_("proven value (CNY)"),
        **MONEY,
        help_text=_("The actual value shown by an invoice or receipt. Empty: the declared value is used."),
    )
    damaged_share = forms.DecimalField(
        label=_("damaged or missing share (%)"),
        max_digits=6,
        decimal_places=3,
        required=False,
        help_text=_(
            "Damage and wrong quantity: the share of the value damaged or missing, 0-100. 100 is total damage."
        ),
    )
    items_affected = forms.IntegerField(
        label=_("items damaged or missing"),
        required=False,
        help_text=_(
            "Damage and wrong quantity, instead of the share: how many items are damaged or missing, of the items "
            "below (1 of 3 is paid as exactly a third of the value)."
        ),
    )
    items_total = forms.IntegerField(label=_("items in the parcel"), required=False)
    mismatch_kind = forms.ChoiceField(
        label=_("mismatch kind"), required=False, choices=[("", "—"), *MismatchKind.choices]
    )
    proposed_amount = forms.DecimalField(
        label=_("proposed amount (CNY)"),
        max_digits=14,
        decimal_places=4,
        required=False,
        help_text=_("Empty: the computed amount. Another amount needs a reason."),
    )
    carrier_liable_amount = forms.DecimalField(
        label=_("carrier's share (CNY)"),
        max_digits=14,
        decimal_places=4,
        required=False,
        help_text=_("Empty: the whole amount when the complaint has a carrier not found blameless."),
    )
    reason = forms.CharField(
        label=_("reason for a different amount"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    evidence = EvidenceChoiceField(
        queryset=Evidence.objects.none(),
        label=_("files it relies on"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The complaint's photos and documents that support the claim (the receipt for a proven value)."),
    )

    def __init__(self, *args, complaint: Complaint | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if complaint is not None:
            self.fields["evidence"].queryset = Evidence.objects.filter(complaint=complaint).visible()
        if not self.fields["evidence"].queryset.exists():
            del self.fields["evidence"]

    # The service checks amounts (negative, absurd, below the fen) and says why; the form accepts any number.
    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("complaint")
        data["days_late"] = data.get("days_late") or 0
        return data


class ApproveForm(forms.Form):
    carrier_liable_amount = forms.DecimalField(
        label=_("carrier's share (CNY)"),
        max_digits=14,
        decimal_places=4,
        required=False,
        help_text=_("Empty: keep the share proposed. It is charged back to the carrier when the claim is paid."),
    )
    note = forms.CharField(
        label=_("note"), required=False, max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3})
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("reason (the complainant is told)"),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PayForm(forms.Form):
    payout_reference = forms.CharField(
        label=_("payout reference"),
        max_length=PAYOUT_REFERENCE_MAX_LENGTH,
        help_text=_("The bank or payment reference of the transfer. A reference pays one claim only."),
    )


class PolicyForm(forms.ModelForm):
    class Meta:
        model = CompensationPolicy
        fields = (*POLICY_FIELDS, "note")

    def clean(self):
        cleaned = super().clean()
        for name, messages in policy_errors({name: cleaned.get(name) for name in POLICY_FIELDS}).items():
            if name not in self.errors:
                for message in messages:
                    self.add_error(name, message)
        return cleaned

    def _post_clean(self):
        # Only copy the values onto the instance: clean() applied the service's rules (the same as the database's
        # checks), and saving makes a new version, so the row being edited is never written.
        self.instance = construct_instance(self, self.instance, self._meta.fields, self._meta.exclude)
