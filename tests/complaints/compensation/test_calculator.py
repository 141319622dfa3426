"""The standard's formulas against worked examples (GB/T 27917.3 and the published commitments, docs/domain.md): exact
Decimal, rounded to the fen half up, explained line by line in Chinese and English."""

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from complaints.compensation.calculator import ClaimInputs, PolicyTerms, compute
from complaints.errors import InvalidInput

DEFAULT = PolicyTerms()
CAP_3X = PolicyTerms(uninsured_cap_multiple=D("3"))


def _claim(case, value="200.00", insured="0.00", fee="12.00", **kw):
    return ClaimInputs(case=case, declared_value=D(value), insured_value=D(insured), shipping_fee=D(fee), **kw)


@pytest.mark.parametrize(
    ("inputs", "terms", "amount", "basis"),
    [
        # Delay: the fee is waived, whatever the value.
        pytest.param(
            _claim("delay", value="5000", fee="12.00", days_late=2), DEFAULT, "12.00", "delay", id="delay-fee-waived"
        ),
        # Half the fee waived: 15.55 × 50% = 7.775 → 7.78 (half up, not banker's 7.78/7.77).
        pytest.param(
            _claim("delay", fee="15.55", days_late=1),
            PolicyTerms(delay_fee_waiver_percent=D("50")),
            "7.78",
            "delay",
            id="delay-half-fee-rounded-half-up",
        ),
        # The ZTO case: medical equipment late, its value destroyed → paid as a loss: 5000 + 80.
        pytest.param(
            _claim("delay", value="5000", fee="80", days_late=3, value_destroyed=True, proven_value=D("4800")),
            DEFAULT,
            "4880.00",
            "loss",
            id="delay-destroyed-value-is-loss",
        ),
        # Loss, uninsured, no cap: value + fee.
        pytest.param(_claim("loss", value="200", fee="12"), DEFAULT, "212.00", "loss", id="loss-uninsured"),
        # Loss, insured below the value: capped at insured value + fee = 2000 + 20.
        pytest.param(
            _claim("loss", value="3000", insured="2000", fee="20"),
            DEFAULT,
            "2020.00",
            "loss",
            id="loss-insured-cap-applies",
        ),
        # Loss, insured above the value: the actual loss is paid (800 + 20), the cap is not a payout.
        pytest.param(
            _claim("loss", value="800", insured="1000", fee="20"),
            DEFAULT,
            "820.00",
            "loss",
            id="loss-insured-within-cap",
        ),
        # Insured cap switched off: value + fee even above the insured value.
        pytest.param(
            _claim("loss", value="3000", insured="2000", fee="20"),
            PolicyTerms(insured_cap=False),
            "3020.00",
            "loss",
            id="loss-insured-cap-off",
        ),
        # Loss, uninsured with the 3× cap: min(500 + 12, 3 × 12) = 36.
        pytest.param(_claim("loss", value="500", fee="12"), CAP_3X, "36.00", "loss", id="loss-uninsured-cap-3x"),
        # Uninsured cap that does not bite: min(20 + 12, 36) = 32.
        pytest.param(_claim("loss", value="20", fee="12"), CAP_3X, "32.00", "loss", id="loss-uninsured-under-cap"),
        # The proven value wins over the declared one.
        pytest.param(
            _claim("loss", value="200", fee="10", proven_value=D("159.90")),
            DEFAULT,
            "169.90",
            "loss",
            id="loss-proven-value",
        ),
        # Total damage is a loss.
        pytest.param(
            _claim("damage", value="600", fee="15", damaged_share=D("100")),
            DEFAULT,
            "615.00",
            "loss",
            id="damage-total-is-loss",
        ),
        # Partial damage: 30% of 1000.
        pytest.param(
            _claim("damage", value="1000", fee="20", damaged_share=D("30")),
            DEFAULT,
            "300.00",
            "partial_damage",
            id="damage-partial",
        ),
        # Partial damage, insured below value: min(50% × 1000, 50% × 600) = 300.
        pytest.param(
            _claim("damage", value="1000", insured="600", fee="20", damaged_share=D("50")),
            DEFAULT,
            "300.00",
            "partial_damage",
            id="damage-partial-insured-cap",
        ),
        # Partial damage, uninsured 5× cap: min(40% × 300, 40% × 5 × 10) = 20.
        pytest.param(
            _claim("damage", value="300", fee="10", damaged_share=D("40")),
            PolicyTerms(uninsured_cap_multiple=D("5")),
            "20.00",
            "partial_damage",
            id="damage-partial-uninsured-cap",
        ),
        # Partial damage at 80%: 999.99 × 33.33% = 333.296… → 333.30; × 80% = 266.64.
        pytest.param(
            _claim("damage", value="999.99", fee="20", damaged_share=D("33.33")),
            PolicyTerms(damage_min_percent=D("80")),
            "266.64",
            "partial_damage",
            id="damage-partial-share-of-value-rounded",
        ),
        # Wrong item: total damage, i.e. a loss.
        pytest.param(
            _claim("contents_mismatch", value="150", fee="10", mismatch_kind="wrong_item"),
            DEFAULT,
            "160.00",
            "loss",
            id="mismatch-wrong-item",
        ),
        # Wrong quantity: 2 of 5 missing = 40% of 250.
        pytest.param(
            _claim("contents_mismatch", value="250", fee="10", mismatch_kind="wrong_quantity", damaged_share=D("40")),
            DEFAULT,
            "100.00",
            "partial_damage",
            id="mismatch-wrong-quantity",
        ),
    ],
)
def test_each_case_pays_what_the_standard_says(inputs, terms, amount, basis):
    # When the claim is computed
    result = compute(inputs, terms)

    # Then the amount is exact to the fen, by the case's formula, and the explanation ends with it
    assert result.amount == D(amount)
    assert str(result.amount) == amount
    assert result.basis == basis
    assert result.explanation("en")[-1] == f"Compensation: ¥{D(amount):,.2f}."
    assert result.explanation("zh-hans")[-1] == f"赔偿金额：¥{D(amount):,.2f}。"


