"""Canned replies (macros): supervisors write and change them, agents (with the view permission) read them and pick
them in a complaint's reply form. Saving goes through complaints.macros.services.macro_save; the form shows its
refusal of an unknown placeholder as an error on the text."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from accounts.roles import is_supervisor
from complaints.admin.base import ServiceRefusalMixin
from complaints.errors import InvalidInput
from complaints.macros.models import Macro
from complaints.macros.services import EDITABLE, PLACEHOLDERS, macro_placeholders_check, macro_save


class MacroAdminForm(forms.ModelForm):
    class Meta:
        model = Macro
        fields = EDITABLE

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "body" in self.fields:
            self.fields["body"].help_text = _("Placeholders filled in for each complaint: %(placeholders)s.") % {
                "placeholders": ", ".join(f"{{{name}}}" for name in PLACEHOLDERS)
            }

    def clean_body(self):
        # The service's own check, so that its refusal (naming the placeholder, listing the allowed ones) is shown
        # on the field rather than after the form was accepted.
        body = self.cleaned_data["body"]
        try:
            macro_placeholders_check(body)
        except InvalidInput as error:
            raise forms.ValidationError(error.message, code="placeholders") from error
        return body


@admin.register(Macro)
class MacroAdmin(ServiceRefusalMixin, admin.ModelAdmin):
    form = MacroAdminForm
    list_display = ("name", "language", "category", "visibility", "next_status", "is_active", "created_by")
    list_filter = ("is_active", "language", "category", "visibility")
    list_select_related = ("created_by",)
    search_fields = ("name", "body")
    fields = (*EDITABLE, "created_by", "created_at")
    readonly_fields = ("created_by", "created_at")

    # --- supervisors write; agents (with the view permission) only read ---

    def has_add_permission(self, request):
        return is_supervisor(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return is_supervisor(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: the weekly report names the macros replies used

    def save_model(self, request, obj, form, change):
        saved = macro_save(
            actor=request.user,
            macro=obj if change else None,
            **{name: form.cleaned_data[name] for name in EDITABLE if name in form.cleaned_data},
        )
        obj.pk, obj.created_by_id, obj.created_at = saved.pk, saved.created_by_id, saved.created_at
        obj._state.adding = False
