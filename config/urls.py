from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from config.health import healthz

admin.site.site_header = _("Redress complaints back office")
admin.site.site_title = _("Redress")
admin.site.index_title = _("Complaints about parcel deliveries")

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/reports/weekly/", include("reports.admin_views")),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", healthz, name="healthz"),
    path("c/", include("complaints.public_urls")),
]
