"""The partner API's views: they check the request, call one service, and shape the answer. Every read goes through
complaints.selectors scoped to the caller's carrier, so another carrier's complaint is simply not found (404)."""

from __future__ import annotations

import hashlib
import re

from django.conf import settings
from django.http import Http404, HttpResponseNotModified
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints import selectors, services
from complaints.choices import EventKind
from complaints.evidence.selectors import evidence_by_event, evidence_for_carrier
from complaints.models import Complaint
from complaints.partners.api.bodies import unsized_body_read
from complaints.partners.api.etags import (
    IF_MATCH_PARAMETER,
    complaint_etag,
    expected_version,
    none_match,
)
from complaints.partners.api.exceptions import RequestTooLarge
from complaints.partners.api.filters import ComplaintFilter
from complaints.partners.api.idempotency import idempotent
from complaints.partners.api.pages import CarrierRows
from complaints.partners.api.pagination import NewestFirstCursorPagination
from complaints.partners.api.parsers import PartnerJSONParser
from complaints.partners.api.rows import ROW_FIELDS, complaint_rows
from complaints.partners.api.schema import WRITE_ERRORS, error_responses
from complaints.partners.api.serializers import (
    ComplaintCreateSerializer,
    ComplaintSerializer,
    EmptySerializer,
    EventSerializer,
    ReplySerializer,
    ResolutionProposalCreateSerializer,
    ResolutionProposalSerializer,
    VolumeSerializer,
    VolumeWriteSerializer,
)
from reports.services import parcel_volume_set
from reports.weeks import IsoWeek

COMPLAINT_EXAMPLE = {
    "reference": "C2611240007",
    "waybill_number": "ZT75000012345",
    "category": "delay",
    "channel": "partner_api",
    "description": "快件已经延误三天，物流信息一直没有更新。",
    "status": "awaiting_carrier",
    "priority": "normal",
    "escalation_level": 0,
    "complainant_name": "张伟",
    "complainant_phone": "13912345678",
    "complainant_email": "",
    "language": "zh-hans",
    "declared_value": "200.00",
    "insured_value": "0.00",
    "shipping_fee": "12.00",
    "due": {
        "first_response": "2026-11-25T09:00:00+08:00",
        "carrier_accept": "2026-11-24T13:00:00+08:00",
        "resolution": "2026-11-27T09:00:00+08:00",
        "progress": "2026-11-25T09:00:00+08:00",
        "statutory": "2026-12-01T09:00:00+08:00",
    },
    "created_at": "2026-11-24T09:00:00+08:00",
    "updated_at": "2026-11-24T09:30:00+08:00",
}
TAGS = ["complaints"]

# References as complaint_create gives them: C, the day (yymmdd), the day's number.
REFERENCE_PATTERN = r"^C[0-9]{10,15}$"
REFERENCE_PARAMETER = OpenApiParameter(
    "reference",
    OpenApiTypes.STR,
    OpenApiParameter.PATH,
    pattern=REFERENCE_PATTERN,
    description="The complaint's reference, e.g. C2611240007.",
)
# An ISO week in ASCII digits; the year from 2000 (volumes are reported for weeks that have started).
ISO_WEEK_PATTERN = r"^(2[0-9]{3})-W(0[1-9]|[1-4][0-9]|5[0-3])$"
FIRST_VOLUME_YEAR = 2000


class PartnerAPIView(APIView):
    """Base of every partner API view: body size limit (chunked bodies too: bodies.py), bounded JSON (parsers.py),
    ETag on successful reads, If-None-Match → 304."""

    parser_classes = [PartnerJSONParser]

    def max_body_bytes(self) -> int:
        """The largest body this view reads (views that take files allow more)."""
        return settings.REDRESS_API_MAX_BODY_BYTES

    def initial(self, request, *args, **kwargs):
        limit = self.max_body_bytes()
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            raise RequestTooLarge(_("The request body is too large: at most %(n)d bytes.") % {"n": limit})
        super().initial(request, *args, **kwargs)
        # After authentication: only a carrier's request has its body read.
        unsized_body_read(request._request, limit=limit)

    def dispatch(self, request, *args, **kwargs):
        response = super().dispatch(request, *args, **kwargs)
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            if not response.has_header("ETag"):
                if hasattr(response, "render"):
                    response.render()
                response["ETag"] = f'"{hashlib.sha256(response.content).hexdigest()[:20]}"'
            if none_match(request, response["ETag"]):
                not_modified = HttpResponseNotModified()
                not_modified["ETag"] = response["ETag"]
                return not_modified
        return response


