"""The complainant's pages: no login, signed expiring links, mobile-first, in their language."""

from __future__ import annotations

import logging
import time

from django import forms
from django.conf import settings
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from complaints import services
from complaints.choices import FINAL_STATUSES, OPEN_STATUSES, Language, ReplyChannel, Status
from complaints.errors import IllegalTransition, InvalidInput
from complaints.evidence.responses import evidence_response
from complaints.evidence.selectors import evidence_for_complainant, timeline_with_files
from complaints.links import read_status_token, read_survey_token, status_url
from complaints.models import Complaint, SurveyResponse
from complaints.public.forms import PublicComplaintForm, ReplyForm
from complaints.public.limits import REPLY_LIMIT, REPLY_WINDOW, reply_limit_reached
from complaints.selectors import complaint_public_timeline, same_complainant

logger = logging.getLogger(__name__)

# Events the complainant sees on the status page.
CUSTOMER_KINDS = (
    "created",
    "public_reply",
    "complainant_reply",
    "status_changed",
    "handed_to_carrier",
    "carrier_accepted",
    "resolved",
    "closed",
    "reopened",
    "progress_update",
    "survey_answered",
    "evidence_added",
    "merged",
)


def _link_problem(request: HttpRequest, *, title: str, detail: str, status: int = 400) -> HttpResponse:
    return render(request, "complaints/public/problem.html", {"title": title, "detail": detail}, status=status)


def _expired(request):
    return _link_problem(
        request,
        title=_("This link has expired"),
        detail=_(
            "For your privacy, links stop working after a while. Reply to our last message "
            "or call us and we will send you a new one."
        ),
        status=410,
    )


def _tampered(request):
    return _link_problem(
        request,
        title=_("This link is not valid"),
        detail=_("The link may have been cut off or changed. Please open it again from our message, in full."),
        status=400,
    )


@never_cache
def status_page(request: HttpRequest, token: str) -> HttpResponse:
    """The complaint's progress and, while it is not closed, a form for the complainant's reply (words and files)."""
    try:
        complaint_id = read_status_token(token)
    except signing.SignatureExpired:
        return _expired(request)
    except signing.BadSignature:
        return _tampered(request)
    complaint = Complaint.objects.select_related("carrier").filter(pk=complaint_id).first()
    if complaint is None:
        return _tampered(request)
    with translation.override(complaint.language):
        form = ReplyForm()
        if request.method == "POST":
            form = ReplyForm(request.POST, request.FILES)
            refused = _reply_refused(request, complaint)
            if refused is not None:
                return refused
            if form.is_valid():
                try:
                    services.complaint_receive_reply(
                        complaint=complaint,
                        channel=ReplyChannel.STATUS_PAGE,
                        message=form.cleaned_data["message"],
                        files=form.cleaned_data["files"],
                    )
                except IllegalTransition:
                    return _closed(request)
                except InvalidInput as error:
                    _add_errors(form, error)
                else:
                    # Post/redirect/get: reloading the page does not send the message again.
                    return HttpResponseRedirect(reverse("public:status", args=[token]) + "?sent=1")
        return _status_render(request, complaint, token=token, form=form, status=400 if form.errors else 200)


