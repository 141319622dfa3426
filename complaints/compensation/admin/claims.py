"""Compensation claims: the changelist, the claim's page, the propose page ("compute only" first), the approve,
reject and pay pages, and bulk approval. Each page calls its service and shows its refusal on the form."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, ExpressionWrapper, Q, Value
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from complaints.compensation import selectors, services
from complaints.compensation.admin.common import cited_evidence_html, explanation_html, form_errors
from complaints.compensation.choices import Case
from complaints.compensation.forms import ApproveForm, PayForm, ProposeForm, RejectForm
from complaints.compensation.models import Chargeback, CompensationClaim
from complaints.errors import ServiceError
from complaints.models import Complaint


class OverLimitFilter(admin.SimpleListFilter):
    title = _("agents' limit")
    parameter_name = "over_limit"

    def lookups(self, request, model_admin):
        return (("yes", _("Above the limit (a supervisor decides)")), ("no", _("Within the limit")))

    def queryset(self, request, queryset):
        limit = selectors.agent_approval_limit()
        if limit is None or self.value() not in ("yes", "no"):
            return queryset
        return (
            queryset.filter(proposed_amount__gt=limit)
            if self.value() == "yes"
            else queryset.filter(proposed_amount__lte=limit)
        )


DecisionCall = Callable[[CompensationClaim, HttpRequest, dict], CompensationClaim]
# Each decision page: its form, how to call its service, its title and its done message. Which claims offer it and
# the permission it needs come from selectors.CLAIM_ACTIONS (over the state map, choices.CLAIM_TRANSITIONS).
DECISIONS: dict[str, tuple[type[forms.Form], DecisionCall, str, str]] = {
    "approve": (
        ApproveForm,
        lambda c, r, d: services.claim_approve(
            claim=c, actor=r.user, note=d["note"], carrier_liable_amount=d["carrier_liable_amount"]
        ),
        _("Approve compensation"),
        _("Compensation approved; the complainant is told."),
    ),
    "reject": (
        RejectForm,
        lambda c, r, d: services.claim_reject(claim=c, actor=r.user, reason=d["reason"]),
        _("Reject compensation"),
        _("Compensation rejected; the complainant is told why."),
    ),
    "pay": (
        PayForm,
        lambda c, r, d: services.claim_pay(claim=c, actor=r.user, payout_reference=d["payout_reference"]),
        _("Record the payout"),
        _("Payout recorded; the carrier's share is charged back and the complainant is told."),
    ),
}


@admin.register(CompensationClaim)
class CompensationClaimAdmin(admin.ModelAdmin):
    list_display = (
        "complaint_link",
        "case",
        "state",
        "computed_amount",
        "proposed_amount",
        "approved_amount",
        "carrier_code",
        "over_limit",
        "proposed_by",
        "proposed_at",
    )
    list_display_links = ("case",)
    list_filter = ("state", "case", ("complaint__carrier", admin.RelatedOnlyFieldListFilter), OverLimitFilter)
    list_select_related = ("complaint", "complaint__carrier", "proposed_by")
    search_fields = ("^complaint__reference", "^payout_reference")
    search_help_text = _("Search by complaint reference or payout reference.")
    ordering = ("-proposed_at", "-id")
    show_full_result_count = False
    actions = ("approve_selected",)
    fieldsets = (
        (None, {"fields": ("complaint_link", "case", "state", "decision_links", "evidence_html")}),
        (
            _("Amounts (CNY)"),
            {
                "fields": (
                    "computed_amount",
                    "proposed_amount",
                    "reason",
                    "approved_amount",
                    "carrier_liable_amount",
                    "carrier_share_set",
                    "limit_note",
                )
            },
        ),
        (_("How it was computed"), {"fields": ("explanation_html", "policy")}),
        (
            _("Inputs"),
            {
                "fields": (
                    "declared_value",
                    "insured_value",
                    "shipping_fee",
                    "proven_value",
                    "days_late",
                    "damaged_share",
                    "items_affected",
                    "items_total",
                    "mismatch_kind",
                    "value_destroyed",
                )
            },
        ),
        (
            _("Steps"),
            {
                "fields": (
                    "proposed_by",
                    "proposed_at",
                    "decided_by",
                    "decided_at",
                    "decision_policy",
                    "decision_note",
                    "paid_by",
                    "paid_at",
                    "payout_reference",
                    "chargeback_amount",
                )
            },
        ),
    )
    readonly_fields = (
        "complaint_link",
        "decision_links",
        "limit_note",
        "explanation_html",
        "chargeback_amount",
        "evidence_html",
    )

    def get_queryset(self, request):
        limit = selectors.agent_approval_limit()
        over = (
            ExpressionWrapper(Q(proposed_amount__gt=limit), output_field=BooleanField())
            if limit is not None
            else Value(False)
        )
        return super().get_queryset(request).annotate(is_over_limit=over)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            obj.offered_actions = selectors.claim_actions_for(claim=obj, user=request.user)
        return obj

    # --- permissions: the page is read-only; changes are the propose and decision pages, through the services ---

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    # --- columns and read-only fields ---

    @admin.display(description=_("complaint"), ordering="complaint__reference")
    def complaint_link(self, obj: CompensationClaim) -> str:
        url = reverse("admin:complaints_complaint_change", args=[obj.complaint_id])
        return format_html('<a href="{}">{}</a>', url, obj.complaint.reference)

    @admin.display(description=_("carrier"), ordering="complaint__carrier__code")
    def carrier_code(self, obj: CompensationClaim) -> str:
        return obj.complaint.carrier.code if obj.complaint.carrier_id else "—"

    @admin.display(description=_("above limit"), boolean=True, ordering="is_over_limit")
    def over_limit(self, obj: CompensationClaim) -> bool:
        return bool(getattr(obj, "is_over_limit", False))

    @admin.display(description=_("explanation"))
    def explanation_html(self, obj: CompensationClaim) -> str:
        return explanation_html(obj.explanation)

    @admin.display(description=_("approval"))
    def limit_note(self, obj: CompensationClaim) -> str:
        limit = selectors.agent_approval_limit()
        if limit is None:
            return "—"
        if obj.proposed_amount > limit:
            return gettext("Above the agents' limit of ¥%(limit)s: a supervisor decides (not the proposer).") % {
                "limit": limit
            }
        return gettext("Within the agents' limit of ¥%(limit)s.") % {"limit": limit}

    @admin.display(description=_("chargeback (CNY)"))
    @admin.display(description=_("files it relies on"))
    def evidence_html(self, obj: CompensationClaim) -> str:
        return cited_evidence_html(obj)

    def chargeback_amount(self, obj: CompensationClaim) -> str:
        chargeback = Chargeback.objects.filter(claim=obj).select_related("carrier").first()
        return f"{chargeback.carrier.code} ¥{chargeback.amount}" if chargeback else "—"

    @admin.display(description=_("actions"))
    def decision_links(self, obj: CompensationClaim) -> str:
        offered = getattr(obj, "offered_actions", ())  # set by get_object for the user viewing the page
        if not offered:
            return "—"
        return format_html_join(
            " ",
            '<a class="button" href="{}">{}</a>',
            (
                (reverse(f"admin:compensation_compensationclaim_{name}", args=[obj.pk]), DECISIONS[name][2])
                for name in offered
            ),
        )

    # --- the propose and decision pages ---

    def get_urls(self):
        named = [
            path(
                f"<path:object_id>/{name}/",
                self.admin_site.admin_view(self.decision_view),
                {"decision": name},
                name=f"compensation_compensationclaim_{name}",
            )
            for name in DECISIONS
        ]
        return named + super().get_urls()

    def add_view(self, request, form_url="", extra_context=None):
        return self.propose_view(request)

    def propose_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        complaint_id = request.POST.get("complaint") or request.GET.get("complaint")
        complaint = (
            Complaint.objects.filter(pk=complaint_id).select_related("carrier").first()
            if (complaint_id and str(complaint_id).isdigit())
            else None
        )
        if complaint is None:
            self.message_user(
                request, gettext("Open the complaint and use “Propose compensation” on its page."), messages.WARNING
            )
            return HttpResponseRedirect(reverse("admin:complaints_complaint_changelist"))
        case = complaint.category if complaint.category in Case.values else Case.DELAY
        form = ProposeForm(
            request.POST or None, initial={"complaint": complaint.pk, "case": case, "days_late": 0}, complaint=complaint
        )
        preview = None
        if request.method == "POST" and form.is_valid():
            kwargs = form.service_kwargs()
            try:
                if "_compute" in request.POST:
                    preview = services.claim_compute(
                        complaint=complaint,
                        case=kwargs["case"],
                        proven_value=kwargs["proven_value"],
                        days_late=kwargs["days_late"],
                        damaged_share=kwargs["damaged_share"],
                        mismatch_kind=kwargs["mismatch_kind"],
                        value_destroyed=kwargs["value_destroyed"],
                        items_affected=kwargs["items_affected"],
                        items_total=kwargs["items_total"],
                    )
                else:
                    claim = services.claim_propose(complaint=complaint, actor=request.user, **kwargs)
                    self.message_user(
                        request,
                        gettext("Compensation of ¥%(amount)s proposed.") % {"amount": claim.proposed_amount},
                        messages.SUCCESS,
                    )
                    return HttpResponseRedirect(reverse("admin:compensation_compensationclaim_change", args=[claim.pk]))
            except ServiceError as error:
                form_errors(form, error)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Propose compensation · %(ref)s") % {"ref": complaint.reference},
            "form": form,
            "complaint": complaint,
            "complaint_url": reverse("admin:complaints_complaint_change", args=[complaint.pk]),
            "preview_html": explanation_html(preview.as_json()) if preview else "",
            "preview_amount": preview.amount if preview else None,
            "limit": selectors.agent_approval_limit(),
            "submit_label": gettext("Propose"),
            "can_compute": True,
        }
        return TemplateResponse(request, "admin/compensation/claim_form.html", context)

    def decision_view(self, request: HttpRequest, object_id: str, decision: str) -> HttpResponse:
        if decision not in DECISIONS:
            raise PermissionDenied
        form_class, call, title, done = DECISIONS[decision]
        if not request.user.has_perm(selectors.CLAIM_ACTIONS[decision][1]):
            raise PermissionDenied
        claim = get_object_or_404(CompensationClaim.objects.select_related("complaint", "policy"), pk=object_id)
        claim_url = reverse("admin:compensation_compensationclaim_change", args=[claim.pk])
        form = form_class(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                call(claim, request, form.cleaned_data)
            except ServiceError as error:
                form_errors(form, error)
            else:
                self.message_user(request, done, messages.SUCCESS)
                return HttpResponseRedirect(claim_url)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"{title} · {claim.complaint.reference}",
            "form": form,
            "claim": claim,
            "claim_url": claim_url,
            "complaint": claim.complaint,
            "complaint_url": reverse("admin:complaints_complaint_change", args=[claim.complaint_id]),
            "preview_html": explanation_html(claim.explanation),
            "evidence_html": cited_evidence_html(claim),
            "limit": selectors.agent_approval_limit(),
            "submit_label": title,
        }
        return TemplateResponse(request, "admin/compensation/claim_form.html", context)

    # --- bulk approval (reject and pay need a reason or a reference: one by one) ---

    @admin.action(description=_("Approve selected claims"))
    def approve_selected(self, request: HttpRequest, queryset) -> None:
        if not request.user.has_perm(selectors.CLAIM_ACTIONS["approve"][1]):
            raise PermissionDenied
        approved, refusals = 0, []
        for claim in queryset.select_related("complaint").order_by("pk"):
            if "approve" not in selectors.claim_actions_for(claim=claim, user=request.user):
                refusals.append(
                    gettext("%(ref)s: already %(state)s.")
                    % {"ref": claim.complaint.reference, "state": claim.get_state_display()}
                )
                continue
            try:
                services.claim_approve(claim=claim, actor=request.user)
            except ServiceError as error:
                refusals.append(f"{claim.complaint.reference}: {error.message}")
            else:
                approved += 1
        self.message_user(request, gettext("%(n)d approved.") % {"n": approved}, messages.SUCCESS)
        for refusal in refusals:
            self.message_user(request, refusal, messages.WARNING)
