"""The agents' admin. Every change goes through complaints.services; this module only translates requests."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.roles import is_supervisor
from complaints import services
from complaints.admin.base import ReadOnlyAdminMixin
from complaints.admin.forms import (
    AssignForm,
    ComplaintAdminForm,
    ConfirmProposalForm,
    EscalateForm,
    MessageForm,
    OptionalMessageForm,
    ProgressUpdateForm,
    ReopenForm,
    ResolveForm,
    TransitionForm,
    VersionedForm,
)
from complaints.choices import OPEN_STATUSES, Clock, Status
from complaints.compensation.admin import CompensationClaimInline
from complaints.errors import InvalidInput, ServiceError
from complaints.followups.planning import complaint_send_progress_update_now
from complaints.models import Complaint, ComplaintEvent, ProposalState, ResolutionProposal
from complaints.selectors import complaint_can, complaint_plain_targets, complaint_timeline, overdue_condition
from complaints.sla.clocks import DUE_FIELDS, target
from complaints.sla.escalate import MAX_LEVEL, complaint_escalate
from complaints.validators import normalise_phone


class AssignmentFilter(admin.SimpleListFilter):
    title = _("assignment")
    parameter_name = "assigned"

    def lookups(self, request, model_admin):
        return (("mine", _("Mine")), ("unassigned", _("Unassigned")))

    def queryset(self, request, queryset):
        if self.value() == "mine":
            return queryset.filter(owner=request.user)
        if self.value() == "unassigned":
            return queryset.filter(owner__isnull=True)
        return queryset


class DeadlineFilter(admin.SimpleListFilter):
    """Open complaints whose nearest clock is already overdue, or runs out within the next few hours."""

    title = _("deadline")
    parameter_name = "deadline"
    SOON = timedelta(hours=4)

    def lookups(self, request, model_admin):
        return (("overdue", _("Overdue")), ("soon", _("Due within 4 h")))

    def queryset(self, request, queryset):
        now = timezone.now()
        if self.value() == "overdue":
            return queryset.filter(overdue_condition(now=now))
        if self.value() == "soon":
            return queryset.filter(status__in=OPEN_STATUSES, next_due_at__gte=now, next_due_at__lt=now + self.SOON)
        return queryset


class EscalationQueueFilter(admin.SimpleListFilter):
    """The supervisors' escalation queue: open complaints at level 1 or above, nearest due first (see
    ComplaintAdmin.get_ordering). Only offered to supervisors."""

    title = _("escalation queue")
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return (("escalated", _("Escalation queue")),)

    def queryset(self, request, queryset):
        if self.value() == "escalated":
            return queryset.filter(status__in=OPEN_STATUSES, escalation_level__gte=1)
        return queryset


def _duration(delta: timedelta) -> str:
    hours = int(delta.total_seconds() // 3600)
    if hours < 1:
        return gettext("%(m)d min") % {"m": max(0, int(delta.total_seconds() // 60))}
    if hours < 48:
        return gettext("%(h)d h") % {"h": hours}
    return gettext("%(d)d d %(h)d h") % {"d": hours // 24, "h": hours % 24}


def _proposal_of(complaint: Complaint, proposal_id: int) -> ResolutionProposal:
    proposal = ResolutionProposal.objects.filter(pk=proposal_id, complaint=complaint).first()
    if proposal is None:
        raise InvalidInput(gettext("This resolution proposal does not belong to this complaint."))
    return proposal


# Each action on the change page: its form, and how to call its service with the cleaned data.
ActionCall = Callable[[Complaint, HttpRequest, dict], Complaint]
ACTIONS: dict[str, tuple[type[forms.Form], ActionCall, str]] = {
    "assign_me": (
        VersionedForm,
        lambda c, r, d: services.complaint_assign(
            complaint=c, actor=r.user, owner=r.user, expected_version=d["expected_version"]
        ),
        _("Assigned to you."),
    ),
    "assign": (
        AssignForm,
        lambda c, r, d: services.complaint_assign(
            complaint=c, actor=r.user, owner=d["owner"], expected_version=d["expected_version"]
        ),
        _("Owner changed."),
    ),
    "reply": (
        MessageForm,
        lambda c, r, d: services.complaint_reply(
            complaint=c, actor=r.user, message=d["message"], expected_version=d["expected_version"]
        ),
        _("Reply recorded for the complainant."),
    ),
    "note": (
        MessageForm,
        lambda c, r, d: services.complaint_add_note(
            complaint=c, actor=r.user, message=d["message"], expected_version=d["expected_version"]
        ),
        _("Internal note added."),
    ),
    "transition": (
        TransitionForm,
        lambda c, r, d: services.complaint_transition(
            complaint=c, actor=r.user, to_status=d["to_status"], note=d["note"], expected_version=d["expected_version"]
        ),
        _("Status changed."),
    ),
    "hand_to_carrier": (
        OptionalMessageForm,
        lambda c, r, d: services.complaint_hand_to_carrier(
            complaint=c, actor=r.user, message=d["message"], expected_version=d["expected_version"]
        ),
        _("Handed to the carrier."),
    ),
    "resolve": (
        ResolveForm,
        lambda c, r, d: services.complaint_resolve(
            complaint=c,
            actor=r.user,
            summary=d["summary"],
            root_cause=d["root_cause"],
            root_cause_area=d["root_cause_area"],
            carrier_liable=d["carrier_liable"],
            expected_version=d["expected_version"],
        ),
        _("Complaint resolved."),
    ),
    "close": (
        VersionedForm,
        lambda c, r, d: services.complaint_close(complaint=c, actor=r.user, expected_version=d["expected_version"]),
        _("Complaint closed."),
    ),
    "reopen": (
        ReopenForm,
        lambda c, r, d: services.complaint_reopen(
            complaint=c, actor=r.user, reason=d["reason"], expected_version=d["expected_version"]
        ),
        _("Complaint reopened."),
    ),
    "send_progress_update": (
        ProgressUpdateForm,
        lambda c, r, d: complaint_send_progress_update_now(complaint=c),
        _("Progress update planned: it goes out with the next dispatch."),
    ),
    "escalate": (
        EscalateForm,
        lambda c, r, d: complaint_escalate(
            complaint=c,
            actor=r.user,
            reason=d["reason"],
            to_level=d["to_level"],
            expected_version=d["expected_version"],
        ),
        _("Escalation level changed."),
    ),
    "confirm_resolution": (
        ConfirmProposalForm,
        lambda c, r, d: services.resolution_proposal_confirm(
            proposal=_proposal_of(c, d["proposal"]),
            actor=r.user,
            root_cause_area=d["root_cause_area"],
            carrier_liable=d["carrier_liable"],
            expected_version=d["expected_version"],
        ),
        _("Carrier's resolution confirmed: the complaint is resolved."),
    ),
}
# Actions only supervisors may take, whatever the model permissions say.
SUPERVISOR_ACTIONS = frozenset({"assign", "escalate"})


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
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
        "status",
        "category",
        "carrier",
        "channel",
        "priority",
        "escalation_level",
        AssignmentFilter,
        DeadlineFilter,
    )
    list_select_related = ("carrier", "owner", "sla_policy")
    search_fields = ("^reference", "^waybill_number", "^complainant_phone", "complainant_name")
    search_help_text = _("Search by reference, waybill number, phone or complainant name.")
    ordering = ("-received_at", "-id")
    autocomplete_fields = ("carrier",)
    list_per_page = 50
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
        "resolution_summary",
        "root_cause",
        "root_cause_area",
        "carrier_liable",
        "version",
    )

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
            (_("Clock"), {"fields": ("received_at", "first_response_at", "resolved_at", "closed_at", "reopen_count")}),
            (_("Resolution"), {"fields": ("resolution_summary", "root_cause", "root_cause_area", "carrier_liable")}),
        )

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else ()

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        return (*filters, EscalationQueueFilter) if is_supervisor(request.user) else filters

    def get_ordering(self, request):
        # The escalation queue: nearest due first (the column headers still re-sort it).
        if request.GET.get(EscalationQueueFilter.parameter_name) == "escalated":
            return (F("next_due_at").asc(nulls_last=True), "pk")
        return super().get_ordering(request)

    # --- changelist columns ---

    @admin.display(description=_("carrier"), ordering="carrier__code")
    def carrier_code(self, obj: Complaint) -> str:
        return obj.carrier.code if obj.carrier_id else "—"

    @admin.display(description=_("clocks"), ordering="next_due_at")
    def clocks(self, obj: Complaint) -> str:
        """The nearest running clock, from the stored due times only (no query per row)."""
        if obj.status not in OPEN_STATUSES or obj.next_due_at is None:
            return "—"
        clock, due = min(
            ((c, getattr(obj, f)) for c, f in DUE_FIELDS.items() if getattr(obj, f) is not None),
            key=lambda pair: pair[1],
        )
        label = Clock(clock).label
        left = due - timezone.now()
        if left.total_seconds() <= 0:
            css, color = "redress-clock-overdue", "#ba2121"
            text = gettext("%(clock)s overdue %(t)s") % {"clock": label, "t": _duration(-left)}
        else:
            policy = obj.sla_policy
            window = target(policy, clock) * (100 - policy.warning_percent) / 100 if policy else timedelta(0)
            css, color = ("redress-clock-warning", "#b57800") if left <= window else ("redress-clock-ok", "#2e7d32")
            text = gettext("%(clock)s %(t)s left") % {"clock": label, "t": _duration(left)}
        return format_html(
            '<span class="{}" style="color: {}; font-weight: bold" title="{}">{}</span>',
            css,
            color,
            timezone.localtime(due).strftime("%Y-%m-%d %H:%M"),
            text,
        )

    @admin.display(description=_("age"), ordering="received_at")
    def age(self, obj: Complaint) -> str:
        if obj.status in OPEN_STATUSES:
            return _duration(timezone.now() - obj.received_at)
        end = obj.resolved_at or obj.closed_at
        return gettext("done in %(t)s") % {"t": _duration(end - obj.received_at)} if end else "—"

    @admin.display(description=_("repeat of"))
    def repeat_link(self, obj: Complaint) -> str:
        if not obj.repeat_of_id:
            return "—"
        url = reverse("admin:complaints_complaint_change", args=[obj.repeat_of_id])
        return format_html('<a href="{}">{}</a>', url, obj.repeat_of)

    # --- a complaint is a record the regulator may ask for: nobody deletes one, it is closed instead ---

    def has_delete_permission(self, request, obj=None):
        return False

    def get_search_results(self, request, queryset, search_term):
        # People type phones as "138 1234 5678" or "+86 138-1234-5678"; the stored form has no separators.
        if search_term and re.fullmatch(r"[+\d\s().-]{7,}", search_term.strip()):
            search_term = normalise_phone(search_term)
        return super().get_search_results(request, queryset, search_term)

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

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceError as error:
            # The service refused (a race the form could not see): nothing was written.
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context.update(self._panel_context(request, obj))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _panel_context(self, request: HttpRequest, obj: Complaint) -> dict:
        can_change = self.has_change_permission(request, obj)
        version = {"expected_version": obj.version}
        plain = complaint_plain_targets(complaint=obj)
        transition_form = TransitionForm(initial=version)
        transition_form.fields["to_status"].choices = [(s, Status(s).label) for s in plain]
        is_open = obj.status != Status.CLOSED
        proposals = list(obj.resolution_proposals.select_related("carrier", "decided_by")[:20])
        pending_proposal = next((p for p in proposals if p.state == ProposalState.PROPOSED), None)
        return {
            "timeline": complaint_timeline(complaint=obj),
            "outbound_messages": list(obj.messages.order_by("-created_at", "-id")[:100]),
            "clock_rows": self._clock_rows(obj),
            "can_act": can_change,
            "action_urls": {
                name: reverse("admin:complaints_complaint_action", args=[obj.pk, name]) for name in ACTIONS
            },
            "actions_panel": {
                "assign_me": is_open and obj.owner_id != request.user.pk,
                "assign": is_open and is_supervisor(request.user),
                "reply": is_open,
                "note": True,
                "transition": bool(plain),
                "hand_to_carrier": complaint_can(complaint=obj, target=Status.AWAITING_CARRIER)
                and obj.carrier_id is not None,
                "resolve": complaint_can(complaint=obj, target=Status.RESOLVED),
                "close": complaint_can(complaint=obj, target=Status.CLOSED),
                "reopen": complaint_can(complaint=obj, target=Status.REOPENED),
                "send_progress_update": obj.status in OPEN_STATUSES,
                "escalate": obj.status in OPEN_STATUSES and is_supervisor(request.user),
                "confirm_resolution": pending_proposal is not None
                and complaint_can(complaint=obj, target=Status.RESOLVED),
            },
            "pending_proposal": pending_proposal,
            "resolution_proposals": proposals,
            "forms": {
                "version": VersionedForm(initial=version),
                "assign": AssignForm(initial={**version, "owner": obj.owner_id}),
                "reply": MessageForm(initial=version, prefix="reply"),
                "note": MessageForm(initial=version, prefix="note"),
                "transition": transition_form,
                "hand_to_carrier": OptionalMessageForm(initial=version),
                "resolve": ResolveForm(initial=version),
                "reopen": ReopenForm(initial=version),
                "send_progress_update": ProgressUpdateForm(),
                "escalate": EscalateForm(initial={**version, "to_level": min(obj.escalation_level + 1, MAX_LEVEL)}),
                "confirm_resolution": ConfirmProposalForm(
                    initial={**version, "proposal": pending_proposal.pk if pending_proposal else None}
                ),
            },
        }

    @staticmethod
    def _clock_rows(obj: Complaint) -> list[dict]:
        """Each clock with its due time, "paused" (resolution while awaiting the complainant) or not running."""
        rows = []
        is_open = obj.status in OPEN_STATUSES
        for clock, field in DUE_FIELDS.items():
            due = getattr(obj, field)
            paused = is_open and clock == Clock.RESOLUTION and obj.status == Status.AWAITING_CUSTOMER
            rows.append(
                {
                    "label": Clock(clock).label,
                    "due": due if is_open else None,
                    "paused": paused,
                    "overdue": bool(is_open and due and due <= timezone.now()),
                }
            )
        return rows

    # --- the action buttons of the change page ---

    def get_urls(self):
        urls = super().get_urls()
        custom = [
            path(
                "<path:object_id>/action/<str:action>/",
                self.admin_site.admin_view(self.action_view),
                name="complaints_complaint_action",
            ),
        ]
        return custom + urls

    def action_view(self, request: HttpRequest, object_id: str, action: str) -> HttpResponse:
        if request.method != "POST" or action not in ACTIONS:
            raise PermissionDenied
        complaint = get_object_or_404(Complaint, pk=object_id)
        if not self.has_change_permission(request, complaint):
            raise PermissionDenied
        if action in SUPERVISOR_ACTIONS and not is_supervisor(request.user):
            raise PermissionDenied
        form_class, call, done = ACTIONS[action]
        prefix = action if action in ("reply", "note") else None
        form = form_class(request.POST, prefix=prefix)
        change_url = reverse("admin:complaints_complaint_change", args=[complaint.pk])
        if not form.is_valid():
            problems = "; ".join(
                f"{form.fields[name].label or name}: {' '.join(errs)}" if name in form.fields else " ".join(errs)
                for name, errs in form.errors.items()
            )
            self.message_user(
                request, gettext("Nothing was saved. %(problems)s") % {"problems": problems}, messages.ERROR
            )
            return HttpResponseRedirect(change_url)
        try:
            call(complaint, request, form.cleaned_data)
        except ServiceError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(request, done, messages.SUCCESS)
        return HttpResponseRedirect(change_url)

    # --- bulk actions ---

    @admin.action(description=_("Assign selected complaints to me"), permissions=["change"])
    def assign_to_me(self, request: HttpRequest, queryset) -> None:
        assigned = skipped = 0
        for complaint in queryset.select_related("owner"):
            # Never take a complaint from a colleague in bulk: that is a supervisor's call, one by one.
            if complaint.owner_id not in (None, request.user.pk) or complaint.status == Status.CLOSED:
                skipped += 1
                continue
            try:
                services.complaint_assign(complaint=complaint, actor=request.user, owner=request.user)
            except ServiceError:
                skipped += 1
            else:
                assigned += 1
        self.message_user(request, gettext("%(n)d assigned to you.") % {"n": assigned}, messages.SUCCESS)
        if skipped:
            self.message_user(
                request,
                gettext("%(n)d skipped: closed, or already owned by someone else.") % {"n": skipped},
                messages.WARNING,
            )


@admin.register(ComplaintEvent)
class ComplaintEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The audit trail, read-only for everyone: events are never edited or deleted."""

    list_display = ("created_at", "complaint", "kind", "actor", "actor_role", "visibility")
    list_filter = ("kind", "visibility", "actor_role")
    list_select_related = ("complaint", "actor")
    search_fields = ("^complaint__reference",)
    show_full_result_count = False
