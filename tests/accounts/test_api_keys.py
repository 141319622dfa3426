"""API keys: issued once by a command, stored as a hash, revoked in the admin, last use recorded cheaply."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiKey
from accounts.roles import Role, user_role
from accounts.services import api_key_hash, api_key_issue
from tests.fixtures.partner_api import CarrierClient

pytestmark = pytest.mark.django_db


def test_command_prints_the_key_once_and_stores_only_its_hash(zto):
    # Given ZTO, when an operator issues a key
    out = StringIO()
    call_command("issue_api_key", "zto", "--name", "ERP", stdout=out, stderr=StringIO())
    raw = out.getvalue().strip()

    # then the key is printed, and the database holds its prefix and hash, never the key itself
    key = ApiKey.objects.get()
    assert key.carrier == zto and key.name == "ERP"
    assert raw.startswith(key.prefix) and len(raw) > 40
    assert key.key_hash == api_key_hash(raw)
    assert not ApiKey.objects.filter(key_hash=raw).exists()
    # and it acts as ZTO's API user, in the carrier role
    assert key.user.carrier == zto and user_role(key.user) == Role.CARRIER and not key.user.is_staff


def test_command_names_the_known_carriers_for_an_unknown_code(zto):
    with pytest.raises(CommandError, match="ZTO"):
        call_command("issue_api_key", "XX", stdout=StringIO(), stderr=StringIO())


def test_two_keys_of_a_carrier_act_as_the_same_user(zto):
    first, _ = api_key_issue(carrier=zto)
    second, _ = api_key_issue(carrier=zto)
    assert first.user == second.user and first.prefix != second.prefix


def test_admin_lists_prefix_and_last_use_and_revokes(supervisor_client, zto):
    # Given a key that has been used
    key, raw = api_key_issue(carrier=zto, name="ERP")
    assert CarrierClient(raw).get("/api/v1/complaints/").status_code == 200

    # when a supervisor looks at the keys, then the prefix shows, not the key
    page = supervisor_client.get(reverse("admin:accounts_apikey_changelist")).content.decode()
    assert key.prefix in page and raw not in page

    # when they revoke it, then the key stops working at once
    response = supervisor_client.post(
        reverse("admin:accounts_apikey_changelist"), {"action": "revoke", "_selected_action": [key.pk]}
    )
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None and key.last_used_at is not None
    assert CarrierClient(raw).get("/api/v1/complaints/").status_code == 401


def test_last_use_is_written_at_most_once_a_minute(zto):
    # Given a key used once
    key, raw = api_key_issue(carrier=zto)
    api = CarrierClient(raw)
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        api.get("/api/v1/complaints/")
        first_use = ApiKey.objects.get(pk=key.pk).last_used_at

        # when it is used again within the minute, then no write happens, and the key (kept in the cache a few
        # seconds) is not read again: the list's page is the only query
        with CaptureQueriesContext(connection) as queries:
            api.get("/api/v1/complaints/")
        assert not any(q["sql"].startswith("UPDATE") for q in queries.captured_queries)
        assert len(queries.captured_queries) == 1

        # and a minute later the use is recorded again
        traveller.shift(timedelta(seconds=61))
        api.get("/api/v1/complaints/")
    assert ApiKey.objects.get(pk=key.pk).last_used_at > first_use
