"""The three roles as groups with their permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLE_PERMISSIONS = {
    "Agent": [
        "complaints.view_complaint",
        "complaints.add_complaint",
        "complaints.change_complaint",
        "complaints.view_complaintevent",
        "accounts.view_carrier",
    ],
    "Supervisor": [
        "complaints.view_complaint",
        "complaints.add_complaint",
        "complaints.change_complaint",
        "complaints.delete_complaint",
        "complaints.escalate_complaint",
        "complaints.view_complaintevent",
        "accounts.view_carrier",
        "accounts.add_carrier",
        "accounts.change_carrier",
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
    ],
    # Carrier partners use the API only; their rights are checked there, per carrier.
    "Carrier partner": [],
}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; the groups need them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        permissions = []
        for dotted in codenames:
            app_label, codename = dotted.split(".")
            permissions.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_PERMISSIONS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("complaints", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(create_roles, remove_roles)]