def test_the_explanation_reads_the_same_computation_in_both_languages():
    # Given an insured parcel lost, worth more than its insured value
    inputs = _claim("loss", value="3000", insured="2000", fee="20")

    # When it is computed
    result = compute(inputs, DEFAULT)

    # Then the agent can read each step, in Chinese and in English, with the same figures
    assert result.explanation("zh-hans") == [
        "快件丢失：赔偿实际价值并退还运费。",
        "实际价值：¥3,000.00（按寄件时声明的价值，未提供价值凭证）。",
        "退还运费：¥20.00 × 100% = ¥20.00。",
        "价值加运费：¥3,000.00 + ¥20.00 = ¥3,020.00。",
        "保价快件：最高赔偿保价金额加运费，¥2,000.00 + ¥20.00 = ¥2,020.00。",
        "¥3,020.00 超过上限 ¥2,020.00：按上限 ¥2,020.00 赔偿。",
        "赔偿金额：¥2,020.00。",
    ]
    assert result.explanation("en") == [
        "The parcel was lost: its actual value plus the shipping fee is paid.",
        "Actual value: ¥3,000.00 (the value declared when shipping; no proof of value was given).",
        "Shipping fee refunded: ¥20.00 × 100% = ¥20.00.",
        "Value plus fee: ¥3,000.00 + ¥20.00 = ¥3,020.00.",
        "Insured parcel: at most the insured value plus the fee, ¥2,000.00 + ¥20.00 = ¥2,020.00.",
        "¥3,020.00 is above the cap of ¥2,020.00: ¥2,020.00 is paid.",
        "Compensation: ¥2,020.00.",
    ]
    assert result.as_json() == {"zh-hans": result.explanation("zh-hans"), "en": result.explanation("en")}


def test_a_delay_explains_that_the_insurance_fee_is_not_waived():
    result = compute(_claim("delay", fee="12.00", days_late=1), DEFAULT)

    assert result.explanation("en")[:2] == [
        "The parcel was 1 day late: the shipping fee is waived (the insurance fee is not), per GB/T 27917.3.",
        "Shipping fee ¥12.00 × 100% = ¥12.00.",
    ]
    assert result.explanation("zh-hans")[0] == "快件延误1天：依据GB/T 27917.3，免除本次服务费用（不含保价等附加费用）。"