class CarrierComplaintView(PartnerAPIView):
    """Base of the views under complaints/{reference}/: `self.get_complaint(reference)` is the caller's carrier's
    complaint or 404."""

    def get_complaint(self, reference: str) -> Complaint:
        if not re.fullmatch(REFERENCE_PATTERN, reference):
            raise ValidationError({"reference": [_("This is not a complaint reference: they look like C2611240007.")]})
        complaint = (
            selectors.carrier_complaints(carrier_id=self.request.auth.carrier_id).filter(reference=reference).first()
        )
        if complaint is None:
            raise Http404
        return complaint

    @staticmethod
    def complaint_response(complaint: Complaint, *, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(
            ComplaintSerializer(complaint).data, status=status_code, headers={"ETag": complaint_etag(complaint)}
        )


class ComplaintListView(PartnerAPIView, generics.ListAPIView):
    serializer_class = ComplaintSerializer
    pagination_class = NewestFirstCursorPagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = ComplaintFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request
            return Complaint.objects.none()
        return selectors.carrier_complaints(carrier_id=self.request.auth.carrier_id)

    def filter_queryset(self, queryset):
        # Most requests filter nothing: skip building the filter set's form (about a tenth of a page's CPU).
        if not self._filtered():
            return queryset
        return super().filter_queryset(queryset)

    def list(self, request, *args, **kwargs):
        # The rows as dictionaries, serialised by complaint_rows: the same JSON as ComplaintSerializer for a third
        # of the CPU (no model instances, no DRF field per value). Without filters (most requests), the page's SQL is
        # compiled once and reused (pages.py).
        if self._filtered():
            rows = self.filter_queryset(self.get_queryset()).values(*ROW_FIELDS)
        else:
            rows = CarrierRows(self.request.auth.carrier_id)
        return self.get_paginated_response(complaint_rows(self.paginate_queryset(rows)))

    def _filtered(self) -> bool:
        return any(name in self.request.query_params for name in ComplaintFilter.base_filters)

    @extend_schema(
        operation_id="complaints_list",
        tags=TAGS,
        summary="List your complaints",
        description="Your carrier's complaints, newest first, one page at a time (cursor pagination: follow `next`). "
        "`page_size` is 1 to 100 (default 25). Filter by `status`, `category`, creation time, "
        "`updated_since` (to sync changes) and `overdue=true`.",
        responses={200: ComplaintSerializer(many=True), **error_responses(400)},
        examples=[
            OpenApiExample(
                "A page",
                response_only=True,
                value={
                    "next": "https://redress.example.com/api/v1/complaints/?cursor=cD0yMDI2LTExLTI0",
                    "previous": None,
                    "results": [COMPLAINT_EXAMPLE],
                },
            )
        ],
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        operation_id="complaints_create",
        tags=TAGS,
        summary="Forward a complaint",
        description="Forward a complaint you received. It is recorded as your carrier's, whatever the body says "
        "(`carrier`, `status` and other read-only fields are refused with 400). `channel` defaults to "
        "`partner_api`. Needs a phone number or an email address for the complainant. Answers 201 with "
        "the complaint and its `reference`.",
        request=ComplaintCreateSerializer,
        responses={201: ComplaintSerializer, **error_responses(*WRITE_ERRORS)},
        examples=[
            OpenApiExample(
                "A delayed parcel",
                request_only=True,
                value={
                    "waybill_number": "ZT75000012345",
                    "category": "delay",
                    "description": "快件已经延误三天，物流信息一直没有更新。",
                    "complainant_name": "张伟",
                    "complainant_phone": "13912345678",
                    "language": "zh-hans",
                    "declared_value": "200.00",
                    "insured_value": "0.00",
                    "shipping_fee": "12.00",
                },
            ),
            OpenApiExample(
                "Created", response_only=True, status_codes=["201"], value={**COMPLAINT_EXAMPLE, "status": "new"}
            ),
        ],
    )
    @idempotent
    def post(self, request, *args, **kwargs):
        serializer = ComplaintCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        complaint = services.complaint_create(
            actor=request.user, carrier=request.auth.carrier, **serializer.validated_data
        )
        response = CarrierComplaintView.complaint_response(complaint, status_code=status.HTTP_201_CREATED)
        response["Location"] = reverse("api:complaint-detail", args=[complaint.reference])
        return response


class ComplaintDetailView(CarrierComplaintView):
    @extend_schema(
        operation_id="complaints_retrieve",
        tags=TAGS,
        summary="Read one complaint",
        description="One of your complaints, by reference, with the due time of each running clock in `due`. The "
        "`ETag` header identifies this version: send it as `If-Match` on writes, or as `If-None-Match` "
        "to get 304 when nothing changed.",
        parameters=[REFERENCE_PARAMETER],
        responses={
            200: ComplaintSerializer,
            304: OpenApiResponse(description="Not modified since that ETag."),
            **error_responses(400, 404),
        },
        examples=[OpenApiExample("A complaint", response_only=True, value=COMPLAINT_EXAMPLE)],
    )
    def get(self, request, reference: str):
        return self.complaint_response(self.get_complaint(reference))


class ComplaintEventsView(CarrierComplaintView):
    @extend_schema(
        operation_id="complaints_events",
        tags=TAGS,
        summary="The complaint's timeline",
        description="What happened to the complaint that your carrier may see, oldest first: its creation, public "
        "replies, status changes, breaches and escalations, your notes and proposals. Never Redress's "
        "internal notes. `actor_role` says who acted (carrier, agent, supervisor or system). An event that came "
        "with files you may see (`evidence_added`, a reply with photos) lists them in `data.attachments` (`id`, "
        "`kind`): read them under `/attachments/`.",
        parameters=[REFERENCE_PARAMETER],
        responses={200: EventSerializer(many=True), **error_responses(400, 404)},
        examples=[
            OpenApiExample(
                "Timeline",
                response_only=True,
                value=[
                    {
                        "kind": "created",
                        "created_at": "2026-11-24T09:00:00+08:00",
                        "actor_role": "carrier",
                        "message": "快件已经延误三天。",
                        "data": {"channel": "partner_api", "category": "delay"},
                    },
                    {
                        "kind": "handed_to_carrier",
                        "created_at": "2026-11-24T09:30:00+08:00",
                        "actor_role": "agent",
                        "message": "请核实派送情况。",
                        "data": {"from": "acknowledged", "to": "awaiting_carrier", "carrier": "ZTO"},
                    },
                ],
            )
        ],
    )
    def get(self, request, reference: str):
        complaint = self.get_complaint(reference)
        attachments = evidence_by_event(files=evidence_for_carrier(complaint=complaint))
        return Response(
            EventSerializer(
                selectors.carrier_timeline(complaint=complaint), many=True, context={"attachments": attachments}
            ).data
        )


class ComplaintAcceptView(CarrierComplaintView):
    @extend_schema(
        operation_id="complaints_accept",
        tags=TAGS,
        summary="Accept the complaint",
        description="Take ownership of the next step on a complaint handed to you (status `awaiting_carrier`): "
        "your accept clock stops and your reply clock starts. Accepting twice changes nothing. 409 if "
        "the complaint is not waiting for you.",
        request=None,
        parameters=[REFERENCE_PARAMETER, IF_MATCH_PARAMETER],
        responses={200: ComplaintSerializer, **error_responses(*WRITE_ERRORS, 403, 404, 412)},
        examples=[OpenApiExample("Accepted", response_only=True, value=COMPLAINT_EXAMPLE)],
    )
    @idempotent
    def post(self, request, reference: str):
        complaint = self.get_complaint(reference)
        EmptySerializer(data=request.data).is_valid(raise_exception=True)
        complaint = services.complaint_carrier_accept(
            complaint=complaint, actor=request.user, expected_version=expected_version(request, complaint)
        )
        return self.complaint_response(complaint)


class ComplaintRepliesView(CarrierComplaintView):
    @extend_schema(
        operation_id="complaints_reply",
        tags=TAGS,
        summary="Reply",
        description="`public: true`: a reply to the complainant; it reaches them with the next progress update and "
        "counts as a human response (it stops the first-response clock). `public: false`: a note for "
        "Redress's agents, never shown to the complainant. Either answers your reply clock. 201 with the "
        "event recorded.",
        request=ReplySerializer,
        parameters=[REFERENCE_PARAMETER, IF_MATCH_PARAMETER],
        responses={201: EventSerializer, **error_responses(*WRITE_ERRORS, 403, 404, 412)},
        examples=[
            OpenApiExample(
                "Public reply", request_only=True, value={"message": "您好，快件已找到，今天下午派送。", "public": True}
            ),
            OpenApiExample(
                "Note for the agents",
                request_only=True,
                value={"message": "Parcel found at the Hangzhou hub; redelivery booked.", "public": False},
            ),
            OpenApiExample(
                "Recorded",
                response_only=True,
                status_codes=["201"],
                value={
                    "kind": "public_reply",
                    "created_at": "2026-11-24T10:00:00+08:00",
                    "actor_role": "carrier",
                    "message": "您好，快件已找到，今天下午派送。",
                    "data": {},
                },
            ),
        ],
    )
    @idempotent
    def post(self, request, reference: str):
        complaint = self.get_complaint(reference)
        serializer = ReplySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        version = expected_version(request, complaint)
        if data["public"]:
            services.complaint_reply(
                complaint=complaint, actor=request.user, message=data["message"], expected_version=version
            )
            event = (
                complaint.events.filter(kind=EventKind.PUBLIC_REPLY, actor=request.user)
                .order_by("-created_at", "-id")
                .first()
            )
        else:
            event = services.complaint_carrier_note(
                complaint=complaint, actor=request.user, message=data["message"], expected_version=version
            )
        return Response(
            EventSerializer(event).data, status=status.HTTP_201_CREATED, headers={"ETag": complaint_etag(complaint)}
        )


class ResolutionProposalsView(CarrierComplaintView):
    @extend_schema(
        operation_id="complaints_propose_resolution",
        tags=TAGS,
        summary="Propose a resolution",
        description="Say what you did and what caused the problem. A Redress agent confirms it in the back office, "
        "which resolves the complaint. A newer proposal replaces a pending one. 409 if the complaint is "
        "no longer open.",
        request=ResolutionProposalCreateSerializer,
        parameters=[REFERENCE_PARAMETER, IF_MATCH_PARAMETER],
        responses={201: ResolutionProposalSerializer, **error_responses(*WRITE_ERRORS, 403, 404, 412)},
        examples=[
            OpenApiExample(
                "Proposal",
                request_only=True,
                value={
                    "summary": "Parcel redelivered on 24 Nov; shipping fee refunded.",
                    "root_cause": "Mis-sorted at the Hangzhou hub.",
                },
            ),
            OpenApiExample(
                "Recorded",
                response_only=True,
                status_codes=["201"],
                value={
                    "id": 42,
                    "complaint": "C2611240007",
                    "summary": "Parcel redelivered on 24 Nov; shipping fee refunded.",
                    "root_cause": "Mis-sorted at the Hangzhou hub.",
                    "state": "proposed",
                    "created_at": "2026-11-24T11:00:00+08:00",
                    "decided_at": None,
                },
            ),
        ],
    )
    @idempotent
    def post(self, request, reference: str):
        complaint = self.get_complaint(reference)
        serializer = ResolutionProposalCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        proposal = services.resolution_propose(
            complaint=complaint,
            actor=request.user,
            expected_version=expected_version(request, complaint),
            **serializer.validated_data,
        )
        return Response(
            ResolutionProposalSerializer(proposal).data,
            status=status.HTTP_201_CREATED,
            headers={"ETag": complaint_etag(complaint)},
        )


class VolumeView(PartnerAPIView):
    @staticmethod
    def reportable_week(text: str) -> IsoWeek:
        """An ISO week written in ASCII digits, that exists, from 2000 up to the current week (a volume is counted
        for a week that has started); else 400 naming iso_week."""
        if not re.fullmatch(r"[0-9]{4}-W[0-9]{2}", text):
            raise ValidationError(
                {
                    "iso_week": [
                        _("Write an ISO week such as 2026-W47 (year, “-W”, week 01–53 that exists in that year).")
                    ]
                }
            )
        week = IsoWeek.parse(text, field="iso_week")
        current = IsoWeek.of(timezone.now())
        if week.year < FIRST_VOLUME_YEAR or week > current:
            raise ValidationError(
                {
                    "iso_week": [
                        _("Report volumes for weeks from %(first)d-W01 to this week (%(current)s).")
                        % {"first": FIRST_VOLUME_YEAR, "current": current}
                    ]
                }
            )
        return week

    @extend_schema(
        operation_id="volumes_set",
        tags=["volumes"],
        summary="Report a week's parcel volume",
        description="Your carrier's parcel volume for an ISO week (e.g. `2026-W47`, weeks in Asia/Shanghai time), "
        "used for the complaint rate per million parcels in the weekly report. 201 the first time, 200 "
        "when it corrects an earlier figure (or repeats it). Weeks from 2000 up to the current week; a week "
        "that has not started yet is 400.",
        request=VolumeWriteSerializer,
        parameters=[
            OpenApiParameter(
                "iso_week",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                pattern=ISO_WEEK_PATTERN,
                description="An ISO week: year, `-W`, week number, e.g. 2026-W47.",
            )
        ],
        responses={200: VolumeSerializer, 201: VolumeSerializer, **error_responses(*WRITE_ERRORS)},
        examples=[
            OpenApiExample("Volume", request_only=True, value={"parcels": 1250000}),
            OpenApiExample(
                "Recorded",
                response_only=True,
                status_codes=["200", "201"],
                value={"iso_week": "2026-W47", "parcels": 1250000, "reported_at": "2026-11-24T10:00:00+08:00"},
            ),
        ],
    )
    @idempotent
    def put(self, request, iso_week: str):
        week = self.reportable_week(iso_week)
        serializer = VolumeWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        volume, created = parcel_volume_set(
            carrier=request.auth.carrier,
            iso_week=str(week),
            parcels=serializer.validated_data["parcels"],
            actor=request.user,
        )
        return Response(
            VolumeSerializer(volume).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )
