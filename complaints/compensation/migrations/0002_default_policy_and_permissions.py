"""The default compensation policy (docs/domain.md, Compensation) as version 1, and the roles' permissions: agents
propose, approve within the limit and record payouts; supervisors also decide above the limit and edit the policy."""

from decimal import Decimal

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLE_PERMISSIONS = {
    "Agent": [
        "compensation.view_compensationpolicy",
        "compensation.view_compensationclaim",
        "compensation.add_compensationclaim",
        "compensation.decide_compensationclaim",
        "compensation.pay_compensationclaim",
        "compensation.view_chargeback",
    ],
    "Supervisor": [
        "compensation.view_compensationpolicy",
        "compensation.add_compensationpolicy",
        "compensation.change_compensationpolicy",
        "compensation.view_compensationclaim",
        "compensation.add_compensationclaim",
        "compensation.decide_compensationclaim",
        "compensation.decide_above_limit_compensationclaim",
        "compensation.pay_compensationclaim",
        "compensation.view_chargeback",
    ],
}


def _permissions(apps, codenames):
    Permission = apps.get_model("auth", "Permission")
    for dotted in codenames:
        app_label, codename = dotted.split(".")
        yield Permission.objects.get(content_type__app_label=app_label, codename=codename)


def forwards(apps, schema_editor):
    CompensationPolicy = apps.get_model("compensation", "CompensationPolicy")
    if not CompensationPolicy.objects.exists():
        CompensationPolicy.objects.create(
            version=1, is_active=True,
            delay_fee_waiver_percent=Decimal("100.00"), loss_fee_refund_percent=Decimal("100.00"),
            insured_cap=True, uninsured_cap_multiple=None, damage_min_percent=Decimal("100.00"),
            agent_approval_limit=Decimal("500.00"),
            note="Default standard: GB/T 27917.3 and the published commitments (DOMAIN.md).",
        )
    # Permissions are normally created after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(*_permissions(apps, codenames))


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for role, codenames in ROLE_PERMISSIONS.items():
        group = Group.objects.filter(name=role).first()
        if group is not None:
            group.permissions.remove(*_permissions(apps, codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("compensation", "0001_initial"),
        ("accounts", "0002_roles"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
