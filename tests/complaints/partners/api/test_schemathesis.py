"""schemathesis over the whole OpenAPI document, with a valid carrier key against seeded data, with every check but
positive_data_acceptance: no server error, every response documented and matching its schema, invalid data (by the
schema) refused, authentication not ignored... The schema describes what the server does. Deterministic
(derandomized) and kept small."""

import itertools

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, settings
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import positive_data_acceptance

from accounts.services import api_key_issue
from complaints import services
from tests.factories import AgentFactory, CarrierFactory, make_complaint

# Loaded from the application itself (the schema view touches no database). Not through a fixture: schemathesis'
# lazy loader does not run under pytest 9.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
pytestmark = pytest.mark.django_db


@pytest.fixture
def keep_connection():
    """Requests through the WSGI app would close the test's database connection when they finish (Django's
    close_old_connections); Django's test client avoids it the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def seeded(db, keep_connection):
    """ZTO with a key, a complaint waiting for it, one just received, and an SF complaint it must never reach."""
    zto = CarrierFactory(code="ZTO")
    agent = AgentFactory(username="agent_schemathesis")
    waiting = make_complaint(carrier=zto)
    services.complaint_transition(complaint=waiting, actor=agent, to_status="acknowledged")
    services.complaint_hand_to_carrier(complaint=waiting, actor=agent)
    make_complaint(carrier=zto)
    make_complaint(carrier=CarrierFactory(code="SF"))
    _key, raw = api_key_issue(carrier=zto)
    return {"key": raw, "reference": waiting.reference}


_keys = itertools.count()


def _negative_at(case, location: ParameterLocation) -> bool:
    return case.meta is not None and case.meta.is_negative_at(location)


@schema.parametrize()
@settings(max_examples=5, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
def test_every_operation_conforms(case, seeded):
    # Aim at a real complaint of the caller (random references would only ever meet 404), unless the reference is
    # what this case makes invalid.
    if case.path_parameters and "reference" in case.path_parameters and not _negative_at(case, ParameterLocation.PATH):
        case.path_parameters["reference"] = seeded["reference"]
    case.headers = dict(case.headers or {})
    # A fresh Idempotency-Key per case (generated ones repeat, and a repeat with another body is only ever 422),
    # unless the headers are what this case makes invalid.
    if "Idempotency-Key" in case.headers and not _negative_at(case, ParameterLocation.HEADER):
        case.headers["Idempotency-Key"] = f"schemathesis-{next(_keys)}"
    rates = {**django_settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"carrier": "100000/minute"}}
    with override_settings(REST_FRAMEWORK=rates):
        # Every check but positive_data_acceptance, whose "rejections" are the API's legitimate refusals of valid-
        # looking data: a reused Idempotency-Key (422), a stale If-Match (412), a complaint in the wrong state (409).
        # The caller's key as explicit headers: schemathesis then knows the authentication is ours (its ignored_auth
        # check sends none and a wrong one).
        case.call_and_validate(
            headers={"Authorization": f"Bearer {seeded['key']}"}, excluded_checks=[positive_data_acceptance]
        )
