"""Compensation: the published standard (versioned policy), claims computed from it, approved once and paid once,
and the carrier's share charged back to it. Changed only through complaints.compensation.services."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from complaints.compensation.choices import LIVE_STATES, Case, ClaimState, MismatchKind
from complaints.compensation.claim_inputs import ClaimInputs, PolicyTerms
from complaints.compensation.numbers import MAX_AMOUNT

__all__ = ["MAX_AMOUNT", "Chargeback", "CompensationClaim", "CompensationPolicy"]
MONEY = {"max_digits": 12, "decimal_places": 2}
PERCENT = {"max_digits": 5, "decimal_places": 2}


def _money_range(field: str, *, nullable: bool = False) -> Q:
    condition = Q(**{f"{field}__gte": 0, f"{field}__lt": MAX_AMOUNT})
    return Q(**{f"{field}__isnull": True}) | condition if nullable else condition


class CompensationPolicy(models.Model):
    """One version of the compensation standard. A version that exists is never changed: saving a change creates
    the next version and makes it the active one (compensation_policy_save), so every claim keeps the rules it was
    computed and decided under."""

    version = models.PositiveIntegerField(_("version"), unique=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True, editable=False)

    delay_fee_waiver_percent = models.DecimalField(
        _("delay: share of the shipping fee waived (%)"),
        default=Decimal("100.00"),
        **PERCENT,
        help_text=_("GB/T 27917.3: the shipping fee is waived for a delay; the insurance fee is not."),
    )
    loss_fee_refund_percent = models.DecimalField(
        _("loss: share of the shipping fee refunded on top of the value (%)"),
        default=Decimal("100.00"),
        **PERCENT,
        help_text=_("A lost parcel is paid its actual value plus the shipping fee."),
    )
    insured_cap = models.BooleanField(_("cap insured parcels at the insured value plus the fee"), default=True)
    uninsured_cap_multiple = models.DecimalField(
        _("uninsured parcels: cap at this many times the shipping fee"),
        null=True,
        blank=True,
        **PERCENT,
        help_text=_("Empty: no cap (the default). Carriers use 3 to 7."),
    )
    damage_min_percent = models.DecimalField(
        _("partial damage: share of the damaged value paid (%)"),
        default=Decimal("100.00"),
        **PERCENT,
        help_text=_("Damage is paid at not less than this share of the actual value of what was damaged."),
    )
    agent_approval_limit = models.DecimalField(
        _("agents approve up to (CNY)"),
        default=Decimal("500.00"),
        **MONEY,
        help_text=_("Above this amount a supervisor approves."),
    )

    note = models.TextField(_("what changed and why"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("compensation policy")
        verbose_name_plural = _("compensation policies")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="compensation_policy_one_active"
            ),
            models.CheckConstraint(
                condition=Q(delay_fee_waiver_percent__gte=0, delay_fee_waiver_percent__lte=100),
                name="compensation_policy_delay_share_range",
                violation_error_message=_("The share of the fee waived for a delay is a percentage from 0 to 100."),
            ),
            models.CheckConstraint(
                condition=Q(loss_fee_refund_percent__gte=0, loss_fee_refund_percent__lte=100),
                name="compensation_policy_loss_fee_range",
                violation_error_message=_("The share of the fee refunded for a loss is a percentage from 0 to 100."),
            ),
            models.CheckConstraint(
                condition=Q(uninsured_cap_multiple__isnull=True)
                | Q(uninsured_cap_multiple__gte=1, uninsured_cap_multiple__lte=100),
                name="compensation_policy_cap_multiple_range",
                violation_error_message=_("The uninsured cap is a multiple of the fee from 1 to 100, or empty."),
            ),
            models.CheckConstraint(
                condition=Q(damage_min_percent__gt=0, damage_min_percent__lte=100),
                name="compensation_policy_damage_share_range",
                violation_error_message=_("The share paid for damage is a percentage above 0 and at most 100."),
            ),
            models.CheckConstraint(
                condition=Q(agent_approval_limit__gt=0, agent_approval_limit__lt=MAX_AMOUNT),
                name="compensation_policy_limit_range",
                violation_error_message=_("The agents' approval limit must be more than zero."),
            ),
        ]

    def __str__(self) -> str:
        return str(_("Compensation policy v%(version)s") % {"version": self.version})

    def terms(self) -> PolicyTerms:
        return PolicyTerms(
            delay_fee_waiver_percent=self.delay_fee_waiver_percent,
            loss_fee_refund_percent=self.loss_fee_refund_percent,
            insured_cap=self.insured_cap,
            uninsured_cap_multiple=self.uninsured_cap_multiple,
            damage_min_percent=self.damage_min_percent,
        )


class CompensationClaim(models.Model):
    """A claim for compensation on a complaint: computed from the inputs and the policy, proposed (possibly at
    another amount, with a reason), approved or rejected, and paid at most once."""

    complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("complaint"),
        on_delete=models.PROTECT,
        related_name="compensation_claims",
    )
    case = models.CharField(_("case"), max_length=20, choices=Case.choices)
    state = models.CharField(_("state"), max_length=10, choices=ClaimState.choices, default=ClaimState.PROPOSED)

    # The inputs, as they were when the amount was computed (the complaint's values may be corrected later).
    declared_value = models.DecimalField(_("declared value (CNY)"), **MONEY)
    insured_value = models.DecimalField(_("insured value (CNY)"), **MONEY)
    shipping_fee = models.DecimalField(
        _("shipping fee (CNY)"),
        null=True,
        blank=True,
        **MONEY,
        help_text=_("Empty: not recorded on the complaint (only claims that do not need the fee are computed then)."),
    )
    proven_value = models.DecimalField(
        _("proven value (CNY)"),
        null=True,
        blank=True,
        **MONEY,
        help_text=_("The actual value shown by an invoice or receipt, if any."),
    )
    days_late = models.PositiveIntegerField(_("days late"), default=0)
    damaged_share = models.DecimalField(_("damaged share (%)"), null=True, blank=True, **PERCENT)
    items_affected = models.PositiveIntegerField(
        _("items damaged or missing"),
        null=True,
        blank=True,
        help_text=_("With the items in the parcel: the share as item counts (1 of 3 is exactly a third)."),
    )
    items_total = models.PositiveIntegerField(_("items in the parcel"), null=True, blank=True)
    mismatch_kind = models.CharField(_("mismatch kind"), max_length=20, choices=MismatchKind.choices, blank=True)
    value_destroyed = models.BooleanField(_("the delay destroyed the item's value"), default=False)

    computed_amount = models.DecimalField(_("computed amount (CNY)"), **MONEY)
    proposed_amount = models.DecimalField(_("proposed amount (CNY)"), **MONEY)
    approved_amount = models.DecimalField(_("approved amount (CNY)"), null=True, blank=True, **MONEY)
    carrier_liable_amount = models.DecimalField(
        _("carrier's share (CNY)"),
        default=Decimal("0.00"),
        **MONEY,
        help_text=_("Charged back to the carrier when the claim is paid."),
    )
    carrier_share_set = models.BooleanField(
        _("carrier's share set by hand"),
        default=False,
        help_text=_(
            "Set by the proposer or the approver. Otherwise the share follows the complaint's finding when the claim "
            "is paid: the whole amount, or nothing if the carrier was found not liable."
        ),
    )
    explanation = models.JSONField(
        _("explanation"), default=dict, blank=True, help_text=_("The computation line by line, per language.")
    )
    reason = models.TextField(_("reason for the proposed amount"), blank=True)
    # The complaint's files the claim relies on (complaints/evidence): photos of the damage, the receipt behind a
    # proven value. Chosen when the claim is proposed.
    evidence = models.ManyToManyField(
        "complaints.Evidence", verbose_name=_("files it relies on"), blank=True, related_name="compensation_claims"
    )

    policy = models.ForeignKey(
        CompensationPolicy, verbose_name=_("computed under policy"), on_delete=models.PROTECT, related_name="claims"
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("proposed by"),
        on_delete=models.PROTECT,
        related_name="compensation_proposed",
    )
    proposed_at = models.DateTimeField(_("proposed at"), db_index=True)

    decision_policy = models.ForeignKey(
        CompensationPolicy,
        verbose_name=_("decided under policy"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decided_claims",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="compensation_decided",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True, db_index=True)
    decision_note = models.TextField(_("decision note"), blank=True)

    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("payout recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="compensation_paid",
    )
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True, db_index=True)
    payout_reference = models.CharField(
        _("payout reference"), max_length=64, blank=True, help_text=_("The bank or payment reference of the transfer.")
    )

    class Meta:
        verbose_name = _("compensation claim")
        verbose_name_plural = _("compensation claims")
        ordering = ["-proposed_at", "-id"]
        permissions = [
            ("decide_compensationclaim", _("Can approve or reject compensation up to the agents' limit")),
            ("decide_above_limit_compensationclaim", _("Can approve or reject compensation above the agents' limit")),
            ("pay_compensationclaim", _("Can record the payout of approved compensation")),
        ]
        indexes = [models.Index(fields=["state", "-proposed_at"], name="claim_state_proposed")]
        constraints = [
            models.CheckConstraint(condition=Q(case__in=Case.values), name="claim_case_known"),
            models.CheckConstraint(condition=Q(state__in=ClaimState.values), name="claim_state_known"),
            models.CheckConstraint(
                condition=(Q(case=Case.CONTENTS_MISMATCH) & Q(mismatch_kind__in=MismatchKind.values))
                | (~Q(case=Case.CONTENTS_MISMATCH) & Q(mismatch_kind="")),
                name="claim_mismatch_kind_iff_mismatch",
                violation_error_message=_(
                    "A contents-mismatch claim says whether the item or the quantity is wrong; other cases do not."
                ),
            ),
            *(
                models.CheckConstraint(
                    condition=_money_range(name),
                    name=f"claim_{name}_range",
                    violation_error_message=_("Amounts are from 0 to less than 1,000,000 CNY."),
                )
                for name in (
                    "declared_value",
                    "insured_value",
                    "computed_amount",
                    "proposed_amount",
                    "carrier_liable_amount",
                )
            ),
            *(
                models.CheckConstraint(
                    condition=_money_range(name, nullable=True),
                    name=f"claim_{name}_range",
                    violation_error_message=_("Amounts are from 0 to less than 1,000,000 CNY."),
                )
                for name in ("shipping_fee", "proven_value", "approved_amount")
            ),
            # The share as item counts: both or neither, at least one of at least one, never with a percentage.
            models.CheckConstraint(
                condition=Q(items_affected__isnull=True, items_total__isnull=True)
                | Q(
                    items_affected__gte=1,
                    items_total__gte=1,
                    items_affected__lte=F("items_total"),
                    damaged_share__isnull=True,
                ),
                name="claim_items_share",
                violation_error_message=_(
                    "Item counts come together (affected of total, at least 1 of at least 1) and not with a percentage."
                ),
            ),
            models.CheckConstraint(
                condition=Q(damaged_share__isnull=True) | Q(damaged_share__gte=0, damaged_share__lte=100),
                name="claim_damaged_share_range",
                violation_error_message=_("The damaged share is a percentage from 0 to 100."),
            ),
            models.CheckConstraint(
                condition=Q(carrier_liable_amount__lte=F("proposed_amount")),
                name="claim_carrier_share_within_amount",
                violation_error_message=_("The carrier's share cannot be more than the amount."),
            ),
            models.CheckConstraint(
                condition=Q(proposed_amount=F("computed_amount")) | ~Q(reason=""),
                name="claim_reason_when_amount_differs",
                violation_error_message=_("Give a reason when the proposed amount differs from the computed one."),
            ),
            models.CheckConstraint(
                condition=~Q(state__in=[ClaimState.APPROVED, ClaimState.PAID])
                | Q(
                    approved_amount__isnull=False,
                    decided_at__isnull=False,
                    decided_by__isnull=False,
                    decision_policy__isnull=False,
                ),
                name="claim_approved_has_decision",
            ),
            models.CheckConstraint(
                condition=~Q(state=ClaimState.REJECTED)
                | Q(approved_amount__isnull=True, decided_at__isnull=False, decided_by__isnull=False),
                name="claim_rejected_has_decision",
            ),
            # Paid ⇔ a payout reference and a time: a claim carries one payout, and only a paid claim has one.
            models.CheckConstraint(
                condition=(Q(state=ClaimState.PAID) & ~Q(payout_reference="") & Q(paid_at__isnull=False))
                | (~Q(state=ClaimState.PAID) & Q(payout_reference="") & Q(paid_at__isnull=True)),
                name="claim_paid_has_payout",
            ),
            models.UniqueConstraint(
                fields=["payout_reference"],
                condition=~Q(payout_reference=""),
                name="claim_payout_reference_unique",
                violation_error_message=_("This payout reference is already recorded."),
            ),
            # One live claim per complaint and case: the same loss is never compensated twice.
            models.UniqueConstraint(
                fields=["complaint", "case"], condition=Q(state__in=LIVE_STATES), name="claim_one_live_per_case"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.complaint} · {self.get_case_display()} · ¥{self.proposed_amount}"

    def inputs(self) -> ClaimInputs:
        return ClaimInputs(
            case=self.case,
            declared_value=self.declared_value,
            insured_value=self.insured_value,
            shipping_fee=self.shipping_fee,
            proven_value=self.proven_value,
            days_late=self.days_late,
            damaged_share=self.damaged_share,
            mismatch_kind=self.mismatch_kind,
            value_destroyed=self.value_destroyed,
            items_affected=self.items_affected,
            items_total=self.items_total,
        )

    @property
    def amount(self):
        """The amount that counts: approved once decided, proposed until then."""
        return self.approved_amount if self.approved_amount is not None else self.proposed_amount


class Chargeback(models.Model):
    """The carrier's share of a paid claim, charged back to that carrier. Recorded when the claim is paid (money
    that never went out is not charged back); one per claim."""

    claim = models.OneToOneField(
        CompensationClaim, verbose_name=_("claim"), on_delete=models.PROTECT, related_name="chargeback"
    )
    carrier = models.ForeignKey(
        "accounts.Carrier", verbose_name=_("carrier"), on_delete=models.PROTECT, related_name="chargebacks"
    )
    amount = models.DecimalField(_("amount (CNY)"), **MONEY)
    recorded_at = models.DateTimeField(_("recorded at"), db_index=True)

    class Meta:
        verbose_name = _("chargeback")
        verbose_name_plural = _("chargebacks")
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0, amount__lt=MAX_AMOUNT), name="chargeback_amount_range"),
        ]

    def __str__(self) -> str:
        return f"{self.carrier.code} ¥{self.amount}"
