"""Permissions for the SLA policy, outbox and survey admins: agents may view, supervisors edit the policies."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLE_PERMISSIONS = {
    "Agent": [
        "complaints.view_slapolicy",
        "complaints.view_outboundmessage",
        "complaints.view_surveyresponse",
    ],
    "Supervisor": [
        "complaints.view_slapolicy",
        "complaints.add_slapolicy",
        "complaints.change_slapolicy",
        "complaints.view_outboundmessage",
        "complaints.view_surveyresponse",
    ],
}


def _permissions(apps, codenames):
    Permission = apps.get_model("auth", "Permission")
    for dotted in codenames:
        app_label, codename = dotted.split(".")
        yield Permission.objects.get(content_type__app_label=app_label, codename=codename)


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(*_permissions(apps, codenames))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for role, codenames in ROLE_PERMISSIONS.items():
        group = Group.objects.filter(name=role).first()
        if group is not None:
            group.permissions.remove(*_permissions(apps, codenames))


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0004_default_sla_policies"),
        ("accounts", "0002_roles"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
