"""Evidence files in the partner API under `/evidence/`: the first paths for a complaint's files, documented before
`/attachments/` (attachments.py) became the canonical ones. Kept, unchanged, as a deprecated alias for carriers that
already use them: the schema marks them deprecated and every answer says so (`Deprecation`, and a `Link` to the
successor). A carrier lists and downloads the files of its own complaints that it may see (public and carrier files,
none an agent hid), and attaches its own. Files are streamed through the API with the carrier's key, never from a
public URL."""

from __future__ import annotations

import re

from django.conf import settings
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from complaints.evidence.choices import EvidenceKind, EvidenceVisibility
from complaints.evidence.models import Evidence
from complaints.evidence.selectors import evidence_for_carrier
from complaints.evidence.services import evidence_add
from complaints.partners.api.attachments import carrier_file_response, refuse_unseen
from complaints.partners.api.etags import IF_MATCH_PARAMETER, complaint_etag, expected_version
from complaints.partners.api.idempotency import idempotent
from complaints.partners.api.schema import WRITE_ERRORS, error_responses
from complaints.partners.api.views import REFERENCE_PARAMETER, REFERENCE_PATTERN, CarrierComplaintView

TAGS = ["evidence"]


class EvidenceSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name", help_text="The file's name as it was sent.")
    content_type = serializers.CharField(help_text="What the file is, from its bytes (pictures are re-encoded).")
    size = serializers.IntegerField(source="stored_size", help_text="Bytes of the file as you download it.")
    sha256 = serializers.CharField(source="stored_sha256", help_text="SHA-256 of the file as you download it.")
    added_by = serializers.CharField(source="added_by_role", help_text="complainant, agent, supervisor or carrier.")
    download = serializers.SerializerMethodField(help_text="Where to download it, with your API key.")

    class Meta:
        model = Evidence
        fields = [
            "id",
            "kind",
            "visibility",
            "name",
            "content_type",
            "size",
            "sha256",
            "added_by",
            "created_at",
            "download",
        ]
        read_only_fields = fields

    def get_download(self, evidence: Evidence) -> str:
        return reverse("api:complaint-evidence-file", args=[evidence.complaint.reference, evidence.pk])


class EvidenceUploadSerializer(serializers.Serializer):
    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=False),
        allow_empty=False,
        help_text="One to five files: JPEG, PNG, WebP, HEIC or PDF, at most 10 MB each.",
    )
    kind = serializers.ChoiceField(choices=EvidenceKind.choices)
    visibility = serializers.ChoiceField(
        choices=[EvidenceVisibility.PUBLIC, EvidenceVisibility.CARRIER],
        default=EvidenceVisibility.CARRIER,
        help_text="`carrier`: you and Redress's agents; `public`: the complainant too.",
    )


EVIDENCE_EXAMPLE = {
    "id": 812,
    "kind": "proof_of_delivery",
    "visibility": "carrier",
    "name": "签收单.jpg",
    "content_type": "image/jpeg",
    "size": 184223,
    "sha256": "9f2c4b1e0d6a7c3b5e8f1a2d4c6b8e0f1a3c5e7b9d1f3a5c7e9b1d3f5a7c9e1b",
    "added_by": "carrier",
    "created_at": "2026-11-24T10:00:00+08:00",
    "download": "/api/v1/complaints/C2611240007/evidence/812/",
}


DEPRECATED = " Deprecated: use `/attachments/`; these paths stay for carriers that already use them."


class DeprecatedAlias:
    """Every answer of an `/evidence/` path says it is deprecated, and where its successor is."""

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        reference = kwargs.get("reference", "")
        response["Deprecation"] = "true"
        if re.fullmatch(REFERENCE_PATTERN, reference):
            response["Link"] = f'</api/v1/complaints/{reference}/attachments/>; rel="successor-version"'
        return response


