"""Webhooks: the `complaint.evidence_added` event type (files added that the carrier may see; its choice is in the
delivery's event types since 0020). Endpoints that received every event type until now receive it too; an endpoint
that chose some of them keeps its choice."""

from django.db import migrations

PREVIOUS_TYPES = {"complaint.assigned", "complaint.updated", "complaint.escalated", "complaint.resolved"}


def subscribe_evidence_added(apps, schema_editor):
    endpoint_model = apps.get_model("complaints", "WebhookEndpoint")
    for endpoint in endpoint_model.objects.all():
        types = set(endpoint.event_types or [])
        if PREVIOUS_TYPES <= types and "complaint.evidence_added" not in types:
            endpoint.event_types = [*endpoint.event_types, "complaint.evidence_added"]
            endpoint.save(update_fields=["event_types"])


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0020_duplicates_merge"),
    ]

    operations = [
        migrations.RunPython(subscribe_evidence_added, migrations.RunPython.noop, elidable=True),
    ]
