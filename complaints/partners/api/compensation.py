"""The partner API's compensation endpoint: a carrier proposes compensation on one of its complaints.

POST /api/v1/complaints/{reference}/compensation-proposals/. Same rules as the rest of the API: the carrier's key,
another carrier's complaint is 404, Idempotency-Key required, If-Match optional, one error shape."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from complaints.compensation import services
from complaints.compensation.choices import Case, MismatchKind
from complaints.compensation.models import CompensationClaim
from complaints.compensation.services import TEXT_MAX_LENGTH
from complaints.partners.api.etags import (
    IF_MATCH_PARAMETER,
    complaint_etag,
    expected_version,
)
from complaints.partners.api.idempotency import idempotent
from complaints.partners.api.schema import WRITE_ERRORS, error_responses
from complaints.partners.api.serializers import PlainNumberField, StrictSerializer
from complaints.partners.api.views import REFERENCE_PARAMETER, CarrierComplaintView


class CompensationProposalCreateSerializer(StrictSerializer):
    """Amounts are strings in CNY ("12.50"), written plainly (PlainNumberField: digits, at most 20 characters, no
    exponent); the service checks their range (0 to less than 1,000,000, to the fen) and says what is wrong."""

    case = serializers.ChoiceField(choices=Case.choices, help_text="delay, loss, damage or contents_mismatch.")
    days_late = serializers.IntegerField(
        required=False, default=0, min_value=0, max_value=3650, help_text="Delay: days late (1 or more)."
    )
    value_destroyed = serializers.BooleanField(
        required=False, default=False, help_text="Delay: the delay destroyed the item's value (paid as a loss)."
    )
    proven_value = PlainNumberField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The actual value shown by an invoice, in CNY. Default: the declared value.",
    )
    damaged_share = PlainNumberField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Damage and wrong quantity: the damaged or missing share of the "
        "value, in percent (0-100; 100 is total damage). Or give `items_affected` and `items_total` instead.",
    )
    items_affected = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=0,
        max_value=100_000,
        help_text="Damage and wrong quantity, instead of `damaged_share`: how many items are damaged or missing, "
        "of `items_total` (1 of 3 is paid as exactly a third of the value, rounded to the fen once).",
    )
    items_total = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=0,
        max_value=100_000,
        help_text="With `items_affected`: how many items the parcel held.",
    )
    mismatch_kind = serializers.ChoiceField(
        choices=MismatchKind.choices,
        required=False,
        default="",
        allow_blank=True,
        help_text="Contents mismatch: wrong_item or wrong_quantity.",
    )
    proposed_amount = PlainNumberField(
        required=False,
        allow_null=True,
        default=None,
        help_text="Default: the amount computed from the published standard. Another amount needs a `reason`.",
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=TEXT_MAX_LENGTH,
        help_text="Why the proposed amount differs from the computed one.",
    )


class CompensationClaimSerializer(serializers.ModelSerializer):
    complaint = serializers.CharField(source="complaint.reference", read_only=True)
    policy_version = serializers.IntegerField(
        source="policy.version",
        read_only=True,
        help_text="The version of the compensation standard it was computed under.",
    )
    mismatch_kind = serializers.CharField(
        read_only=True, help_text="wrong_item or wrong_quantity (contents mismatch), else empty."
    )
    explanation = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        read_only=True,
        help_text="The computation line by line, in zh-hans and en.",
    )

    class Meta:
        model = CompensationClaim
        fields = [
            "id",
            "complaint",
            "case",
            "state",
            "computed_amount",
            "proposed_amount",
            "approved_amount",
            "carrier_liable_amount",
            "reason",
            "explanation",
            "policy_version",
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
            "proposed_at",
            "decided_at",
            "paid_at",
        ]
        read_only_fields = fields


CLAIM_EXAMPLE = {
    "id": 7,
    "complaint": "C2611240007",
    "case": "delay",
    "state": "proposed",
    "computed_amount": "12.00",
    "proposed_amount": "12.00",
    "approved_amount": None,
    "carrier_liable_amount": "12.00",
    "reason": "",
    "explanation": {
        "zh-hans": [
            "快件延误2天：依据GB/T 27917.3，免除本次服务费用（不含保价等附加费用）。",
            "运费 ¥12.00 × 100% = ¥12.00。",
            "赔偿金额：¥12.00。",
        ],
        "en": [
            "The parcel was 2 days late: the shipping fee is waived (the insurance fee is not), per GB/T 27917.3.",
            "Shipping fee ¥12.00 × 100% = ¥12.00.",
            "Compensation: ¥12.00.",
        ],
    },
    "policy_version": 1,
    "declared_value": "200.00",
    "insured_value": "0.00",
    "shipping_fee": "12.00",
    "proven_value": None,
    "days_late": 2,
    "damaged_share": None,
    "items_affected": None,
    "items_total": None,
    "mismatch_kind": "",
    "value_destroyed": False,
    "proposed_at": "2026-11-24T11:00:00+08:00",
    "decided_at": None,
    "paid_at": None,
}


class CompensationProposalsView(CarrierComplaintView):
    @extend_schema(
        operation_id="complaints_propose_compensation",
        tags=["complaints"],
        summary="Propose compensation",
        description="Propose compensation on one of your complaints under Redress's published standard (GB/T "
        "27917.3): the amount is computed from the complaint's declared, insured and proven value, the "
        "shipping fee and the case, and explained line by line in Chinese and English. Propose another "
        "amount with a `reason`. A Redress agent (a supervisor above the agents' limit) approves or "
        "rejects it. One live claim per complaint and case: 409 while one is proposed, approved or "
        "paid; proposing exactly the same claim again returns it. 201 with the claim. 400 "
        "`shipping_fee_unknown` when the claim needs the shipping fee (a delay, a loss) and the complaint has none "
        "recorded.",
        request=CompensationProposalCreateSerializer,
        parameters=[REFERENCE_PARAMETER, IF_MATCH_PARAMETER],
        responses={201: CompensationClaimSerializer, **error_responses(*WRITE_ERRORS, 403, 404, 412)},
        examples=[
            OpenApiExample("Delay", request_only=True, value={"case": "delay", "days_late": 2}),
            OpenApiExample(
                "Partial damage",
                request_only=True,
                value={"case": "damage", "damaged_share": "30", "proven_value": "899.00"},
            ),
            OpenApiExample(
                "Items missing",
                request_only=True,
                value={
                    "case": "contents_mismatch",
                    "mismatch_kind": "wrong_quantity",
                    "items_affected": 1,
                    "items_total": 3,
                },
            ),
            OpenApiExample(
                "Another amount",
                request_only=True,
                value={"case": "loss", "proposed_amount": "250.00", "reason": "Receipt shows 238.00 plus the fee."},
            ),
            OpenApiExample("Proposed", response_only=True, status_codes=["201"], value=CLAIM_EXAMPLE),
        ],
    )
    @idempotent
    def post(self, request, reference: str):
        complaint = self.get_complaint(reference)
        serializer = CompensationProposalCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        claim = services.claim_propose(
            complaint=complaint,
            actor=request.user,
            expected_version=expected_version(request, complaint),
            **serializer.validated_data,
        )
        complaint.refresh_from_db(fields=["version"])
        return Response(
            CompensationClaimSerializer(claim).data,
            status=status.HTTP_201_CREATED,
            headers={"ETag": complaint_etag(complaint)},
        )
