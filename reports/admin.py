"""The reports section of the admin, for supervisors only: the stored weekly reports (each opens the report page)
and the parcel volumes carriers reported. The report page itself lives in reports.admin_views."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.roles import is_supervisor
from complaints.errors import ServiceError
from reports.models import ParcelVolume, WeeklyReport
from reports.reading import last_complete_week
from reports.services import parcel_volume_set
from reports.weeks import IsoWeek


class SupervisorsOnly:
    """Supervisors see this section; agents do not (the groups carry no reports permissions: the role decides)."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff and is_supervisor(request.user)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(WeeklyReport)
class WeeklyReportAdmin(SupervisorsOnly, admin.ModelAdmin):
    list_display = ("iso_week", "open_link", "computed_at", "computed_by", "emailed_at")
    list_display_links = None
    ordering = ("-week_start",)
    change_list_template = "admin/reports/weeklyreport/change_list.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).defer("data").select_related("computed_by")

    @admin.display(description=_("report"))
    def open_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("reports-weekly-week", args=[obj.iso_week]), _("Open"))


class ParcelVolumeForm(forms.ModelForm):
    class Meta:
        model = ParcelVolume
        fields = ("carrier", "iso_week", "parcels")

    def clean_iso_week(self):
        try:
            return str(IsoWeek.parse(self.cleaned_data["iso_week"], field="iso_week"))
        except ServiceError as error:
            raise forms.ValidationError(error.fields.get("iso_week") or error.message) from error

    def validate_unique(self):
        """A second figure for the same carrier and week corrects the first (the service's rule), not an error."""


@admin.register(ParcelVolume)
class ParcelVolumeAdmin(SupervisorsOnly, admin.ModelAdmin):
    """Supervisors may record a volume a carrier sent by other means; it goes through parcel_volume_set."""

    form = ParcelVolumeForm

    list_display = ("iso_week", "carrier", "parcels", "reported_by", "reported_at")
    list_filter = ("carrier",)
    search_fields = ("iso_week", "carrier__code")
    fields = ("carrier", "iso_week", "parcels")
    ordering = ("-week_start", "carrier__code")

    def has_add_permission(self, request):
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def get_readonly_fields(self, request, obj=None):
        return ("carrier", "iso_week") if obj else ()

    def save_model(self, request, obj, form, change):
        try:
            volume, _created = parcel_volume_set(
                carrier=obj.carrier, iso_week=obj.iso_week, parcels=obj.parcels, actor=request.user
            )
        except ServiceError as error:
            messages.error(request, str(error))
            return
        obj.pk = volume.pk

    def get_changeform_initial_data(self, request):
        return {"iso_week": str(last_complete_week())}
