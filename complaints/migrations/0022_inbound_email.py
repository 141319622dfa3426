"""Inbound emails (complaints.inbound.models.InboundEmail), and an index for finding a sender's complaints.

complaint_email_upper is on UPPER(complainant_email::text), what Django's iexact compares, so that routing an inbound
mail by its sender's address reads an index instead of the table. Like 0018's indexes it is not in the model's Meta,
and on PostgreSQL it is built CONCURRENTLY (the table stays writable; minutes at 10 million rows), hence atomic = False.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def email_index_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        sql = (
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS complaint_email_upper ON complaints_complaint "
            "(UPPER(complainant_email::text))"
        )
    else:
        sql = "CREATE INDEX IF NOT EXISTS complaint_email_upper ON complaints_complaint (UPPER(complainant_email))"
    schema_editor.execute(sql)


def email_index_drop(apps, schema_editor):
    schema_editor.execute("DROP INDEX IF EXISTS complaint_email_upper")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("complaints", "0021_webhook_evidence_added"),
    ]

    operations = [
        migrations.CreateModel(
            name="InboundEmail",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "source",
                    models.CharField(
                        choices=[("mailgun", "Mailgun (inbound webhook)"), ("imap", "IMAP mailbox")],
                        max_length=16,
                        verbose_name="source",
                    ),
                ),
                ("message_key", models.CharField(max_length=64, unique=True, verbose_name="message key")),
                ("message_id", models.TextField(blank=True, verbose_name="Message-ID")),
                ("sender", models.CharField(blank=True, db_index=True, max_length=254, verbose_name="sender")),
                ("recipient", models.CharField(blank=True, max_length=254, verbose_name="recipient")),
                ("subject", models.CharField(blank=True, max_length=255, verbose_name="subject")),
                ("text", models.TextField(blank=True, verbose_name="text")),
                ("attachments", models.PositiveSmallIntegerField(default=0, verbose_name="files attached")),
                (
                    "received_at",
                    models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name="received at"),
                ),
                (
                    "outcome",
                    models.CharField(
                        choices=[
                            ("reply", "Reply on a complaint"),
                            ("new_complaint", "New complaint"),
                            ("unmatched", "Not matched: for an agent to read"),
                            ("dropped", "Dropped: forged or unknown reply address"),
                            ("ignored", "Ignored: an automatic reply"),
                            ("refused", "Refused: see the detail"),
                            ("failed", "Could not be read: see the detail"),
                        ],
                        max_length=16,
                        verbose_name="outcome",
                    ),
                ),
                ("detail", models.TextField(blank=True, verbose_name="detail")),
                (
                    "complaint",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="inbound_emails",
                        to="complaints.complaint",
                        verbose_name="complaint",
                    ),
                ),
            ],
            options={
                "verbose_name": "inbound email",
                "verbose_name_plural": "inbound emails",
                "ordering": ["-received_at", "-id"],
            },
        ),
        migrations.RunPython(email_index_create, email_index_drop, elidable=False),
    ]
