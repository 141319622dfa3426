"""Webhook signing secrets encrypted at rest (Fernet, REDRESS_SECRETS_KEY), and a previous secret that still signs
during a rotation's overlap. Existing secrets are encrypted in place; going back decrypts them."""

from django.db import migrations, models

from complaints.encryption import secret_decrypt, secret_encrypt


def encrypt_secrets(apps, schema_editor):
    Endpoint = apps.get_model("complaints", "WebhookEndpoint")
    for endpoint in Endpoint.objects.only("pk", "secret"):
        Endpoint.objects.filter(pk=endpoint.pk).update(secret_encrypted=secret_encrypt(endpoint.secret))


def decrypt_secrets(apps, schema_editor):
    Endpoint = apps.get_model("complaints", "WebhookEndpoint")
    for endpoint in Endpoint.objects.only("pk", "secret_encrypted"):
        Endpoint.objects.filter(pk=endpoint.pk).update(secret=secret_decrypt(endpoint.secret_encrypted))


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0014_shipping_fee_unknown"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="webhookendpoint", name="webhook_endpoint_has_secret"),
        migrations.AddField(
            model_name="webhookendpoint",
            name="secret_encrypted",
            field=models.TextField(default="", editable=False, verbose_name="signing secret (encrypted)"),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="webhookendpoint",
            name="secret",
            field=models.CharField(blank=True, default="", max_length=128, verbose_name="signing secret"),
        ),
        migrations.RunPython(encrypt_secrets, decrypt_secrets, elidable=False),
        migrations.RemoveField(model_name="webhookendpoint", name="secret"),
        migrations.AddField(
            model_name="webhookendpoint",
            name="previous_secret_encrypted",
            field=models.TextField(blank=True, editable=False, verbose_name="previous signing secret (encrypted)"),
        ),
        migrations.AddField(
            model_name="webhookendpoint",
            name="previous_secret_until",
            field=models.DateTimeField(blank=True, null=True, verbose_name="previous secret signs until"),
        ),
        migrations.AddConstraint(
            model_name="webhookendpoint",
            constraint=models.CheckConstraint(
                condition=models.Q(("secret_encrypted", ""), _negated=True), name="webhook_endpoint_has_secret"
            ),
        ),
    ]
