"""The published commitments (docs/domain.md) as policies: 24 h first response, 72 h resolution, a daily update,
carrier accept 4 h and reply 24 h, 7 days statutory; high-risk complaints get shorter targets."""

from decimal import Decimal

from django.db import migrations


def create(apps, schema_editor):
    SlaPolicy = apps.get_model("complaints", "SlaPolicy")
    if SlaPolicy.objects.exists():
        return
    SlaPolicy.objects.create(
        name="高风险投诉 / High-risk complaints", position=10, risk="any",
        first_response_hours=Decimal("4"), resolution_hours=Decimal("48"), progress_update_hours=Decimal("24"),
        carrier_accept_hours=Decimal("2"), carrier_reply_hours=Decimal("12"), statutory_hours=Decimal("168"),
    )
    SlaPolicy.objects.create(
        name="标准承诺 / Standard commitment", position=1000,
        first_response_hours=Decimal("24"), resolution_hours=Decimal("72"), progress_update_hours=Decimal("24"),
        carrier_accept_hours=Decimal("4"), carrier_reply_hours=Decimal("24"), statutory_hours=Decimal("168"),
    )


def remove(apps, schema_editor):
    apps.get_model("complaints", "SlaPolicy").objects.filter(position__in=(10, 1000)).delete()


class Migration(migrations.Migration):
    dependencies = [("complaints", "0003_sla_clocks_outbox")]
    operations = [migrations.RunPython(create, remove)]
