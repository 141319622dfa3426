"""The webhook admin: supervisors register a carrier's endpoint and see its secret once; agents read the delivery
log with every attempt and replay a delivery."""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from complaints.choices import Status
from complaints.models import WebhookDelivery, WebhookEndpoint
from complaints.partners.webhooks.dispatch import webhooks_dispatch
from complaints.partners.webhooks.models import WebhookEventType, WebhookState
from complaints.services import complaint_hand_to_carrier, complaint_transition
from tests.factories import make_complaint

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.django_db
def test_a_supervisor_registers_an_endpoint_and_sees_its_secret_only_once(supervisor_client, zto):
    # When a supervisor adds ZTO's endpoint without typing a secret
    response = supervisor_client.post(
        reverse("admin:complaints_webhookendpoint_add"),
        {
            "carrier": zto.pk,
            "url": "https://hooks.zto.example.com/redress",
            "event_types": [WebhookEventType.ASSIGNED, WebhookEventType.RESOLVED],
            "description": "ZTO CRM",
            "is_active": "on",
            "new_secret": "",
        },
        follow=True,
        **EN,
    )

    # Then a secret was generated and shown in the confirmation, once
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret.startswith("whsec_") and len(endpoint.secret) > 40
    assert endpoint.event_types == [WebhookEventType.ASSIGNED, WebhookEventType.RESOLVED]
    assert any(endpoint.secret in m for m in _messages(response))
    # and the change page shows it masked only
    page = supervisor_client.get(reverse("admin:complaints_webhookendpoint_change", args=[endpoint.pk]), **EN)
    assert page.status_code == 200
    assert endpoint.secret not in page.content.decode()
    assert endpoint.masked_secret in page.content.decode()

    # When the supervisor saves it again without a new secret, the secret is kept and not shown
    response = supervisor_client.post(
        reverse("admin:complaints_webhookendpoint_change", args=[endpoint.pk]),
        {
            "carrier": zto.pk,
            "url": "https://hooks.zto.example.com/redress/v2",
            "event_types": [WebhookEventType.ASSIGNED],
            "description": "ZTO CRM",
            "is_active": "on",
            "new_secret": "",
        },
        follow=True,
        **EN,
    )
    old_secret = endpoint.secret
    endpoint.refresh_from_db()
    assert endpoint.secret == old_secret
    assert endpoint.url.endswith("/v2")
    assert not any(old_secret in m for m in _messages(response))


