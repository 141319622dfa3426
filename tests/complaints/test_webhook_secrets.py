"""Webhook signing secrets are encrypted at rest under REDRESS_SECRETS_KEY (the existing ones by a migration), can be
rotated with an overlap, and a secret the keys cannot open fails its own deliveries only."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from cryptography.fernet import Fernet
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from complaints import services
from complaints.choices import Status
from complaints.encryption import SecretUnreadable
from complaints.errors import InvalidInput
from complaints.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from complaints.partners.webhooks.dispatch import webhooks_dispatch
from complaints.partners.webhooks.endpoints import (
    webhook_endpoint_rotate_secret,
    webhook_endpoint_save,
    webhook_secrets_reencrypt,
)
from complaints.partners.webhooks.models import WebhookEventType, WebhookState
from tests.factories import CarrierFactory, make_complaint

T0 = datetime(2026, 11, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
H = timedelta(hours=1)
SECRET = "whsec_stored_0123456789abcdefghijklmnop"


def stored_column(endpoint_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret_encrypted FROM complaints_webhookendpoint WHERE id = %s", [endpoint_id])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_a_secret_is_stored_encrypted_and_read_back_with_the_key(zto, settings):
    # When an endpoint is saved with a secret
    endpoint = WebhookEndpoint.objects.create(carrier=zto, url="https://hooks.zto.example.com/r", secret=SECRET)

    # Then the database holds a Fernet token, not the secret nor any piece of it
    stored = stored_column(endpoint.pk)
    assert SECRET not in stored and SECRET[6:14] not in stored
    assert stored.startswith("gAAAAA")
    # and the application reads the secret back
    assert WebhookEndpoint.objects.get().secret == SECRET

    # When the key is replaced by another one, Then the secret cannot be read
    old_keys, new_key = list(settings.REDRESS_SECRETS_KEY), Fernet.generate_key().decode()
    settings.REDRESS_SECRETS_KEY = [new_key]
    with pytest.raises(SecretUnreadable):
        WebhookEndpoint.objects.get().secret  # noqa: B018
    # When the new key comes first and the old ones after, Then it can; re-encrypting moves it to the new key, after
    # which the old keys can be dropped
    settings.REDRESS_SECRETS_KEY = [new_key, *old_keys]
    assert WebhookEndpoint.objects.get().secret == SECRET
    assert webhook_secrets_reencrypt() == 1
    settings.REDRESS_SECRETS_KEY = [new_key]
    assert WebhookEndpoint.objects.get().secret == SECRET


@pytest.mark.django_db
def test_an_endpoint_whose_secret_cannot_be_read_fails_its_own_deliveries_only(receiver, agent, settings):
    # Given two ZTO endpoints, the first holding a secret encrypted under a key that is gone
    zto = CarrierFactory(code="ZTO")
    lost = WebhookEndpoint.objects.create(
        carrier=zto, url=receiver.url + "/lost", secret=SECRET, event_types=[WebhookEventType.ASSIGNED]
    )
    WebhookEndpoint.objects.filter(pk=lost.pk).update(
        secret_encrypted=Fernet(Fernet.generate_key()).encrypt(SECRET.encode()).decode()
    )
    WebhookEndpoint.objects.create(
        carrier=zto, url=receiver.url + "/fine", secret=SECRET, event_types=[WebhookEventType.ASSIGNED]
    )
    with time_machine.travel(T0, tick=False):
        complaint = make_complaint(carrier=zto)
        services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.ACKNOWLEDGED)
        services.complaint_hand_to_carrier(complaint=complaint, actor=agent)

        # When the dispatcher runs
        result = webhooks_dispatch()

    # Then the other endpoint got its event, and the unreadable one's attempt says why
    assert (result.delivered, result.retried) == (1, 1)
    assert [r.path for r in receiver.requests] == ["/redress/hooks/fine"]
    attempt = WebhookAttempt.objects.get(delivery__endpoint=lost)
    assert "SecretUnreadable" in attempt.error and "REDRESS_SECRETS_KEY" in attempt.error
    assert WebhookDelivery.objects.get(endpoint=lost).state == WebhookState.PENDING


@pytest.mark.django_db
def test_rotating_keeps_the_old_secret_for_the_overlap_and_typing_a_new_one_ends_it(zto, supervisor):
    endpoint = WebhookEndpoint.objects.create(carrier=zto, url="https://hooks.zto.example.com/r", secret=SECRET)

    # When a supervisor rotates the secret with a 48-hour overlap
    with time_machine.travel(T0, tick=False):
        rotated, new = webhook_endpoint_rotate_secret(endpoint=endpoint, actor=supervisor, overlap_hours=48)

    # Then the endpoint signs with both until then, and with the new one only after
    rotated.refresh_from_db()
    assert (rotated.secret, rotated.previous_secret, rotated.previous_secret_until) == (new, SECRET, T0 + 48 * H)
    assert rotated.signing_secrets(at=T0 + 47 * H) == [new, SECRET]
    assert rotated.signing_secrets(at=T0 + 48 * H) == [new]

    # When a secret is typed in (a leak: revoke now), Then the old ones stop signing at once
    rotated.secret = "typed-by-the-carrier-0123456789"
    webhook_endpoint_save(endpoint=rotated, actor=supervisor)
    rotated.refresh_from_db()
    assert rotated.signing_secrets(at=T0 + H) == ["typed-by-the-carrier-0123456789"]
    assert rotated.previous_secret_encrypted == "" and rotated.previous_secret_until is None


@pytest.mark.django_db
@pytest.mark.parametrize("hours", [-1, 24 * 31])
def test_an_overlap_out_of_range_is_refused(zto, supervisor, hours):
    endpoint = WebhookEndpoint.objects.create(carrier=zto, url="https://hooks.zto.example.com/r", secret=SECRET)
    with pytest.raises(InvalidInput):
        webhook_endpoint_rotate_secret(endpoint=endpoint, actor=supervisor, overlap_hours=hours)
    endpoint.refresh_from_db()
    assert endpoint.secret == SECRET and endpoint.previous_secret_encrypted == ""


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_encrypts_the_secrets_stored_in_clear():
    # Given the database as it was before secrets were encrypted, with an endpoint whose secret is in clear
    before = [("complaints", "0014_shipping_fee_unknown")]
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(before)
    try:
        old_apps = executor.loader.project_state(before).apps
        carrier = old_apps.get_model("accounts", "Carrier").objects.create(code="ZTO", name_zh="中通", name_en="ZTO")
        endpoint = old_apps.get_model("complaints", "WebhookEndpoint").objects.create(
            carrier_id=carrier.pk, url="https://hooks.zto.example.com/r", secret=SECRET, event_types=[]
        )
    finally:
        # When the migrations run (every app back to its latest, whatever the outcome above)
        executor = MigrationExecutor(connection)
        executor.migrate(latest)

    # Then the secret is stored encrypted and reads back the same
    assert SECRET not in stored_column(endpoint.pk)
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret == SECRET
