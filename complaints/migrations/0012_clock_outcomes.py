"""Clock outcomes recorded when a clock ends (complaints/outcomes.py), backfilled set-based for existing rows."""

from django.db import migrations, models


def backfill(apps, schema_editor):
    from complaints.sla.outcomes import outcomes_backfill

    outcomes_backfill(complaint_model=apps.get_model("complaints", "Complaint"),
                      event_model=apps.get_model("complaints", "ComplaintEvent"),
                      alert_model=apps.get_model("complaints", "ClockAlert"),
                      connection=schema_editor.connection)


class Migration(migrations.Migration):

    dependencies = [
        ('complaints', '0011_report_indexes'),
    ]

    operations = [
        migrations.AddField(
            model_name='complaint',
            name='first_response_met',
            field=models.BooleanField(blank=True, null=True, verbose_name='first response on time'),
        ),
        migrations.AddField(
            model_name='complaintevent',
            name='clock_met',
            field=models.BooleanField(blank=True, null=True, verbose_name='clock met'),
        ),
        migrations.AddField(
            model_name='complaintevent',
            name='cycle_started_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='cycle started at'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