@pytest.mark.django_db
def test_a_bad_url_or_a_short_secret_is_refused_with_a_reason(supervisor_client, zto):
    response = supervisor_client.post(
        reverse("admin:complaints_webhookendpoint_add"),
        {
            "carrier": zto.pk,
            "url": "ftp://hooks.zto.example.com",
            "event_types": [WebhookEventType.ASSIGNED],
            "is_active": "on",
            "new_secret": "short",
        },
        **EN,
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "url" in errors
    assert "at least 24 characters" in " ".join(errors["new_secret"])
    assert WebhookEndpoint.objects.count() == 0


@pytest.mark.django_db
def test_agents_cannot_manage_endpoints(agent_client, zto):
    assert agent_client.get(reverse("admin:complaints_webhookendpoint_changelist")).status_code == 200
    assert agent_client.get(reverse("admin:complaints_webhookendpoint_add")).status_code == 403


@pytest.mark.django_db
def test_an_agent_reads_failed_deliveries_with_their_attempts_and_replays_one(agent_client, agent, zto, receiver):
    # Given a delivery whose receiver answered 500 until its time ran out
    WebhookEndpoint.objects.create(
        carrier=zto,
        url=receiver.url,
        secret="whsec_admin_0123456789abcdefghij",
        event_types=[WebhookEventType.ASSIGNED],
    )
    receiver.answer_with(500)
    complaint = make_complaint(carrier=zto)
    complaint_transition(complaint=complaint, actor=agent, to_status=Status.ACKNOWLEDGED)
    complaint_hand_to_carrier(complaint=complaint, actor=agent)
    webhooks_dispatch()
    WebhookDelivery.objects.update(state=WebhookState.FAILED, next_attempt_at=None)
    failed = WebhookDelivery.objects.get()

    # Then the agent finds it under "failed", and its page lists the attempt with the receiver's answer
    listing = agent_client.get(reverse("admin:complaints_webhookdelivery_changelist"), {"state__exact": "failed"}, **EN)
    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == [failed]
    delivered_listing = agent_client.get(
        reverse("admin:complaints_webhookdelivery_changelist"), {"state__exact": "delivered"}
    )
    assert list(delivered_listing.context["cl"].result_list) == []
    page = agent_client.get(reverse("admin:complaints_webhookdelivery_change", args=[failed.pk]), **EN)
    assert page.status_code == 200
    html = page.content.decode()
    assert "500" in html and "receiver says no" in html and str(failed.event_id) in html

    # When the agent replays it from the list
    response = agent_client.post(
        reverse("admin:complaints_webhookdelivery_changelist"),
        {
            "action": "replay",
            "_selected_action": [failed.pk],
        },
        follow=True,
        **EN,
    )

    # Then a new delivery with the same event id is queued, and goes out at the next dispatch
    assert any("queued again" in m for m in _messages(response))
    replay = WebhookDelivery.objects.get(replay_of=failed)
    assert replay.event_id == failed.event_id
    webhooks_dispatch()
    replay.refresh_from_db()
    assert replay.state == WebhookState.DELIVERED
    assert re.fullmatch(str(failed.event_id), receiver.requests[-1].headers["redress-event-id"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hooks",
        "http://169.254.169.254/latest/meta-data/",
        "https://10.0.0.5/hooks",
        "http://localhost/hooks",
        "http://[::1]/hooks",
    ],
)
def test_an_internal_address_is_refused_as_a_webhook_url(url, supervisor_client, zto, settings):
    # Given production's rule: webhooks go to the internet only
    settings.REDRESS_WEBHOOK_ALLOW_PRIVATE_HOSTS = False
    # When a supervisor registers an endpoint on this network or the cloud's metadata address
    response = supervisor_client.post(
        reverse("admin:complaints_webhookendpoint_add"),
        {
            "carrier": zto.pk,
            "url": url,
            "event_types": [WebhookEventType.ASSIGNED],
            "is_active": "on",
        },
        **EN,
    )
    # Then the form says why and nothing is saved
    assert response.status_code == 200
    assert "internet only" in " ".join(response.context["adminform"].form.errors["url"])
    assert WebhookEndpoint.objects.count() == 0


TYPED = "Zq7Xk9Lm2Pw8Rt6Vb3Nc5Hd1J"  # what a supervisor might type: 25 characters


def _pieces(secret: str, size: int = 5) -> set[str]:
    return {secret[i : i + size] for i in range(len(secret) - size + 1)}


@pytest.mark.django_db
def test_the_admin_shows_no_more_than_a_short_prefix_of_a_typed_secret(supervisor_client, zto):
    # Given an endpoint whose 25-character secret a supervisor typed in
    response = supervisor_client.post(
        reverse("admin:complaints_webhookendpoint_add"),
        {
            "carrier": zto.pk,
            "url": "https://hooks.zto.example.com/redress",
            "event_types": [WebhookEventType.ASSIGNED],
            "is_active": "on",
            "new_secret": TYPED,
        },
        follow=True,
        **EN,
    )
    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret == TYPED

    # When anyone opens its page or the list
    page = supervisor_client.get(reverse("admin:complaints_webhookendpoint_change", args=[endpoint.pk]), **EN)
    listing = supervisor_client.get(reverse("admin:complaints_webhookendpoint_changelist"), **EN)

    # Then its first four characters are shown, and no five characters in a row of it appear anywhere
    html = page.content.decode() + listing.content.decode()
    assert "Zq7X…" in page.content.decode()
    assert not any(piece in html for piece in _pieces(TYPED))


@pytest.mark.django_db
def test_a_supervisor_rotates_a_secret_and_sees_the_new_one_once(supervisor_client, zto, settings):
    # Given ZTO's endpoint
    settings.REDRESS_WEBHOOK_SECRET_OVERLAP_HOURS = 24
    endpoint = WebhookEndpoint.objects.create(carrier=zto, url="https://hooks.zto.example.com/r", secret=TYPED)

    # When a supervisor rotates its secret from the list
    response = supervisor_client.post(
        reverse("admin:complaints_webhookendpoint_changelist"),
        {"action": "rotate_secret", "_selected_action": [endpoint.pk]},
        follow=True,
        **EN,
    )

    # Then the new secret is shown once, saying the old one keeps signing for 24 hours
    endpoint.refresh_from_db()
    new = endpoint.secret
    assert new != TYPED and new.startswith("whsec_")
    (shown,) = [m for m in _messages(response) if new in m]
    assert "24 hours" in shown
    assert endpoint.previous_secret == TYPED
    # and the endpoint's page (once the message has been shown) shows both only as prefixes, with the overlap's end
    supervisor_client.get(reverse("admin:complaints_webhookendpoint_changelist"), **EN)
    page = supervisor_client.get(reverse("admin:complaints_webhookendpoint_change", args=[endpoint.pk]), **EN)
    html = page.content.decode()
    assert endpoint.masked_secret in html and "Zq7X…, signs until" in html
    assert new not in html and not any(piece in html for piece in _pieces(TYPED))


@pytest.mark.django_db
def test_agents_cannot_rotate_secrets(agent_client, zto):
    endpoint = WebhookEndpoint.objects.create(carrier=zto, url="https://hooks.zto.example.com/r", secret=TYPED)
    agent_client.post(
        reverse("admin:complaints_webhookendpoint_changelist"),
        {"action": "rotate_secret", "_selected_action": [endpoint.pk]},
    )
    endpoint.refresh_from_db()
    assert endpoint.secret == TYPED and endpoint.previous_secret_encrypted == ""
