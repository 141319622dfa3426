"""Forms of the agents' admin. They only parse input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from complaints.choices import EscalationLevel, RootCauseArea, Status, Visibility
from complaints.evidence.choices import EvidenceKind, EvidenceVisibility
from complaints.evidence.fields import MultipleFileField
from complaints.macros.models import Macro
from complaints.models import Complaint
from complaints.selectors import assignable_staff
from complaints.services import EDITABLE_FIELDS, MESSAGE_MAX_LENGTH
from complaints.validators import normalise_phone


class VersionedForm(forms.Form):
    expected_version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ComplaintAdminForm(forms.ModelForm):
    """The details form on the change page, carrying the version the agent opened."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Complaint
        fields = EDITABLE_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["expected_version"].initial = self.instance.version

    def clean_complainant_phone(self):
        # People type spaces and +86; the model's validator sees the number as it will be stored.
        return normalise_phone(self.cleaned_data.get("complainant_phone", ""))

    def clean(self):
        cleaned = super().clean()
        expected = cleaned.get("expected_version")
        if self.instance.pk and expected is not None:
            current = Complaint.objects.filter(pk=self.instance.pk).values_list("version", flat=True).first()
            if current is not None and current != expected:
                raise forms.ValidationError(
                    _(
                        "Someone else changed this complaint after you opened it (you had version %(mine)s, it is "
                        "now at %(now)s). Nothing was saved: open it again to see the change."
                    ),
                    params={"mine": expected, "now": current},
                    code="conflict",
                )
        return cleaned


class MessageForm(VersionedForm):
    message = forms.CharField(
        label=_("Message"), widget=forms.Textarea(attrs={"rows": 3}), max_length=MESSAGE_MAX_LENGTH
    )


class MessageWithFilesForm(MessageForm):
    """A reply or a note, with files attached to it (photos, PDFs)."""

    files = MultipleFileField(label=_("Files"), required=False)


class MacroSelect(forms.Select):
    """The canned replies, each option carrying what picking it puts in the form (data-text: the text filled in for
    this complaint, data-visibility, data-next-status), read by complaints/static/complaints/macro_picker.js. Set
    `macro_data` ({macro id: {"text", "visibility", "next_status"}}) and `choices` for the complaint shown."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.macro_data: dict[int, dict[str, str]] = {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        data = self.macro_data.get(int(str(value))) if str(value).isdigit() else None
        if data is not None:
            option["attrs"].update(
                {
                    "data-text": data["text"],
                    "data-visibility": data["visibility"],
                    "data-next-status": data["next_status"],
                }
            )
        return option


class ReplyForm(MessageWithFilesForm):
    """The reply form: a message (typed, or filled in from a canned reply and edited), sent to the complainant or kept
    as an internal note, then optionally a next status. Without JavaScript it is a plain reply form."""

    macro = forms.ModelChoiceField(
        label=_("Canned reply"),
        queryset=Macro.objects.all(),
        required=False,
        empty_label=_("— none: type the reply —"),
        widget=MacroSelect(attrs={"class": "redress-macro-picker"}),
    )
    visibility = forms.ChoiceField(
        label=_("Send as"),
        choices=[(Visibility.PUBLIC, _("Reply to the complainant")), (Visibility.INTERNAL, _("Internal note"))],
        required=False,
    )
    next_status = forms.ChoiceField(
        label=_("Then set status"),
        choices=[("", _("— stays as it is —")), *Status.choices],
        required=False,
    )

    def clean_visibility(self):
        return self.cleaned_data.get("visibility") or Visibility.PUBLIC


class EvidenceAddForm(VersionedForm):
    files = MultipleFileField(label=_("Files"))
    kind = forms.ChoiceField(label=_("Kind"), choices=EvidenceKind.choices)
    visibility = forms.ChoiceField(
        label=_("Visible to"), choices=EvidenceVisibility.choices, initial=EvidenceVisibility.INTERNAL
    )


class EvidenceHideForm(forms.Form):
    reason = forms.CharField(label=_("Why hide it"), max_length=MESSAGE_MAX_LENGTH)


class OptionalMessageForm(VersionedForm):
    message = forms.CharField(
        label=_("Message to the carrier"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=MESSAGE_MAX_LENGTH,
        required=False,
    )


class TransitionForm(VersionedForm):
    to_status = forms.ChoiceField(label=_("New status"), choices=Status.choices)
    note = forms.CharField(label=_("Note"), required=False, max_length=MESSAGE_MAX_LENGTH)


class ResolveForm(VersionedForm):
    summary = forms.CharField(
        label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}), max_length=MESSAGE_MAX_LENGTH
    )
    root_cause = forms.CharField(
        label=_("Root cause"), widget=forms.Textarea(attrs={"rows": 2}), max_length=MESSAGE_MAX_LENGTH
    )
    root_cause_area = forms.ChoiceField(label=_("Where it arose"), choices=RootCauseArea.choices)
    carrier_liable = forms.TypedChoiceField(
        label=_("Carrier liable?"),
        coerce=lambda value: value == "yes",
        choices=[("yes", _("Yes: a valid complaint")), ("no", _("No"))],
    )


class ReopenForm(VersionedForm):
    reason = forms.CharField(
        label=_("Why reopen"), widget=forms.Textarea(attrs={"rows": 2}), max_length=MESSAGE_MAX_LENGTH
    )


class AssignForm(VersionedForm):
    owner = forms.ModelChoiceField(
        label=_("Owner"), queryset=assignable_staff(), required=False, empty_label=_("— back to the queue —")
    )


class ProgressUpdateForm(forms.Form):
    """ "Send progress update now" has no input: the update says what changed since the last one."""


class EscalateForm(VersionedForm):
    to_level = forms.TypedChoiceField(label=_("To level"), choices=EscalationLevel.choices, coerce=int)
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=MESSAGE_MAX_LENGTH)


class MergeForm(VersionedForm):
    """ "Merge into…": the reference of the complaint that carries on (complaint_merge checks the rest)."""

    primary = forms.CharField(
        label=_("Reference of the complaint that carries on"),
        max_length=40,
        widget=forms.TextInput(attrs={"placeholder": "C2611020001"}),
    )


class ConfirmProposalForm(VersionedForm):
    """An agent confirms a carrier's resolution proposal: it resolves the complaint with the carrier's summary and
    root cause, and the agent's view of where it arose and whether the carrier is liable."""

    proposal = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    root_cause_area = forms.ChoiceField(label=_("Where it arose"), choices=RootCauseArea.choices)
    carrier_liable = forms.TypedChoiceField(
        label=_("Carrier liable?"),
        coerce=lambda value: value == "yes",
        choices=[("yes", _("Yes: a valid complaint")), ("no", _("No"))],
    )