@pytest.mark.parametrize(
    ("inputs", "field"),
    [
        pytest.param(_claim("delay", days_late=0), "days_late", id="delay-without-days"),
        pytest.param(_claim("delay", days_late=-2), "days_late", id="negative-days"),
        pytest.param(_claim("damage", damaged_share=D("120")), "damaged_share", id="share-above-100"),
        pytest.param(_claim("damage", damaged_share=D("-5")), "damaged_share", id="share-negative"),
        pytest.param(_claim("damage", damaged_share=D("0")), "damaged_share", id="share-zero"),
        pytest.param(_claim("damage"), "damaged_share", id="damage-without-share"),
        pytest.param(_claim("damage", damaged_share=D("33.333")), "damaged_share", id="share-three-decimals"),
        pytest.param(_claim("loss", damaged_share=D("50")), "damaged_share", id="share-on-a-loss"),
        pytest.param(_claim("contents_mismatch"), "mismatch_kind", id="mismatch-without-kind"),
        pytest.param(_claim("loss", mismatch_kind="wrong_item"), "mismatch_kind", id="kind-on-a-loss"),
        pytest.param(
            _claim("contents_mismatch", mismatch_kind="wrong_quantity"),
            "damaged_share",
            id="wrong-quantity-without-share",
        ),
        pytest.param(_claim("loss", value_destroyed=True), "value_destroyed", id="destroyed-on-a-loss"),
        pytest.param(_claim("loss", value="-1"), "declared_value", id="negative-value"),
        pytest.param(_claim("loss", proven_value=D("1000000")), "proven_value", id="absurd-value"),
        pytest.param(_claim("loss", fee="12.005"), "shipping_fee", id="fee-below-the-fen"),
        pytest.param(_claim("theft"), "case", id="unknown-case"),
    ],
)
def test_contradictory_inputs_are_refused_naming_the_field(inputs, field):
    with pytest.raises(InvalidInput) as refused:
        compute(inputs, DEFAULT)

    assert field in refused.value.fields
    assert refused.value.fields[field][0]


_money = st.decimals(min_value=0, max_value=D("999999.99"), places=2, allow_nan=False, allow_infinity=False)
_share = st.decimals(min_value=D("0.01"), max_value=100, places=2, allow_nan=False, allow_infinity=False)
_terms = st.builds(
    PolicyTerms,
    delay_fee_waiver_percent=st.decimals(min_value=0, max_value=100, places=2),
    loss_fee_refund_percent=st.decimals(min_value=0, max_value=100, places=2),
    insured_cap=st.booleans(),
    uninsured_cap_multiple=st.none() | st.decimals(min_value=1, max_value=100, places=2),
    damage_min_percent=_share,
)


@given(
    case=st.sampled_from(["delay", "loss", "damage", "wrong_item", "wrong_quantity"]),
    value=_money,
    insured=_money,
    fee=_money,
    share=_share,
    destroyed=st.booleans(),
    terms=_terms,
)
def test_any_valid_claim_pays_a_fen_amount_no_more_than_value_plus_fee(
    case, value, insured, fee, share, destroyed, terms
):
    kwargs = {
        "delay": {"days_late": 1, "value_destroyed": destroyed},
        "damage": {"damaged_share": share},
        "wrong_item": {"mismatch_kind": "wrong_item"},
        "wrong_quantity": {"mismatch_kind": "wrong_quantity", "damaged_share": share},
    }.get(case, {})
    inputs = ClaimInputs(
        case="contents_mismatch" if case.startswith("wrong") else case,
        declared_value=value,
        insured_value=insured,
        shipping_fee=fee,
        **kwargs,
    )

    result = compute(inputs, terms)

    assert D("0") <= result.amount <= value + fee
    assert result.amount == result.amount.quantize(D("0.01"))
    assert result.lines[-1].amount == result.amount
    assert len(result.explanation("zh-hans")) == len(result.explanation("en"))
