"""The compensation policy's versions: supervisors save a new one; every version stays listed."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.roles import is_supervisor
from complaints.admin.base import ServiceRefusalMixin
from complaints.compensation import services
from complaints.compensation.forms import PolicyForm
from complaints.compensation.models import CompensationPolicy


@admin.register(CompensationPolicy)
class CompensationPolicyAdmin(ServiceRefusalMixin, admin.ModelAdmin):
    """Every version, newest first: the history of the standard. Saving (a new one, or a change to any version)
    makes the next version and activates it; versions that exist are never changed."""

    form = PolicyForm
    list_display = (
        "version",
        "is_active",
        "delay_fee_waiver_percent",
        "loss_fee_refund_percent",
        "insured_cap",
        "uninsured_cap_multiple",
        "damage_min_percent",
        "agent_approval_limit",
        "created_by",
        "created_at",
    )
    list_display_links = ("version",)
    list_filter = ("is_active",)
    ordering = ("-version",)
    readonly_fields = ("version", "is_active", "created_by", "created_at")
    fieldsets = (
        (None, {"fields": ("version", "is_active", "created_by", "created_at")}),
        (_("Delay and loss"), {"fields": ("delay_fee_waiver_percent", "loss_fee_refund_percent")}),
        (_("Caps"), {"fields": ("insured_cap", "uninsured_cap_multiple")}),
        (_("Damage"), {"fields": ("damage_min_percent",)}),
        (_("Approval"), {"fields": ("agent_approval_limit",)}),
        (None, {"fields": ("note",)}),
    )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.base_fields["note"].initial = ""
        return form

    def get_changeform_initial_data(self, request):
        # A new version starts from the active one.
        active = CompensationPolicy.objects.filter(is_active=True).first()
        initial = super().get_changeform_initial_data(request)
        if active is not None:
            for name in services.POLICY_FIELDS:
                initial.setdefault(name, getattr(active, name))
        return initial

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None and request.method == "GET":
            obj.note = ""  # the note says what the next version changes
        return obj

    def has_add_permission(self, request):
        return is_supervisor(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return is_supervisor(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # claims keep the version they were computed and decided under

    def save_model(self, request, obj, form, change):
        saved = services.compensation_policy_save(policy=obj, actor=request.user, note=form.cleaned_data.get("note"))
        for field in CompensationPolicy._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False
        self.message_user(
            request,
            gettext(
                "Saved as version %(version)s, now active. Earlier versions are kept "
                "unchanged for the claims made under them."
            )
            % {"version": saved.version},
            messages.INFO,
        )
