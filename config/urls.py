from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from complaints.inbound.views import email_inbound, sms_uplink
from complaints.partners.api.exceptions import api_not_found
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
    path("c/", include("complaints.public.urls")),
    # The SMS gateway's uplink: complainants' SMS replies (docs/channels.md, "Inbound SMS").
    path("callbacks/sms/<slug:gateway>/", sms_uplink, name="sms-uplink"),
    # The email provider's inbound webhook: complainants' email replies (docs/channels.md, "Inbound email").
    path("callbacks/email/<slug:provider>/", email_inbound, name="email-inbound"),
    # The partner carrier API, its OpenAPI document and its browsable docs (assets served locally).
    path("api/v1/", include("complaints.partners.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    # Anything else under /api/: 404 in the API's error shape, never an HTML page (even with DEBUG on).
    re_path(r"^api/", api_not_found),
]
