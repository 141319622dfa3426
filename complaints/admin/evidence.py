"""The evidence files on the complaint's change page: the panel with every file of the complaint, thumbnails on the
timeline, adding files and hiding one, and the views that stream a file to a user who may see the complaint. Files are
never served from a public URL."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.translation import gettext

from complaints.admin.forms import EvidenceAddForm, EvidenceHideForm
from complaints.errors import ServiceError
from complaints.evidence.choices import evidence_summary
from complaints.evidence.models import Evidence
from complaints.evidence.responses import evidence_response
from complaints.evidence.selectors import evidence_for_staff, timeline_with_files
from complaints.evidence.services import evidence_add, evidence_hide
from complaints.models import Complaint


class ComplaintEvidenceMixin:
    """For ComplaintAdmin: the evidence panel's context and the URLs its files and forms use."""

    def evidence_context(self, request: HttpRequest, obj: Complaint, timeline) -> dict:
        files = list(evidence_for_staff(complaint=obj))
        events = timeline_with_files(events=timeline, files=files)
        for event in events:
            event.files_summary = (
                evidence_summary({f.kind for f in event.files}, len(event.files)) if event.files else ""
            )
        can_change = self.has_change_permission(request, obj)
        return {
            "timeline": events,
            "evidence_files": files,
            "evidence_can_add": can_change,
            "evidence_add_form": EvidenceAddForm(initial={"expected_version": obj.version}, prefix="evidence"),
            "evidence_hide_form": EvidenceHideForm(prefix="hide"),
        }

    def get_urls(self):
        view = self.admin_site.admin_view
        custom = [
            path(
                "<path:object_id>/evidence/<int:evidence_id>/file/",
                view(self.evidence_file_view),
                name="complaints_complaint_evidence_file",
            ),
            path(
                "<path:object_id>/evidence/<int:evidence_id>/thumbnail/",
                view(self.evidence_thumbnail_view),
                name="complaints_complaint_evidence_thumbnail",
            ),
            path(
                "<path:object_id>/evidence/<int:evidence_id>/hide/",
                view(self.evidence_hide_view),
                name="complaints_complaint_evidence_hide",
            ),
            path(
                "<path:object_id>/evidence/add/", view(self.evidence_add_view), name="complaints_complaint_evidence_add"
            ),
        ]
        return custom + super().get_urls()

    def _evidence_of(self, request: HttpRequest, object_id: str, evidence_id: int, *, change: bool) -> Evidence:
        # The file of this complaint, for a user who may see (or change) the complaint; anyone else gets 403/404.
        complaint = get_object_or_404(Complaint, pk=object_id)
        allowed = (
            self.has_change_permission(request, complaint) if change else self.has_view_permission(request, complaint)
        )
        if not allowed:
            raise PermissionDenied
        # Its own files, and those of the duplicates merged into it (shown on its timeline).
        return get_object_or_404(evidence_for_staff(complaint=complaint), pk=evidence_id)

    def evidence_file_view(self, request: HttpRequest, object_id: str, evidence_id: int) -> HttpResponse:
        return evidence_response(self._evidence_of(request, object_id, evidence_id, change=False))

    def evidence_thumbnail_view(self, request: HttpRequest, object_id: str, evidence_id: int) -> HttpResponse:
        return evidence_response(self._evidence_of(request, object_id, evidence_id, change=False), thumbnail=True)

    def _back(self, complaint_id) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:complaints_complaint_change", args=[complaint_id]) + "#evidence")

    def evidence_add_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        complaint = get_object_or_404(Complaint, pk=object_id)
        if request.method != "POST" or not self.has_change_permission(request, complaint):
            raise PermissionDenied
        form = EvidenceAddForm(request.POST, request.FILES, prefix="evidence")
        if not form.is_valid():
            problems = "; ".join(" ".join(errors) for errors in form.errors.values())
            self.message_user(
                request, gettext("Nothing was saved. %(problems)s") % {"problems": problems}, messages.ERROR
            )
            return self._back(complaint.pk)
        try:
            added = evidence_add(
                complaint=complaint,
                actor=request.user,
                files=form.cleaned_data["files"],
                kind=form.cleaned_data["kind"],
                visibility=form.cleaned_data["visibility"],
                expected_version=form.cleaned_data["expected_version"],
            )
        except ServiceError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(
                request, evidence_summary({e.kind for e in added}, len({e.pk for e in added})), messages.SUCCESS
            )
        return self._back(complaint.pk)

    def evidence_hide_view(self, request: HttpRequest, object_id: str, evidence_id: int) -> HttpResponse:
        if request.method != "POST":
            raise PermissionDenied
        evidence = self._evidence_of(request, object_id, evidence_id, change=True)
        form = EvidenceHideForm(request.POST, prefix="hide")
        if not form.is_valid():
            self.message_user(request, gettext("Say why the file is hidden."), messages.ERROR)
            return self._back(evidence.complaint_id)
        try:
            evidence_hide(evidence=evidence, actor=request.user, reason=form.cleaned_data["reason"])
        except ServiceError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(
                request,
                gettext("“%(name)s” is hidden from the complainant and the carrier.")
                % {"name": evidence.original_name},
                messages.SUCCESS,
            )
        return self._back(evidence.complaint_id)
