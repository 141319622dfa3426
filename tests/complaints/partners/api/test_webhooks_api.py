"""Webhooks for what a carrier does through the API: its acceptance and public replies reach its endpoint (marked
as the carrier's), its private notes and resolution proposals never do."""

import pytest

from complaints.choices import EventKind
from complaints.models import WebhookDelivery, WebhookEndpoint
from complaints.partners.webhooks.dispatch import webhooks_dispatch
from complaints.partners.webhooks.models import WebhookEventType
from tests.fixtures.partner_api import detail_url
from tests.fixtures.webhook_receiver import verify_like_a_receiver

SECRET = "whsec_api_0123456789abcdefghijklmnop"


@pytest.mark.django_db
def test_the_carriers_own_api_actions_are_sent_except_its_private_notes(receiver, zto, zto_api, handed_to_zto):
    # Given ZTO's endpoint for updates, registered after the complaint was handed over
    WebhookEndpoint.objects.create(carrier=zto, url=receiver.url, secret=SECRET, event_types=[WebhookEventType.UPDATED])

    # When ZTO accepts, writes a private note, a public reply and proposes a resolution through the API
    assert zto_api.post(detail_url(handed_to_zto, "accept/")).status_code == 200
    assert zto_api.post(
        detail_url(handed_to_zto, "replies/"), {"message": "内部：司机已停职", "public": False}
    ).status_code in (200, 201)
    assert zto_api.post(
        detail_url(handed_to_zto, "replies/"), {"message": "已找到包裹，明天派送。", "public": True}
    ).status_code in (200, 201)
    assert zto_api.post(
        detail_url(handed_to_zto, "resolution-proposals/"), {"summary": "已重新派送", "root_cause": "派送员漏派"}
    ).status_code in (200, 201)
    webhooks_dispatch()

    # Then ZTO's endpoint got the acceptance and the public reply, both by the carrier, and nothing private
    events = [r.json["data"]["event"] for r in receiver.requests]
    assert [(e["kind"], e["actor_role"]) for e in events] == [
        (EventKind.CARRIER_ACCEPTED, "carrier"),
        (EventKind.PUBLIC_REPLY, "carrier"),
    ]
    assert events[1]["message"] == "已找到包裹，明天派送。"
    assert all("司机已停职".encode() not in r.body and "漏派".encode() not in r.body for r in receiver.requests)
    assert all(
        verify_like_a_receiver(secret=SECRET, signature_header=r.headers["redress-signature"], raw_body=r.body)
        for r in receiver.requests
    )
    assert WebhookDelivery.objects.count() == 2
