"""Chargebacks: read-only, with totals per carrier for what is filtered."""

from __future__ import annotations

from decimal import Decimal

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from complaints.admin.base import ReadOnlyAdminMixin
from complaints.compensation import selectors
from complaints.compensation.models import Chargeback


@admin.register(Chargeback)
class ChargebackAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: chargebacks are recorded when a claim is paid. The list shows totals per carrier for what is
    filtered (e.g. one month with the date filter)."""

    change_list_template = "admin/compensation/chargeback/change_list.html"
    list_display = ("recorded_at", "carrier", "amount", "claim_link")
    list_filter = ("carrier", "recorded_at")
    list_select_related = ("carrier", "claim", "claim__complaint")
    date_hierarchy = "recorded_at"
    search_fields = ("^claim__complaint__reference", "^claim__payout_reference")
    ordering = ("-recorded_at", "-id")

    @admin.display(description=_("claim"))
    def claim_link(self, obj: Chargeback) -> str:
        url = reverse("admin:compensation_compensationclaim_change", args=[obj.claim_id])
        return format_html('<a href="{}">{} · {}</a>', url, obj.claim.complaint.reference, obj.claim.payout_reference)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None)
        if context and "cl" in context:
            totals = selectors.chargeback_totals(queryset=context["cl"].queryset)
            context["carrier_totals"] = totals
            context["grand_total"] = sum((row["total"] for row in totals), Decimal("0.00"))
            context["grand_count"] = sum(row["count"] for row in totals)
        return response
