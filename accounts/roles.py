"""The three roles. Each is a Django group (created by a data migration) carrying its permissions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from accounts.models import User


class Role(models.TextChoices):
    AGENT = "agent", _("Agent")
    SUPERVISOR = "supervisor", _("Supervisor")
    CARRIER = "carrier", _("Carrier partner")
    SYSTEM = "system", _("System")


# Group names as stored in the database. They are identifiers, not display text: the admin shows Role labels.
GROUP_AGENT = "Agent"
GROUP_SUPERVISOR = "Supervisor"
GROUP_CARRIER = "Carrier partner"


def user_role(user: User | None) -> Role:
    """The role a user acts in. Superusers act as supervisors; no user at all is the system."""
    if user is None:
        return Role.SYSTEM
    if user.carrier_id is not None:
        return Role.CARRIER
    if user.is_superuser or user_in_group(user, GROUP_SUPERVISOR):
        return Role.SUPERVISOR
    return Role.AGENT


def user_in_group(user: User, group_name: str) -> bool:
    # Cache per user object: the admin asks several times per request.
    cache = getattr(user, "_redress_groups", None)
    if cache is None:
        cache = set(user.groups.values_list("name", flat=True))
        user._redress_groups = cache
    return group_name in cache


def is_supervisor(user: User) -> bool:
    return user_role(user) == Role.SUPERVISOR
