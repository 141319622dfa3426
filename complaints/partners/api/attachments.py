"""Attachments in the partner API: a carrier lists and downloads the files of its own complaints that it may see
(public and carrier files, none an agent hid), and attaches its own, one file per request (a proof of delivery, a
photo). Files are streamed through the API with the carrier's key, never from a public URL. The older
`/evidence/` paths (evidence.py) stay as a deprecated alias."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from complaints.errors import InvalidInput
from complaints.evidence.choices import JPEG, PDF, PNG, WEBP, EvidenceKind, EvidenceVisibility
from complaints.evidence.models import Evidence
from complaints.evidence.responses import evidence_response
from complaints.evidence.selectors import evidence_for_carrier
from complaints.evidence.services import evidence_add
from complaints.partners.api.etags import IF_MATCH_PARAMETER, complaint_etag, expected_version
from complaints.partners.api.exceptions import Conflict
from complaints.partners.api.idempotency import idempotent
from complaints.partners.api.schema import WRITE_ERRORS, error_responses
from complaints.partners.api.views import REFERENCE_PARAMETER, CarrierComplaintView

TAGS = ["attachments"]
# What a file is served as (HEIC is stored as JPEG).
SERVED_TYPES = (JPEG, PNG, WEBP, PDF)

ATTACHMENT_ID_PARAMETER = OpenApiParameter(
    "attachment_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The attachment's `id`."
)


class AttachmentSerializer(serializers.ModelSerializer):
    content_type = serializers.CharField(
        help_text="What the file is, read from its bytes (pictures are re-encoded): image/jpeg, image/png, "
        "image/webp or application/pdf."
    )
    size = serializers.IntegerField(source="stored_size", help_text="Bytes of the file as `content_url` serves it.")
    sha256 = serializers.CharField(source="stored_sha256", help_text="SHA-256 of the file as `content_url` serves it.")
    public = serializers.SerializerMethodField(
        help_text="true: the complainant sees it too; false: only your carrier and Redress's agents."
    )
    content_url = serializers.SerializerMethodField(help_text="Where to download the bytes, with your API key.")

    class Meta:
        model = Evidence
        fields = ["id", "kind", "content_type", "size", "sha256", "public", "created_at", "content_url"]
        read_only_fields = fields

    def get_public(self, evidence: Evidence) -> bool:
        return evidence.visibility == EvidenceVisibility.PUBLIC

    def get_content_url(self, evidence: Evidence) -> str:
        return reverse("api:complaint-attachment-content", args=[evidence.complaint.reference, evidence.pk])


class FormBooleanField(serializers.BooleanField):
    """A boolean in a form: `true` or `false` and nothing else (DRF would also read "0", "yes", "on"...), as the
    schema says."""

    def to_internal_value(self, data):
        if isinstance(data, bool):
            return data
        if data in ("true", "false"):
            return data == "true"
        raise serializers.ValidationError(_("Give true or false."), code="invalid")


class AttachmentUploadSerializer(serializers.Serializer):
    """The multipart form of an upload; any other field is refused, naming it."""

    file = serializers.FileField(
        allow_empty_file=False,
        help_text="One file: JPEG, PNG, WebP, HEIC or PDF, at most 10 MB. The type is read from the bytes.",
    )
    kind = serializers.ChoiceField(
        choices=EvidenceKind.choices,
        required=False,
        help_text="What the file shows; by default `photo` for a picture and `document` for a PDF.",
    )
    public = FormBooleanField(
        default=True,
        help_text="true (the default): the complainant sees it on their status page too; false: only your carrier "
        "and Redress's agents.",
    )

    def to_internal_value(self, data):
        extra = sorted(str(name) for name in data if name not in self.fields)
        if extra:
            known = ", ".join(sorted(self.fields))
            raise serializers.ValidationError(
                {name: [_("Unknown field: the writable fields are %(names)s.") % {"names": known}] for name in extra}
            )
        return super().to_internal_value(data)


ATTACHMENT_EXAMPLE = {
    "id": 812,
    "kind": "proof_of_delivery",
    "content_type": "image/jpeg",
    "size": 184223,
    "sha256": "9f2c4b1e0d6a7c3b5e8f1a2d4c6b8e0f1a3c5e7b9d1f3a5c7e9b1d3f5a7c9e1b",
    "public": True,
    "created_at": "2026-11-24T10:00:00+08:00",
    "content_url": "/api/v1/complaints/C2611240007/attachments/812/content/",
}


def refuse_unseen(*, complaint, added: list[Evidence]) -> None:
    """409 when an upload matched bytes the complaint already has as a file the carrier may not see (for the agents
    only, or hidden): it is not stored again, and its details are not the carrier's to read."""
    visible = set(
        evidence_for_carrier(complaint=complaint).filter(pk__in=[e.pk for e in added]).values_list("pk", flat=True)
    )
    if any(e.pk not in visible for e in added):
        raise Conflict(
            _("This complaint already has this file, as a file for Redress's agents. Nothing was added."),
            code="file_already_attached",
        )