def _reply_refused(request: HttpRequest, complaint: Complaint) -> HttpResponse | None:
    if complaint.status in FINAL_STATUSES:
        return _closed(request)
    if reply_limit_reached(complaint=complaint, now=timezone.now()):
        logger.info("Status page reply refused on complaint %s: over %d in %s", complaint.pk, REPLY_LIMIT, REPLY_WINDOW)
        return _link_problem(
            request,
            title=_("Please wait a few minutes"),
            detail=_(
                "We received several messages from you in a short time (at most %(n)d in %(minutes)d minutes). "
                "Your earlier messages have reached us. Please try again in a few minutes."
            )
            % {"n": REPLY_LIMIT, "minutes": int(REPLY_WINDOW.total_seconds() // 60)},
            status=429,
        )
    return None


def _closed(request: HttpRequest) -> HttpResponse:
    return _link_problem(
        request,
        title=_("This complaint is closed"),
        detail=_(
            "We can no longer add messages to it. If something is still wrong, reply to our last message or call us."
        ),
        status=409,
    )


def _add_errors(form: forms.Form, error: InvalidInput) -> None:
    if not error.fields or "files" in error.fields:  # a refused file: the message names it
        form.add_error(None, error.message)
    for field, messages in error.fields.items():
        form.add_error(field if field in form.fields else None, messages)


def _status_render(request: HttpRequest, complaint: Complaint, *, token: str, form: ReplyForm, status: int):
    files = list(evidence_for_complainant(complaint=complaint))
    events = timeline_with_files(
        events=complaint_public_timeline(complaint=complaint, kinds=CUSTOMER_KINDS), files=files
    )
    for event in events:
        target = (event.data or {}).get("to")
        event.status_label = Status(target).label if target in Status.values else ""
    primary = complaint.merged_into if complaint.merged_into_id else None
    return render(
        request,
        "complaints/public/status.html",
        {
            "complaint": complaint,
            "events": events,
            "next_update": complaint.progress_due_at if complaint.status in OPEN_STATUSES else None,
            "is_open": complaint.status in OPEN_STATUSES,
            "can_reply": complaint.status not in FINAL_STATUSES,
            # A merged complaint points to the one that carries on; to its page only for the same complainant.
            "merged_into": primary,
            "merged_into_url": status_url(primary.pk) if primary and same_complainant(complaint, primary) else "",
            "reply_form": form,
            "max_files": settings.REDRESS_EVIDENCE_MAX_FILES_PER_MESSAGE,
            "sent": request.GET.get("sent") == "1",
            "language_code": complaint.language,
            "files": files,
            "token": token,
        },
        status=status,
    )


@never_cache
def evidence_file(request: HttpRequest, token: str, evidence_id: int, thumbnail: bool = False) -> HttpResponse:
    """A file of the complaint, through the complainant's signed link: only its public files that no agent hid."""
    try:
        complaint_id = read_status_token(token)
    except signing.SignatureExpired:
        return _expired(request)
    except signing.BadSignature:
        return _tampered(request)
    evidence = evidence_for_complainant(complaint=Complaint(pk=complaint_id)).filter(pk=evidence_id).first()
    if evidence is None:
        raise Http404
    return evidence_response(evidence, thumbnail=thumbnail)


class SurveyForm(forms.Form):
    score = forms.TypedChoiceField(
        label=gettext_lazy("How satisfied are you with how we handled it?"),
        choices=[(i, str(i)) for i in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=gettext_lazy("Anything you want to tell us (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


@never_cache
def survey_page(request: HttpRequest, token: str) -> HttpResponse:
    try:
        complaint_id, cycle = read_survey_token(token)
    except signing.SignatureExpired:
        return _expired(request)
    except signing.BadSignature:
        return _tampered(request)
    complaint = Complaint.objects.filter(pk=complaint_id).first()
    if complaint is None:
        return _tampered(request)
    with translation.override(complaint.language):
        if SurveyResponse.objects.filter(complaint=complaint, cycle=cycle).exists():
            return _link_problem(
                request,
                title=_("You have already answered"),
                detail=_("Thank you: we have your answer for this complaint."),
                status=200,
            )
        form = SurveyForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                response = services.complaint_answer_survey(
                    complaint=complaint,
                    cycle=cycle,
                    score=form.cleaned_data["score"],
                    comment=form.cleaned_data["comment"],
                )
            except IllegalTransition as error:
                return _link_problem(request, title=_("This survey is closed"), detail=error.message, status=200)
            except InvalidInput as error:
                form.add_error(None, error.message)
            else:
                return render(
                    request,
                    "complaints/public/thanks.html",
                    {"complaint": complaint, "low": response.score <= 2, "status_url": status_url(complaint.pk)},
                )
        return render(
            request,
            "complaints/public/survey.html",
            {"complaint": complaint, "form": form, "language_code": complaint.language},
        )


MIN_SECONDS_ON_FORM = 3


def _too_fast_or_forged(signer: signing.TimestampSigner, started: str) -> bool:
    """People take more than a few seconds to fill in the form; bots do not, and bots forge the stamp."""
    try:
        signer.unsign(started, max_age=24 * 3600)
    except signing.BadSignature:
        return True
    stamped_at = signing.b62_decode(started.split(signer.sep)[-2])
    return time.time() - stamped_at < MIN_SECONDS_ON_FORM


@never_cache
def file_complaint(request: HttpRequest) -> HttpResponse:
    language = translation.get_language() or Language.ZH_HANS
    language = Language.EN if language.startswith("en") else Language.ZH_HANS
    signer = signing.TimestampSigner(salt="redress.public-form")
    if request.method == "POST":
        form = PublicComplaintForm(request.POST, request.FILES)
        if form.is_valid():
            if form.cleaned_data["website"]:
                return _link_problem(
                    request,
                    title=_("We could not accept this form"),
                    detail=_("Please fill in the form again."),
                    status=400,
                )
            too_fast = _too_fast_or_forged(signer, form.cleaned_data["started"])
            if too_fast:
                form.add_error(None, _("That was very fast. Please check your answers and send the form again."))
            else:
                data = {k: v for k, v in form.cleaned_data.items() if k not in ("website", "started")}
                try:
                    complaint = services.complaint_create(actor=None, channel="web", language=language, **data)
                except InvalidInput as error:
                    _add_errors(form, error)
                else:
                    return render(
                        request,
                        "complaints/public/filed.html",
                        {"complaint": complaint, "status_url": status_url(complaint.pk)},
                        status=201,
                    )
        form.data = form.data.copy()
        form.data["started"] = signer.sign("form")
    else:
        form = PublicComplaintForm(initial={"started": signer.sign("form")})
    return render(request, "complaints/public/file.html", {"form": form})
