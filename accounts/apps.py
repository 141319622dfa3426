from django.apps import AppConfig
from django.apps import apps as global_apps
from django.apps.registry import Apps
from django.db import router
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and carriers")

    def ready(self) -> None:
        # post_migrate is sent once per app, in INSTALLED_APPS order: on the last one's, every app's permissions exist.
        last = [config for config in self.apps.get_app_configs() if config.models_module is not None][-1]
        post_migrate.connect(sync_role_permissions, sender=last, dispatch_uid="accounts.sync_role_permissions")


def sync_role_permissions(*, using: str, apps: Apps = global_apps, **kwargs: object) -> None:
    """After `migrate` (and `flush`): the role groups get exactly accounts.roles.ROLE_PERMISSIONS."""
    try:
        apps.get_model("auth", "Group")  # migrated back before auth: nothing to sync
        permission_model = apps.get_model("auth", "Permission")
    except LookupError:
        return
    if not router.allow_migrate_model(using, permission_model):
        return
    from accounts.services import role_permissions_sync  # services import models: not at app loading

    role_permissions_sync(using=using)
