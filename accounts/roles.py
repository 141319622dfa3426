"""The three roles. Each is a Django group carrying the permissions ROLE_PERMISSIONS gives it (applied after every
`migrate` by accounts.services.role_permissions_sync)."""

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

# What each role may do in the admin, as "app_label.codename": the one truth for the role groups. After every
# `migrate` accounts.services.role_permissions_sync gives each group exactly these (a permission someone added or
# removed by hand is taken away or put back). Until this map it was granted by six data migrations (accounts
# 0002-0003, complaints 0005/0008/0009, compensation 0002); they stay as history and grant the same.
_AGENT_PERMISSIONS = frozenset(
    {
        # Complaints and their history; nobody adds, changes or deletes events.
        "complaints.view_complaint",
        "complaints.add_complaint",
        "complaints.change_complaint",
        "complaints.view_complaintevent",
        "complaints.view_resolutionproposal",
        "complaints.view_slapolicy",
        "complaints.view_workingcalendar",
        "complaints.view_calendarclosure",
        "complaints.view_outboundmessage",
        "complaints.view_surveyresponse",
        # What complainants texted (inbound SMS) and emailed, and the numbers that opted out of SMS.
        "complaints.view_inboundsms",
        "complaints.view_inboundemail",
        "complaints.view_smsoptout",
        # The webhook log, and replaying a delivery.
        "complaints.view_webhookendpoint",
        "complaints.view_webhookdelivery",
        "complaints.view_webhookattempt",
        "complaints.replay_webhookdelivery",
        # Compensation: propose, decide within the agents' limit, record the payout.
        "compensation.view_compensationpolicy",
        "compensation.view_compensationclaim",
        "compensation.add_compensationclaim",
        "compensation.decide_compensationclaim",
        "compensation.pay_compensationclaim",
        "compensation.view_chargeback",
        "accounts.view_carrier",
        # Canned replies: agents pick them, supervisors write them.
        "macros.view_macro",
    }
)
# Supervisors do all agents do, and more.
_SUPERVISOR_PERMISSIONS = _AGENT_PERMISSIONS.union(
    {
        "complaints.delete_complaint",
        "complaints.escalate_complaint",
        "complaints.add_slapolicy",
        "complaints.change_slapolicy",
        "complaints.add_workingcalendar",
        "complaints.change_workingcalendar",
        "complaints.delete_workingcalendar",
        "complaints.add_calendarclosure",
        "complaints.change_calendarclosure",
        "complaints.delete_calendarclosure",
        "complaints.add_webhookendpoint",
        "complaints.change_webhookendpoint",
        "compensation.add_compensationpolicy",
        "compensation.change_compensationpolicy",
        "macros.add_macro",
        "macros.change_macro",
        "compensation.decide_above_limit_compensationclaim",
        "accounts.add_carrier",
        "accounts.change_carrier",
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "accounts.view_apikey",
        "accounts.change_apikey",
        # The audit trail of settings changes (read-only: only services write it).
        "accounts.view_auditentry",
    }
)

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    GROUP_AGENT: _AGENT_PERMISSIONS,
    GROUP_SUPERVISOR: _SUPERVISOR_PERMISSIONS,
    # Carrier partners use the API only; their rights are checked there, per carrier.
    GROUP_CARRIER: frozenset(),
}


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
