"""The audit trail of changes to the operation's settings (accounts.audit). Append-only: the database refuses to
change an entry, as it refuses to change a complaint event (complaints 0002)."""

import django.core.serializers.json
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

POSTGRES_UP = """
CREATE OR REPLACE FUNCTION accounts_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only: UPDATE refused';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER accounts_audit_no_update BEFORE UPDATE ON accounts_auditentry
    FOR EACH ROW EXECUTE FUNCTION accounts_audit_append_only();
"""
POSTGRES_DOWN = """
DROP TRIGGER IF EXISTS accounts_audit_no_update ON accounts_auditentry;
DROP FUNCTION IF EXISTS accounts_audit_append_only();
"""
SQLITE_UP = """
CREATE TRIGGER accounts_audit_no_update BEFORE UPDATE ON accounts_auditentry
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only: UPDATE refused'); END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS accounts_audit_no_update;"


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_UP)


def uninstall(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_DOWN)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_api_keys"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditEntry",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(db_index=True, verbose_name="time")),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("sla_policy_saved", "SLA policy saved"),
                            ("webhook_endpoint_saved", "Webhook endpoint saved"),
                            ("webhook_secret_rotated", "Webhook secret rotated"),
                            ("webhook_delivery_replayed", "Webhook delivery replayed"),
                            ("api_key_issued", "API key issued"),
                            ("api_key_revoked", "API key revoked"),
                            ("report_recomputed", "Weekly report recomputed"),
                        ],
                        max_length=32,
                        verbose_name="action",
                    ),
                ),
                ("target_type", models.CharField(max_length=100, verbose_name="target type")),
                ("target_id", models.CharField(max_length=64, verbose_name="target id")),
                ("target_repr", models.CharField(max_length=200, verbose_name="target")),
                (
                    "data",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        encoder=django.core.serializers.json.DjangoJSONEncoder,
                        verbose_name="details",
                    ),
                ),
                (
                    "actor",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty when the system or a command-line job made the change.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="audit_entries",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="actor",
                    ),
                ),
            ],
            options={
                "verbose_name": "audit entry",
                "verbose_name_plural": "audit trail",
                "ordering": ["-created_at", "-id"],
                "indexes": [
                    models.Index(fields=["action", "created_at"], name="audit_action_time"),
                    models.Index(fields=["target_type", "target_id"], name="audit_target"),
                ],
            },
        ),
        migrations.RunPython(install, uninstall),
    ]
