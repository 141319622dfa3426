"""Forms of the complainant's pages. They only parse input; the services decide."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy

from complaints.choices import Category
from complaints.evidence.fields import MultipleFileField
from complaints.services import MESSAGE_MAX_LENGTH


class FilesField(MultipleFileField):
    """Photos or PDFs, at most REDRESS_EVIDENCE_MAX_FILES_PER_MESSAGE of them (the evidence service checks each)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        items = super().clean(data, initial)
        limit = settings.REDRESS_EVIDENCE_MAX_FILES_PER_MESSAGE
        if len(items) > limit:
            raise forms.ValidationError(
                gettext_lazy("At most %(n)d files at a time."), params={"n": limit}, code="too_many_files"
            )
        return items


class ReplyForm(forms.Form):
    """The complainant's message on the status page: words, photos, or both."""

    message = forms.CharField(
        label=gettext_lazy("Your message"),
        required=False,
        max_length=MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    files = FilesField(label=gettext_lazy("Photos or documents (optional)"))


class PublicComplaintForm(forms.Form):
    waybill_number = forms.CharField(label=gettext_lazy("Waybill number"), max_length=30)
    category = forms.ChoiceField(label=gettext_lazy("What went wrong"), choices=Category.choices)
    description = forms.CharField(
        label=gettext_lazy("Tell us what happened"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000
    )
    complainant_name = forms.CharField(label=gettext_lazy("Your name"), max_length=100)
    complainant_phone = forms.CharField(label=gettext_lazy("Mobile phone"), max_length=20, required=False)
    complainant_email = forms.CharField(label=gettext_lazy("Email"), max_length=254, required=False)
    files = FilesField(label=gettext_lazy("Photos or documents (optional)"))
    # Spam guard: a field people never see (bots fill it) and a minimum time on the page.
    website = forms.CharField(required=False, widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}))
    started = forms.CharField(widget=forms.HiddenInput)
