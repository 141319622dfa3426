"""Every number compensation reads is bounded before anything formats or computes with it: a
hostile or mistyped number is refused at once with a short InvalidInput naming the field, never a 500 and never a
hang."""

import time
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from complaints.compensation.calculator import ClaimInputs, PolicyTerms, compute
from complaints.compensation.numbers import MAX_AMOUNT, count_parse, decimal_parse
from complaints.compensation.services import policy_errors
from complaints.compensation.services.inputs import amount_clean
from complaints.errors import InvalidInput

HOSTILE = [
    "1e100000000",
    "-1e100000000",
    "1E-100000000",
    "9" * 40,
    "1" + "0" * 5000,
    "0." + "1" * 5000,
    "nan",
    "-Infinity",
    "0x10",
    D("1e100000000"),
    D("1e-100000000"),
    D("9" * 5000),
    10**5000,
    float("inf"),
    True,
    [1],
]

HOSTILE_IDS = [
    "1e100000000",
    "-1e100000000",
    "1E-100000000",
    "40-nines",
    "5001-digits",
    "5000-decimals",
    "nan",
    "-Infinity",
    "hex",
    "Decimal-1e100000000",
    "Decimal-1e-100000000",
    "Decimal-5000-nines",
    "int-10**5000",
    "float-inf",
    "bool",
    "list",
]

# What is refused must be refused fast: well under what a person or a load balancer would notice.
FAST = 0.05


@pytest.mark.parametrize("value", HOSTILE, ids=HOSTILE_IDS)
def test_an_amount_out_of_all_bounds_is_refused_at_once_with_a_short_message(value):
    started = time.perf_counter()

    with pytest.raises(InvalidInput) as refused:
        amount_clean(value, "proposed_amount")

    assert time.perf_counter() - started < FAST
    assert list(refused.value.fields) == ["proposed_amount"]
    assert len(str(refused.value)) < 300


@pytest.mark.parametrize("value", HOSTILE, ids=HOSTILE_IDS)
def test_the_calculator_refuses_the_same_numbers_naming_each_field(value):
    inputs = ClaimInputs(
        case="damage",
        declared_value=D("100.00"),
        insured_value=D("0.00"),
        shipping_fee=value,
        proven_value=value,
        damaged_share=value,
    )
    started = time.perf_counter()

    with pytest.raises(InvalidInput) as refused:
        compute(inputs, PolicyTerms())

    assert time.perf_counter() - started < FAST * 3
    assert {"shipping_fee", "proven_value", "damaged_share"} <= set(refused.value.fields)
    assert len(str(refused.value)) < 1000


@pytest.mark.parametrize(
    "days",
    ["1e100000000", D("1e100000000"), 10**5000, "3651", 99_999_999_999, "2.5", -1],
    ids=["1e100000000", "Decimal-1e100000000", "int-10**5000", "3651", "99999999999", "2.5", "-1"],
)
def test_days_late_beyond_ten_years_or_not_whole_is_refused(days):
    started = time.perf_counter()

    with pytest.raises(InvalidInput) as refused:
        compute(
            ClaimInputs(
                case="delay", declared_value=D("1"), insured_value=D("0"), shipping_fee=D("12"), days_late=days
            ),
            PolicyTerms(),
        )

    assert time.perf_counter() - started < FAST
    assert list(refused.value.fields) == ["days_late"]


def test_the_policy_refuses_a_huge_number_per_field():
    errors = policy_errors(
        {
            "delay_fee_waiver_percent": "1e100000000",
            "loss_fee_refund_percent": "100",
            "damage_min_percent": "100",
            "agent_approval_limit": D("1e100000000"),
        }
    )

    assert set(errors) == {"delay_fee_waiver_percent", "agent_approval_limit"}


def test_ordinary_numbers_still_read_as_typed():
    assert amount_clean(" 12.50 ", "x") == D("12.50")
    assert amount_clean(12, "x") == D("12")
    assert amount_clean("0E+100000000", "x") == D("0")
    assert decimal_parse("", "x") is None and decimal_parse(None, "x") is None
    assert count_parse("3", "x") == 3 and count_parse(D("3.0"), "x") == 3


_numbers_as_typed = st.one_of(
    st.text(max_size=60),
    st.text(alphabet="0123456789.eE+- ", max_size=40),
    st.builds(lambda m, e: f"{m}e{e}", st.integers(-(10**6), 10**6), st.integers(-(10**10), 10**10)),
    st.decimals(allow_nan=True, allow_infinity=True),
    # Decimals of any size and exponent, built digit by digit (no context can round or refuse them)
    st.builds(
        lambda sign, digits, exponent: D((sign, tuple(digits), exponent)),
        st.integers(0, 1),
        st.lists(st.integers(0, 9), min_size=1, max_size=60),
        st.integers(-(10**8), 10**8),
    ),
    st.integers(min_value=-(10**400), max_value=10**400),
    st.floats(allow_nan=True, allow_infinity=True),
    st.none(),
    st.booleans(),
)


@settings(max_examples=400, deadline=200)
@given(value=_numbers_as_typed)
def test_the_money_parser_only_ever_answers_an_amount_or_invalid_input_and_quickly(value):
    started = time.perf_counter()
    try:
        amount = amount_clean(value, "proposed_amount")
    except InvalidInput as refused:
        assert refused.fields.keys() == {"proposed_amount"}
        assert len(refused.message) < 300
    else:
        assert amount is None or (D("0") <= amount < MAX_AMOUNT and amount == amount.quantize(D("0.01")))
    assert time.perf_counter() - started < FAST


@settings(max_examples=200, deadline=200)
@given(value=_numbers_as_typed)
def test_the_count_parser_only_ever_answers_a_count_or_invalid_input(value):
    try:
        count = count_parse(value, "items_total")
    except InvalidInput as refused:
        assert refused.fields.keys() == {"items_total"}
    else:
        assert count is None or (isinstance(count, int) and 0 <= count <= 100_000)
