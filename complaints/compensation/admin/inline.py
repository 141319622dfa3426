"""The complaint's claims on the complaint's page."""

from __future__ import annotations

from django.contrib import admin

from complaints.admin.base import ReadOnlyAdminMixin
from complaints.compensation.models import CompensationClaim


class CompensationClaimInline(ReadOnlyAdminMixin, admin.TabularInline):
    """The complaint's claims, read-only, each linking to its page (where it is decided and paid)."""

    model = CompensationClaim
    fk_name = "complaint"
    extra = 0
    can_delete = False
    show_change_link = True
    template = "admin/compensation/claim_inline.html"
    fields = (
        "case",
        "state",
        "computed_amount",
        "proposed_amount",
        "approved_amount",
        "proposed_by",
        "proposed_at",
        "decided_by",
        "payout_reference",
    )
    readonly_fields = fields
    ordering = ("-proposed_at", "-id")

    def has_view_permission(self, request, obj=None):
        # Display only: left out of the complaint form's POST, which then needs no management data for it.
        return request.method == "GET" and super().has_view_permission(request, obj)
