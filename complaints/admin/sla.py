"""Admins for SLA policies and working calendars (supervisors edit, agents view), the outbox and survey answers
(read-only)."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.roles import is_supervisor
from complaints.admin.base import ReadOnlyAdminMixin
from complaints.models import CalendarClosure, OutboundMessage, SlaPolicy, SurveyResponse, WorkingCalendar
from complaints.sla.escalate import sla_policy_save, working_calendar_save

WEEKDAYS = (
    ("1", _("Monday")),
    ("2", _("Tuesday")),
    ("3", _("Wednesday")),
    ("4", _("Thursday")),
    ("5", _("Friday")),
    ("6", _("Saturday")),
    ("7", _("Sunday")),
)


def _hours(value) -> str:
    return f"{value.normalize():f}"


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = (
        "position",
        "name",
        "is_active",
        "conditions",
        "targets",
        "counted_on",
        "warning_percent",
        "updated_at",
    )
    list_display_links = ("name",)
    list_filter = ("is_active",)
    list_select_related = ("calendar",)
    ordering = ("position", "id")
    search_fields = ("name",)
    readonly_fields = ("updated_at",)
    fieldsets = (
        (None, {"fields": ("name", "position", "is_active")}),
        (_("Conditions (empty matches any)"), {"fields": ("category", "priority", "channel", "risk")}),
        (
            _("Targets"),
            {
                "fields": (
                    "first_response_hours",
                    "resolution_hours",
                    "progress_update_hours",
                    "carrier_accept_hours",
                    "carrier_reply_hours",
                    "statutory_hours",
                    "warning_percent",
                    "calendar",
                )
            },
        ),
        (None, {"fields": ("updated_at",)}),
    )

    @admin.display(description=_("conditions"))
    def conditions(self, obj: SlaPolicy) -> str:
        parts = []
        for field in ("category", "priority", "channel", "risk"):
            if getattr(obj, field):
                parts.append((SlaPolicy._meta.get_field(field).verbose_name, getattr(obj, f"get_{field}_display")()))
        if not parts:
            return gettext("any complaint")
        return format_html_join("; ", "{}: {}", parts)

    @admin.display(description=_("targets (hours)"))
    def targets(self, obj: SlaPolicy) -> str:
        rows = (
            (_("first response"), obj.first_response_hours),
            (_("resolution"), obj.resolution_hours),
            (_("progress"), obj.progress_update_hours),
            (_("carrier accepts"), obj.carrier_accept_hours),
            (_("carrier replies"), obj.carrier_reply_hours),
            (_("statutory"), obj.statutory_hours),
        )
        return format_html_join(" · ", "{} {}", ((label, _hours(value)) for label, value in rows))

    @admin.display(description=_("counted in"), ordering="calendar__name")
    def counted_on(self, obj: SlaPolicy) -> str:
        if obj.calendar_id is None:
            return gettext("calendar hours")
        return gettext("working hours: %(calendar)s") % {"calendar": obj.calendar.name}

    # --- supervisors edit; agents (with the view permission) only look ---

    def has_add_permission(self, request):
        return is_supervisor(request.user) and super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        return is_supervisor(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: complaints keep a reference to the policy they ran under

    def save_model(self, request, obj, form, change):
        sla_policy_save(policy=obj, actor=request.user)


class WorkingCalendarForm(forms.ModelForm):
    working_days = forms.MultipleChoiceField(
        label=_("working days"), choices=WEEKDAYS, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = WorkingCalendar
        fields = ("name", "time_zone", "working_days", "opens_at", "closes_at", "public_holidays")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.working_days:
            self.initial["working_days"] = list(self.instance.working_days)

    def clean_working_days(self) -> str:
        return "".join(sorted(self.cleaned_data["working_days"]))


class SupervisorsEditMixin:
    """Supervisors edit; agents (with the view permission) only look."""

    def has_add_permission(self, request, *args):
        return is_supervisor(request.user) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return is_supervisor(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return is_supervisor(request.user) and super().has_delete_permission(request, obj)


class CalendarClosureInline(SupervisorsEditMixin, admin.TabularInline):
    model = CalendarClosure
    fields = ("name", "starts_on", "ends_on")
    extra = 1


@admin.register(WorkingCalendar)
class WorkingCalendarAdmin(SupervisorsEditMixin, admin.ModelAdmin):
    form = WorkingCalendarForm
    list_display = ("name", "time_zone", "days", "hours", "public_holidays", "updated_at")
    search_fields = ("name",)
    inlines = (CalendarClosureInline,)

    @admin.display(description=_("working days"))
    def days(self, obj: WorkingCalendar) -> str:
        labels = dict(WEEKDAYS)
        return ", ".join(str(labels[day]) for day in obj.working_days)

    @admin.display(description=_("working hours"))
    def hours(self, obj: WorkingCalendar) -> str:
        return f"{obj.opens_at:%H:%M}–{obj.closes_at:%H:%M}"

    def save_model(self, request, obj, form, change):
        working_calendar_save(calendar=obj, actor=request.user)


@admin.register(OutboundMessage)
class OutboundMessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("complaint", "kind", "channel", "recipient", "state", "attempts", "due_at", "sent_at")
    list_filter = ("state", "kind", "channel")
    list_select_related = ("complaint",)
    search_fields = ("^complaint__reference", "recipient")
    show_full_result_count = False


@admin.register(SurveyResponse)
class SurveyResponseAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("complaint", "cycle", "score", "answered_at")
    list_filter = ("score",)
    list_select_related = ("complaint",)
    search_fields = ("^complaint__reference",)
    show_full_result_count = False
