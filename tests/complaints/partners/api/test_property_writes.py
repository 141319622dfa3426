"""Property: whatever JSON a carrier's system sends to a write route (nested objects, huge and odd numbers, lone
surrogates, control characters, other scripts' digits, deep nesting, plain garbage), the API never answers 5xx, and
a refusal is the one error shape, no larger than a few times the request.

hypothesis generates the bodies, derandomized so CI runs the same cases every time."""

import json
import uuid

import pytest
from django.conf import settings as django_settings
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fixtures.partner_api import NEW_COMPLAINT, detail_url

pytestmark = pytest.mark.django_db

# Strings a carrier's system might send by mistake, or an attacker on purpose.
ODD_TEXT = st.one_of(
    st.text(st.characters(exclude_categories=()), max_size=30),  # lone surrogates and control characters included
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "１２",
            "٣",
            "1e100000000",
            "1e999999999999999999",
            "-1e5",
            "NaN",
            "Infinity",
            "1_000",
            "0x10",
            "12.345",
            "9" * 40,
            "C2611240001",
            "2026-W47",
            "true",
            "null",
            "\u202e",
            "\ud800",
            "\udfff",
            "<script>",
        ]
    ),
)
NUMBERS = st.one_of(
    st.integers(min_value=-(10**60), max_value=10**60),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from([0, -1, 2**63, 2**64, 10**30, 1e308, -1e308, 5e-324]),
)
SCALARS = st.one_of(st.none(), st.booleans(), NUMBERS, ODD_TEXT)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(ODD_TEXT, children, max_size=4),
    max_leaves=12,
)

# Each write route with a valid body to start from: generated values replace some of its fields and add others, so
# that the odd values reach the serializers and the services, not only the parser.
ROUTES = {
    "create": ("post", "/api/v1/complaints/", NEW_COMPLAINT),
    "accept": ("post", "accept/", {}),
    "reply": ("post", "replies/", {"message": "我们正在处理。", "public": True}),
    "resolution": ("post", "resolution-proposals/", {"summary": "已重新派送。", "root_cause": "分拣错误。"}),
    "compensation": (
        "post",
        "compensation-proposals/",
        {"case": "damage", "damaged_share": "30", "proven_value": "899.00", "proposed_amount": "250.00", "reason": "x"},
    ),
    "volume": ("put", "/api/v1/volumes/2026-W01/", {"parcels": 1250000}),
}
FIELD_NAMES = sorted({name for _method, _path, body in ROUTES.values() for name in body} | {"days_late", "status"})


@st.composite
def bodies(draw, base: dict) -> str:
    """Raw JSON text: usually the valid body with fields replaced or added, sometimes any JSON value, sometimes
    nesting deeper than any body needs."""
    kind = draw(st.sampled_from(["mutated", "mutated", "mutated", "any", "deep"]))
    if kind == "deep":
        depth = draw(st.integers(min_value=1, max_value=3000))
        opener = draw(st.sampled_from(['{"a":', "["]))
        closer = "}" if opener.startswith("{") else "]"
        return opener * depth + "1" + closer * depth
    if kind == "any":
        value = draw(JSON_VALUES)
    else:
        value = dict(base)
        changes = draw(st.dictionaries(st.sampled_from(FIELD_NAMES) | ODD_TEXT, JSON_VALUES, max_size=4))
        value.update(changes)
    return json.dumps(value, ensure_ascii=draw(st.booleans()))


@pytest.fixture
def unthrottled():
    rates = {**django_settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"carrier": "1000000/minute"}}
    with override_settings(REST_FRAMEWORK=rates):
        yield


@pytest.mark.parametrize("route", list(ROUTES))
def test_no_generated_body_gets_a_server_error(zto_api, handed_to_zto, unthrottled, route):
    method, path, base = ROUTES[route]
    url = path if path.startswith("/") else detail_url(handed_to_zto, path)

    @settings(
        max_examples=60,
        derandomize=True,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(raw=bodies(base))
    def check(raw):
        # When the carrier's system sends it (a lone surrogate written raw is bytes that are not UTF-8)
        payload = raw.encode("utf-8", "surrogatepass")
        response = getattr(zto_api.client, method)(
            url, data=payload, content_type="application/json", headers={"Idempotency-Key": str(uuid.uuid4())}
        )

        # Then never a server error; a refusal is the error shape, and small
        assert response.status_code < 500, (raw[:300], response.content[:500])
        if response.status_code >= 400:
            body = response.json()
            assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
            assert len(response.content) <= 4 * len(payload) + 4096, (raw[:300], len(response.content))

    check()
