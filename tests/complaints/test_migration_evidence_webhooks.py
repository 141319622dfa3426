"""The data migration that brings complaint.evidence_added to endpoints that received every event type until then."""

import importlib

import pytest
from django.apps import apps

from complaints.models import WebhookEndpoint

pytestmark = pytest.mark.django_db

migration = importlib.import_module("complaints.migrations.0021_webhook_evidence_added")
SECRET = "whsec_test_0123456789abcdefghijklmnop"
EVERY_TYPE_BEFORE = ["complaint.assigned", "complaint.updated", "complaint.escalated", "complaint.resolved"]


def test_endpoints_that_took_every_type_get_the_new_one_and_the_others_keep_their_choice(zto):
    # Given an endpoint that received every type, one that chose one type, and one that has the new type already
    every = WebhookEndpoint.objects.create(
        carrier=zto, url="https://a.zto.example/h", secret=SECRET, event_types=EVERY_TYPE_BEFORE
    )
    chosen = WebhookEndpoint.objects.create(
        carrier=zto, url="https://b.zto.example/h", secret=SECRET, event_types=["complaint.resolved"]
    )
    already = WebhookEndpoint.objects.create(
        carrier=zto,
        url="https://c.zto.example/h",
        secret=SECRET,
        event_types=[*EVERY_TYPE_BEFORE, "complaint.evidence_added"],
    )

    # When the migration runs (twice: it is safe to run again)
    migration.subscribe_evidence_added(apps, None)
    migration.subscribe_evidence_added(apps, None)

    # Then only the first gains complaint.evidence_added, once
    for endpoint in (every, chosen, already):
        endpoint.refresh_from_db()
    assert every.event_types == [*EVERY_TYPE_BEFORE, "complaint.evidence_added"]
    assert chosen.event_types == ["complaint.resolved"]
    assert already.event_types == [*EVERY_TYPE_BEFORE, "complaint.evidence_added"]
