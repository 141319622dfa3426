"""The agents' complaint admin: the changelist, the details form and the audit trail. Every change goes through
complaints.services; this module and its neighbours only translate requests (complaint_filters: the sidebar filters,
complaint_columns: the computed columns and clocks, complaint_actions: the change page's buttons and the bulk action).
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.views.main import SEARCH_VAR, ChangeList
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from complaints import services
from complaints.admin.base import ReadOnlyAdminMixin, ServiceRefusalMixin
from complaints.admin.complaint_actions import ComplaintActionsMixin
from complaints.admin.complaint_columns import ComplaintColumnsMixin
from complaints.admin.complaint_filters import AssignmentFilter, DeadlineFilter, QueueFilter
from complaints.admin.evidence import ComplaintEvidenceMixin
from complaints.admin.forms import ComplaintAdminForm
from complaints.admin.paginator import CappedCountPaginator
from complaints.compensation.admin import CompensationClaimInline
from complaints.models import Complaint, ComplaintEvent
from complaints.selectors import NAME_MATCH_CAP, complaint_search, complaint_search_is_name


class ComplaintChangeList(ChangeList):
    """The page's working calendars come with their closures in one query, not one per row."""

    def get_queryset(self, request, exclude_parameters=None):
        return super().get_queryset(request, exclude_parameters).prefetch_related("sla_policy__calendar__closures")


@admin.register(Complaint)
class ComplaintAdmin(
    ServiceRefusalMixin, ComplaintColumnsMixin, ComplaintActionsMixin, ComplaintEvidenceMixin, admin.ModelAdmin
):
    form = ComplaintAdminForm
    inlines = (CompensationClaimInline,)
    change_form_template = "admin/complaints/complaint/change_form.html"
    list_display = (
        "reference",
        "waybill_number",
        "category",
        "carrier_code",
        "status",
        "priority",
        "escalation_level",
        "owner",
        "clocks",
        "age",
    )
    list_display_links = ("reference",)
    list_filter = (
        QueueFilter,  # first: it sees whether any other filter was asked for ("Mine" when none was)
        "status",
        "category",
        "carrier",
        "channel",
        "priority",
        "escalation_level",
        AssignmentFilter,
        DeadlineFilter,
    )
    # The clocks column reads each row's policy and its working calendar (ComplaintChangeList: the closures).
    list_select_related = ("carrier", "owner", "sla_policy__calendar")
    search_fields = ("^reference", "^waybill_number", "^complainant_phone", "complainant_name")
    search_help_text = _("Search by reference, waybill number, phone or complainant name.")
    # The work in the order it falls due: the nearest next clock first, those with no running clock last.
    ordering = (F("next_due_at").asc(nulls_last=True), "pk")
    autocomplete_fields = ("carrier",)
    list_per_page = 50
    # Never count 10 million rows: at most 10,001 (then "more than 10,000"), and no total beside a search's count.
    paginator = CappedCountPaginator
    show_full_result_count = False
    actions = ("assign_to_me",)
    readonly_fields = (
        "reference",
        "status",
        "owner",
        "escalation_level",
        "received_at",
        "first_response_at",
        "resolved_at",
        "closed_at",
        "reopen_count",
        "risk_regulator",
        "risk_repeat",
        "risk_high_value",
        "repeat_link",
        "duplicate_link",
        "merged_into_link",
        "resolution_summary",
        "root_cause",
        "root_cause_area",
        "carrier_liable",
        "version",
    )

    def get_changelist(self, request, **kwargs):
        return ComplaintChangeList

    def get_fieldsets(self, request, obj=None):
        details = (
            (
                _("Complaint"),
                {"fields": ("waybill_number", "carrier", "category", "channel", "priority", "description")},
            ),
            (
                _("Complainant"),
                {
                    "fields": (
                        "complainant_name",
                        "complainant_phone",
                        "complainant_email",
                        "language",
                        "contact_channel",
                    )
                },
            ),
            (_("Parcel value (CNY)"), {"fields": ("declared_value", "insured_value", "shipping_fee")}),
            (_("Risk"), {"fields": ("risk_medical", "risk_social_media")}),
        )
        if obj is None:
            return details
        return (
            (
                _("State"),
                {"fields": ("reference", "status", "owner", "escalation_level", "version", "expected_version")},
            ),
            *details,
            (_("Detected risk"), {"fields": ("risk_regulator", "risk_repeat", "risk_high_value", "repeat_link")}),
            (_("Duplicates"), {"fields": ("duplicate_link", "merged_into_link")}),
            (_("Clock"), {"fields": ("received_at", "first_response_at", "resolved_at", "closed_at", "reopen_count")}),
            (_("Resolution"), {"fields": ("resolution_summary", "root_cause", "root_cause_area", "carrier_liable")}),
        )

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ()

    # --- a complaint is a record the regulator may ask for: nobody deletes one, it is closed instead ---

    def has_delete_permission(self, request, obj=None):
        return False

    def get_search_results(self, request, queryset, search_term):
        # What was typed is recognised by its shape (a reference or waybill, a phone, a name), each answered by an
        # index: complaint_search. A phone typed "138 1234 5678" or "+86 138-1234-5678" finds the stored E.164 form.
        if not search_term.strip():
            return queryset, False
        found = queryset.filter(complaint_search(term=search_term))
        if complaint_search_is_name(term=search_term):
            # A common name matches thousands of complaints: take the first NAME_MATCH_CAP + 1 the index finds, so
            # the count and the sort by due time read at most that many rows (the list then says "more than …").
            found = queryset.filter(pk__in=found.order_by().values("pk")[: NAME_MATCH_CAP + 1])
        return found, False

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        paginator = super().get_paginator(request, queryset, per_page, orphans, allow_empty_first_page)
        if complaint_search_is_name(term=request.GET.get(SEARCH_VAR, "")):
            paginator.cap = min(paginator.cap, NAME_MATCH_CAP)
        return paginator

    # --- saving goes through the services ---

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in services.EDITABLE_FIELDS if name in form.cleaned_data}
        if change:
            changed = {name: data[name] for name in form.changed_data if name in data}
            saved = services.complaint_update(
                complaint=obj,
                actor=request.user,
                expected_version=form.cleaned_data.get("expected_version"),
                changes=changed,
            )
        else:
            saved = services.complaint_create(actor=request.user, **data)
        for field in Complaint._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))
        obj._state.adding = False

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(self.panel_context(request, obj))
            context.update(self.evidence_context(request, obj, context["timeline"]))
        return super().render_change_form(request, context, add, change, form_url, obj)


@admin.register(ComplaintEvent)
class ComplaintEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The audit trail, read-only for everyone: events are never edited or deleted."""

    list_display = ("created_at", "complaint", "kind", "actor", "actor_role", "visibility")
    list_filter = ("kind", "visibility", "actor_role")
    list_select_related = ("complaint", "actor")
    search_fields = ("^complaint__reference",)
    paginator = CappedCountPaginator
    show_full_result_count = False