def carrier_file_response(*, complaint, evidence_id: int):
    """The bytes of one of the complaint's files the carrier may see; 404 for any other."""
    evidence = evidence_for_carrier(complaint=complaint).filter(pk=evidence_id).first()
    if evidence is None:
        raise Http404
    return evidence_response(evidence)


class ComplaintAttachmentsView(CarrierComplaintView):
    parser_classes = [MultiPartParser]

    def max_body_bytes(self) -> int:
        # One file at its size limit and the form around it; a file over its own limit is then refused by the
        # service (413 file_too_large, naming it).
        return settings.REDRESS_EVIDENCE_MAX_FILE_BYTES + settings.REDRESS_API_MAX_BODY_BYTES

    @extend_schema(
        operation_id="complaints_attachments_list",
        tags=TAGS,
        summary="The complaint's attachments",
        description="The files of one of your complaints that your carrier may see, oldest first: the public ones "
        "and those meant for carriers, from the complainant, Redress's agents or you. Files for Redress's agents "
        "only and files an agent hid are not listed. Download each from its `content_url` with your key.",
        parameters=[REFERENCE_PARAMETER],
        responses={200: AttachmentSerializer(many=True), **error_responses(400, 404)},
        examples=[OpenApiExample("Attachments", response_only=True, value=[ATTACHMENT_EXAMPLE])],
    )
    def get(self, request, reference: str):
        complaint = self.get_complaint(reference)
        files = evidence_for_carrier(complaint=complaint).select_related("complaint")
        return Response(AttachmentSerializer(files, many=True).data)

    @extend_schema(
        operation_id="complaints_attachments_create",
        tags=TAGS,
        summary="Attach a file",
        description="Attach one file (`multipart/form-data`, field `file`): a photo (JPEG, PNG, WebP, HEIC) or a "
        "PDF, at most 10 MB, 20 files a complaint. The type is read from the bytes, whatever the name says; "
        "pictures are re-encoded without their metadata (GPS included). `kind` defaults to `photo` for a picture "
        "and `document` for a PDF; `public` (default true) lets the complainant see it. A file the complaint "
        "already has (the same bytes) is not stored again: the answer is the attachment it has. The "
        "Idempotency-Key covers the file's bytes: a retry with the same key and the same file replays the first "
        "answer; the same key with another file is 422. 201 with the attachment; 413 `file_too_large` for a file "
        "over 10 MB (`too_large` when the whole body is over 10 MB and 64 KiB: it is then not read); 400 "
        "`file_type_not_allowed` for another type, `too_many_files` past 20 a complaint or for more than one file; "
        "409 `file_already_attached` when the complaint already has the same bytes as a file for Redress's agents.",
        request={"multipart/form-data": AttachmentUploadSerializer},
        parameters=[REFERENCE_PARAMETER, IF_MATCH_PARAMETER],
        responses={201: AttachmentSerializer, **error_responses(*WRITE_ERRORS, 403, 404, 412)},
        examples=[OpenApiExample("Attached", response_only=True, status_codes=["201"], value=ATTACHMENT_EXAMPLE)],
    )
    @idempotent
    def post(self, request, reference: str):
        complaint = self.get_complaint(reference)
        if len(request.FILES.getlist("file")) > 1:
            raise InvalidInput(
                _("Send one file per request."),
                fields={"file": [_("Send one file per request.")]},
                code="too_many_files",
            )
        data = {name: request.data.get(name) for name in request.data}
        serializer = AttachmentUploadSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        fields = serializer.validated_data
        visibility = EvidenceVisibility.PUBLIC if fields["public"] else EvidenceVisibility.CARRIER
        [added] = evidence_add(
            complaint=complaint,
            actor=request.user,
            files=[fields["file"]],
            kind=fields.get("kind"),
            visibility=visibility,
            expected_version=expected_version(request, complaint),
        )
        refuse_unseen(complaint=complaint, added=[added])
        complaint.refresh_from_db()
        return Response(
            AttachmentSerializer(added).data,
            status=status.HTTP_201_CREATED,
            headers={"ETag": complaint_etag(complaint)},
        )


class ComplaintAttachmentContentView(CarrierComplaintView):
    @extend_schema(
        operation_id="complaints_attachments_content",
        tags=TAGS,
        summary="Download an attachment",
        description="The file's bytes, with its `Content-Type`. Pictures come `inline`, documents (PDF) as "
        "`attachment`; always with `X-Content-Type-Options: nosniff`. 404 for a file your carrier may not see.",
        parameters=[REFERENCE_PARAMETER, ATTACHMENT_ID_PARAMETER],
        responses={
            **{
                (200, content_type): OpenApiResponse(OpenApiTypes.BINARY, description="The file.")
                for content_type in SERVED_TYPES
            },
            304: OpenApiResponse(description="Not modified since that ETag."),
            **error_responses(400, 404),
        },
    )
    def get(self, request, reference: str, attachment_id: int):
        return carrier_file_response(complaint=self.get_complaint(reference), evidence_id=attachment_id)