class ComplaintEvidenceView(DeprecatedAlias, CarrierComplaintView):
    parser_classes = [MultiPartParser]

    def max_body_bytes(self) -> int:
        # Room for one message's files at their size limit, and the form around them; one file over its own limit
        # is then refused by the service (413 file_too_large, naming it).
        files = settings.REDRESS_EVIDENCE_MAX_FILES_PER_MESSAGE * settings.REDRESS_EVIDENCE_MAX_FILE_BYTES
        return files + settings.REDRESS_API_MAX_BODY_BYTES

    @extend_schema(
        operation_id="complaints_evidence_list",
        deprecated=True,
        tags=TAGS,
        summary="The complaint's files",
        description="The files of one of your complaints that your carrier may see, oldest first: the public ones and "
        "those meant for carriers, from the complainant, Redress's agents or you. Files an agent hid are not "
        "listed. Download each from its `download` path with your key." + DEPRECATED,
        parameters=[REFERENCE_PARAMETER],
        responses={200: EvidenceSerializer(many=True), **error_responses(400, 404)},
        examples=[OpenApiExample("Files", response_only=True, value=[EVIDENCE_EXAMPLE])],
    )
    def get(self, request, reference: str):
        complaint = self.get_complaint(reference)
        files = evidence_for_carrier(complaint=complaint).select_related("complaint")
        return Response(EvidenceSerializer(files, many=True).data)

    @extend_schema(
        operation_id="complaints_evidence_add",
        deprecated=True,
        tags=TAGS,
        summary="Attach files",
        description="Attach one to five files (`multipart/form-data`, field `files`, repeated): photos (JPEG, PNG, "
        "WebP, HEIC) or PDFs, at most 10 MB each and 20 per complaint. The type is read from the bytes, "
        "whatever the name says; pictures are re-encoded without their metadata (GPS included). A file the "
        "complaint already has (the same bytes) is not stored twice. 201 with the files; 413 "
        "`file_too_large` for a file over 10 MB; 400 for a type that is not allowed or too many files." + DEPRECATED,
        request={"multipart/form-data": EvidenceUploadSerializer},
        parameters=[REFERENCE_PARAMETER, IF_MATCH_PARAMETER],
        responses={201: EvidenceSerializer(many=True), **error_responses(*WRITE_ERRORS, 403, 404, 412)},
        examples=[OpenApiExample("Attached", response_only=True, status_codes=["201"], value=[EVIDENCE_EXAMPLE])],
    )
    @idempotent
    def post(self, request, reference: str):
        complaint = self.get_complaint(reference)
        serializer = EvidenceUploadSerializer(
            data={
                "files": request.FILES.getlist("files"),
                "kind": request.data.get("kind"),
                "visibility": request.data.get("visibility", EvidenceVisibility.CARRIER),
            }
        )
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        added = evidence_add(
            complaint=complaint,
            actor=request.user,
            files=data["files"],
            kind=data["kind"],
            visibility=data["visibility"],
            expected_version=expected_version(request, complaint),
        )
        refuse_unseen(complaint=complaint, added=added)
        complaint.refresh_from_db()
        return Response(
            EvidenceSerializer(added, many=True).data,
            status=status.HTTP_201_CREATED,
            headers={"ETag": complaint_etag(complaint)},
        )


class ComplaintEvidenceFileView(DeprecatedAlias, CarrierComplaintView):
    @extend_schema(
        operation_id="complaints_evidence_download",
        deprecated=True,
        tags=TAGS,
        summary="Download a file",
        description="The file's bytes. Pictures come as `inline`, PDFs as `attachment`; always with "
        "`X-Content-Type-Options: nosniff`. 404 for a file your carrier may not see." + DEPRECATED,
        parameters=[REFERENCE_PARAMETER],
        responses={
            (200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="The file."),
            **error_responses(400, 404),
        },
    )
    def get(self, request, reference: str, evidence_id: int):
        return carrier_file_response(complaint=self.get_complaint(reference), evidence_id=evidence_id)
