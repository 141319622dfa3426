"""The action buttons of the complaint change page and the changelist's bulk action. Which buttons a user sees comes
from complaints.selectors.complaint_actions_for (the state map crossed with the user's role); each button posts a form
that is checked here and handed to one service."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from complaints import services
from complaints.admin.complaint_columns import clock_rows
from complaints.admin.forms import (
    AssignForm,
    ConfirmProposalForm,
    EscalateForm,
    MergeForm,
    MessageWithFilesForm,
    OptionalMessageForm,
    ProgressUpdateForm,
    ReopenForm,
    ReplyForm,
    ResolveForm,
    TransitionForm,
    VersionedForm,
)
from complaints.choices import Language, Status, Visibility
from complaints.errors import InvalidInput, ServiceError
from complaints.followups.planning import complaint_send_progress_update_now
from complaints.macros.services import macro_render, macros_for, reply_send
from complaints.models import Complaint, ProposalState, ResolutionProposal
from complaints.selectors import (
    ComplaintAction,
    action_permitted,
    complaint_actions_for,
    complaint_by_reference,
    complaint_open_same_waybill,
    complaint_plain_targets,
    complaint_timeline,
)
from complaints.sla.escalate import MAX_LEVEL, complaint_escalate


def _proposal_of(complaint: Complaint, proposal_id: int) -> ResolutionProposal:
    proposal = ResolutionProposal.objects.filter(pk=proposal_id, complaint=complaint).first()
    if proposal is None:
        raise InvalidInput(gettext("This resolution proposal does not belong to this complaint."))
    return proposal


def _primary_of(reference: str) -> Complaint:
    primary = complaint_by_reference(reference=reference)
    if primary is None:
        raise InvalidInput(
            gettext("No complaint has the reference %(ref)s.") % {"ref": reference},
            fields={"primary": [gettext("Check the reference.")]},
        )
    return primary


# Each action on the change page: its form, how to call its service with the cleaned data, and what to say after
# (a text, or a function of the cleaned data).
ActionCall = Callable[[Complaint, HttpRequest, dict], object]
ACTIONS: dict[str, tuple[type[forms.Form], ActionCall, object]] = {
    ComplaintAction.ASSIGN_ME: (
        VersionedForm,
        lambda c, r, d: services.complaint_assign(
            complaint=c, actor=r.user, owner=r.user, expected_version=d["expected_version"]
        ),
        _("Assigned to you."),
    ),
    ComplaintAction.ASSIGN: (
        AssignForm,
        lambda c, r, d: services.complaint_assign(
            complaint=c, actor=r.user, owner=d["owner"], expected_version=d["expected_version"]
        ),
        _("Owner changed."),
    ),
    ComplaintAction.REPLY: (
        ReplyForm,
        lambda c, r, d: reply_send(
            complaint=c,
            actor=r.user,
            message=d["message"],
            files=d["files"],
            visibility=d["visibility"],
            next_status=d["next_status"],
            macro=d["macro"],
            expected_version=d["expected_version"],
        ),
        lambda d: (
            _("Internal note added.")
            if d["visibility"] == Visibility.INTERNAL
            else _("Reply recorded for the complainant.")
        ),
    ),
    ComplaintAction.NOTE: (
        MessageWithFilesForm,
        lambda c, r, d: services.complaint_add_note(
            complaint=c, actor=r.user, message=d["message"], files=d["files"], expected_version=d["expected_version"]
        ),
        _("Internal note added."),
    ),
    ComplaintAction.TRANSITION: (
        TransitionForm,
        lambda c, r, d: services.complaint_transition(
            complaint=c, actor=r.user, to_status=d["to_status"], note=d["note"], expected_version=d["expected_version"]
        ),
        _("Status changed."),
    ),
    ComplaintAction.HAND_TO_CARRIER: (
        OptionalMessageForm,
        lambda c, r, d: services.complaint_hand_to_carrier(
            complaint=c, actor=r.user, message=d["message"], expected_version=d["expected_version"]
        ),
        _("Handed to the carrier."),
    ),
    ComplaintAction.RESOLVE: (
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
    ComplaintAction.CLOSE: (
        VersionedForm,
        lambda c, r, d: services.complaint_close(complaint=c, actor=r.user, expected_version=d["expected_version"]),
        _("Complaint closed."),
    ),
    ComplaintAction.REOPEN: (
        ReopenForm,
        lambda c, r, d: services.complaint_reopen(
            complaint=c, actor=r.user, reason=d["reason"], expected_version=d["expected_version"]
        ),
        _("Complaint reopened."),
    ),
    ComplaintAction.SEND_PROGRESS_UPDATE: (
        ProgressUpdateForm,
        lambda c, r, d: complaint_send_progress_update_now(complaint=c),
        _("Progress update planned: it goes out with the next dispatch."),
    ),
    ComplaintAction.ESCALATE: (
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
    ComplaintAction.CONFIRM_RESOLUTION: (
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
    ComplaintAction.MERGE: (
        MergeForm,
        lambda c, r, d: services.complaint_merge(
            duplicate=c, primary=_primary_of(d["primary"]), actor=r.user, expected_version=d["expected_version"]
        ),
        _("Merged: the complainant is told which reference carries on."),
    ),
}
# The change page shows the newest events of the timeline, and links to the audit trail for the rest.
TIMELINE_LIMIT = 200
# The forms whose fields carry a prefix (the change page shows two message boxes).
_PREFIXED = frozenset({ComplaintAction.REPLY, ComplaintAction.NOTE})


class ComplaintActionsMixin:
    """For ComplaintAdmin: the change page's action panel, the URL each of its buttons posts to, and the bulk
    "assign to me"."""

    def panel_context(self, request: HttpRequest, obj: Complaint) -> dict:
        allowed = complaint_actions_for(complaint=obj, user=request.user)
        version = {"expected_version": obj.version}
        transition_form = TransitionForm(initial=version)
        transition_form.fields["to_status"].choices = [
            (s, Status(s).label) for s in complaint_plain_targets(complaint=obj)
        ]
        proposals = list(obj.resolution_proposals.select_related("carrier", "decided_by")[:20])
        pending_proposal = next((p for p in proposals if p.state == ProposalState.PROPOSED), None)
        # The newest TIMELINE_LIMIT events (one more is read to know whether there are more): a complaint with
        # thousands of events renders in the same time; the audit trail's changelist has them all.
        timeline = list(complaint_timeline(complaint=obj)[: TIMELINE_LIMIT + 1])
        return {
            "timeline": timeline[:TIMELINE_LIMIT],
            "timeline_truncated": len(timeline) > TIMELINE_LIMIT,
            "timeline_limit": TIMELINE_LIMIT,
            "timeline_all_url": reverse("admin:complaints_complaintevent_changelist")
            + f"?complaint__id__exact={obj.pk}",
            "outbound_messages": list(obj.messages.order_by("-created_at", "-id")[:100]),
            "clock_rows": clock_rows(obj),
            "can_act": self.has_change_permission(request, obj),
            "action_urls": {
                name: reverse("admin:complaints_complaint_action", args=[obj.pk, name]) for name in ACTIONS
            },
            "actions_panel": {action.value: action in allowed for action in ComplaintAction},
            "pending_proposal": pending_proposal,
            # Duplicates: other open complaints about the waybill, and the merges this complaint took part in.
            "same_waybill": complaint_open_same_waybill(complaint=obj),
            "merged_duplicates": list(obj.merged_duplicates.order_by("received_at", "id")[:50]),
            "resolution_proposals": proposals,
            "forms": {
                "version": VersionedForm(initial=version),
                "assign": AssignForm(initial={**version, "owner": obj.owner_id}),
                "reply": self.reply_form(obj, initial=version),
                "note": MessageWithFilesForm(initial=version, prefix="note"),
                "transition": transition_form,
                "hand_to_carrier": OptionalMessageForm(initial=version),
                "resolve": ResolveForm(initial=version),
                "reopen": ReopenForm(initial=version),
                "send_progress_update": ProgressUpdateForm(),
                "escalate": EscalateForm(initial={**version, "to_level": min(obj.escalation_level + 1, MAX_LEVEL)}),
                "merge": MergeForm(
                    initial={**version, "primary": obj.duplicate_of.reference if obj.duplicate_of_id else ""}
                ),
                "confirm_resolution": ConfirmProposalForm(
                    initial={**version, "proposal": pending_proposal.pk if pending_proposal else None}
                ),
            },
        }

    def reply_form(self, obj: Complaint, initial: dict) -> ReplyForm:
        """The reply form with its canned-reply picker: the macros that fit the complaint (its language first), each
        filled in for this complaint here, on the server, so the page's script only copies text."""
        form = ReplyForm(initial=initial, prefix="reply")
        offered = list(macros_for(complaint=obj))
        mine = [(m.pk, m.name) for m in offered if m.same_language]
        others = [(m.pk, f"{m.name} ({Language(m.language).label})") for m in offered if not m.same_language]
        field = form.fields["macro"]
        field.choices = [
            ("", field.empty_label),
            *([(gettext("In the complaint's language"), mine)] if mine and others else mine),
            *([(gettext("Other languages"), others)] if others else []),
        ]
        field.widget.macro_data = {
            m.pk: {
                "text": macro_render(macro=m, complaint=obj),
                "visibility": m.visibility,
                "next_status": m.next_status,
            }
            for m in offered
        }
        form.fields["next_status"].choices = [
            ("", form.fields["next_status"].choices[0][1]),
            *((s, Status(s).label) for s in complaint_plain_targets(complaint=obj)),
        ]
        return form

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
        # Who may press the button is checked here; whether the complaint's state allows it is the service's to say.
        if request.method != "POST" or action not in ACTIONS:
            raise PermissionDenied
        complaint = get_object_or_404(Complaint, pk=object_id)
        if not self.has_change_permission(request, complaint) or not action_permitted(user=request.user, action=action):
            raise PermissionDenied
        form_class, call, done = ACTIONS[action]
        form = form_class(request.POST, request.FILES, prefix=action if action in _PREFIXED else None)
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
            self.message_user(request, done(form.cleaned_data) if callable(done) else done, messages.SUCCESS)
        return HttpResponseRedirect(change_url)

    @admin.action(description=_("Assign selected complaints to me"), permissions=["change"])
    def assign_to_me(self, request: HttpRequest, queryset) -> None:
        # The rule (never a colleague's complaint, never a closed one) is the service's: complaints_take.
        result = services.complaints_take(complaints=queryset, actor=request.user)
        assigned = result.taken + result.already_yours
        self.message_user(request, gettext("%(n)d assigned to you.") % {"n": assigned}, messages.SUCCESS)
        if result.skipped:
            self.message_user(
                request,
                gettext("%(n)d skipped: closed, or already owned by someone else.") % {"n": result.skipped},
                messages.WARNING,
            )
