"""Partial damage and a wrong quantity by item counts: "1 of 3 items missing" is paid as
exactly a third of the value, rounded half up to the fen once, not as 33.33% of it."""

from decimal import ROUND_HALF_UP
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from complaints.compensation.calculator import ClaimInputs, PolicyTerms, compute
from complaints.errors import InvalidInput

DEFAULT = PolicyTerms()


def _short(value="100.00", fee="10.00", insured="0.00", **kw):
    return ClaimInputs(
        case="contents_mismatch",
        mismatch_kind="wrong_quantity",
        declared_value=D(value),
        insured_value=D(insured),
        shipping_fee=D(fee),
        **kw,
    )


def _damaged(value="100.00", fee="10.00", insured="0.00", **kw):
    return ClaimInputs(case="damage", declared_value=D(value), insured_value=D(insured), shipping_fee=D(fee), **kw)


@pytest.mark.parametrize(
    ("inputs", "terms", "amount", "basis"),
    [
        # 1 of 3 missing from 100.00: 100/3 = 33.333… → 33.33 (33.33% would also give 33.33, but 1/3 is exact)
        pytest.param(_short(items_affected=1, items_total=3), DEFAULT, "33.33", "partial_damage", id="1-of-3-short"),
        # 2 of 3 damaged: 200/3 = 66.666… → 66.67 (66.67% of 100.00 is 66.67; 66.66% would be 66.66)
        pytest.param(_damaged(items_affected=2, items_total=3), DEFAULT, "66.67", "partial_damage", id="2-of-3"),
        # 1 of 3 of 99.99 = 33.33 exactly; at 33.33% it would be 33.326… → 33.33 too
        pytest.param(_short("99.99", items_affected=1, items_total=3), DEFAULT, "33.33", "partial_damage", id="99.99"),
        # 1 of 6 of 0.05 = 0.008333… → 0.01 (half up at the fen)
        pytest.param(_short("0.05", items_affected=1, items_total=6), DEFAULT, "0.01", "partial_damage", id="tiny"),
        # 1 of 8 of 0.20 = 0.025 exactly → 0.03 (half up, not banker's 0.02)
        pytest.param(_short("0.20", items_affected=1, items_total=8), DEFAULT, "0.03", "partial_damage", id="half"),
        # 1 of 3 of 100.00 paid at 80%: 33.33 × 80% = 26.664 → 26.66
        pytest.param(
            _damaged(items_affected=1, items_total=3),
            PolicyTerms(damage_min_percent=D("80")),
            "26.66",
            "partial_damage",
            id="at-80-percent",
        ),
        # Insured 150.00 of 300.00, 1 of 3 damaged: min(300/3 = 100.00, 150/3 = 50.00) = 50.00
        pytest.param(
            _damaged("300.00", insured="150.00", items_affected=1, items_total=3),
            DEFAULT,
            "50.00",
            "partial_damage",
            id="insured-cap",
        ),
        # Uninsured, cap 5 × fee 10.00, 1 of 3: min(100.00, 50/3 = 16.666… → 16.67) = 16.67
        pytest.param(
            _damaged("300.00", items_affected=1, items_total=3),
            PolicyTerms(uninsured_cap_multiple=D("5")),
            "16.67",
            "partial_damage",
            id="uninsured-cap",
        ),
        # All 3 missing: total damage, paid as a loss: 100.00 + 10.00
        pytest.param(_short(items_affected=3, items_total=3), DEFAULT, "110.00", "loss", id="all-missing"),
    ],
)
def test_item_counts_pay_the_exact_share(inputs, terms, amount, basis):
    result = compute(inputs, terms)

    assert result.amount == D(amount)
    assert result.basis == basis
    assert result.explanation("en")[-1] == f"Compensation: ¥{D(amount):,.2f}."


def test_the_explanation_reads_the_item_counts_in_both_languages():
    result = compute(_short(items_affected=1, items_total=3), DEFAULT)

    assert result.explanation("zh-hans") == [
        "内件数量不符（3件中短少1件）：按部分损毁赔偿。",
        "实际价值：¥100.00（按寄件时声明的价值，未提供价值凭证）。",
        "短少部分价值：¥100.00 × 1/3 = ¥33.33。",
        "按该价值的100%赔偿：¥33.33 × 100% = ¥33.33。",
        "赔偿金额：¥33.33。",
    ]
    assert result.explanation("en") == [
        "The quantity is short (1 of 3 items missing): paid as partial damage.",
        "Actual value: ¥100.00 (the value declared when shipping; no proof of value was given).",
        "Value of what is missing: ¥100.00 × 1/3 = ¥33.33.",
        "Paid at 100% of that value: ¥33.33 × 100% = ¥33.33.",
        "Compensation: ¥33.33.",
    ]


@pytest.mark.parametrize(
    ("inputs", "field"),
    [
        pytest.param(_short(items_affected=1, items_total=3, damaged_share=D("33.33")), "damaged_share", id="both"),
        pytest.param(_short(items_affected=1), "items_total", id="affected-without-total"),
        pytest.param(_short(items_total=3), "items_affected", id="total-without-affected"),
        pytest.param(_short(items_affected=4, items_total=3), "items_affected", id="more-than-the-parcel"),
        pytest.param(_short(items_affected=0, items_total=3), "items_affected", id="none-affected"),
        pytest.param(_short(items_affected=0, items_total=0), "items_total", id="empty-parcel"),
        pytest.param(_short(items_affected=-1, items_total=3), "items_affected", id="negative"),
        pytest.param(_short(items_affected="1.5", items_total=3), "items_affected", id="not-whole"),
        pytest.param(_short(items_affected=1, items_total=10**9), "items_total", id="absurd-count"),
        pytest.param(
            ClaimInputs(
                case="loss",
                declared_value=D("100"),
                insured_value=D("0"),
                shipping_fee=D("10"),
                items_affected=1,
                items_total=3,
            ),
            "items_affected",
            id="counts-on-a-loss",
        ),
    ],
)
def test_item_counts_that_make_no_sense_are_refused_naming_the_field(inputs, field):
    with pytest.raises(InvalidInput) as refused:
        compute(inputs, DEFAULT)

    assert field in refused.value.fields


@given(
    value=st.decimals(min_value=0, max_value=D("999999.99"), places=2),
    total=st.integers(min_value=1, max_value=1000),
    data=st.data(),
)
def test_the_share_by_items_is_the_value_times_k_over_n_rounded_half_up_once(value, total, data):
    affected = data.draw(st.integers(min_value=1, max_value=total))
    # value × k / n, exact (the value has two decimals, so value × 100 × k is a whole number), half up to the fen
    cents_times_n = int(value * 100) * affected
    expected = D((2 * cents_times_n + total) // (2 * total)) / 100

    result = compute(_short(str(value), items_affected=affected, items_total=total), DEFAULT)

    if affected == total:
        assert result.amount == value + D("10.00")  # all missing: paid as a loss, value + fee
    else:
        assert result.amount == expected.quantize(D("0.01"), rounding=ROUND_HALF_UP)
