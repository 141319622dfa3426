"""The three roles: groups with exactly the permissions of ROLE_PERMISSIONS (synced after every migrate), the
database rule that carrier users are never staff, and the role a user acts in (recorded on every event)."""

import logging

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management.sql import emit_post_migrate_signal
from django.db import IntegrityError, transaction

from accounts.models import User
from accounts.roles import (
    GROUP_AGENT,
    GROUP_CARRIER,
    GROUP_SUPERVISOR,
    ROLE_PERMISSIONS,
    Role,
    is_supervisor,
    user_role,
)
from accounts.services import RoleChange, role_permissions_sync
from tests.factories import AgentFactory, CarrierFactory, CarrierUserFactory, SupervisorFactory, UserFactory

pytestmark = pytest.mark.django_db


def _permissions(group_name):
    group = Group.objects.get(name=group_name)
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}


def test_the_three_role_groups_exist_after_migrating():
    assert set(Group.objects.values_list("name", flat=True)) >= {GROUP_AGENT, GROUP_SUPERVISOR, GROUP_CARRIER}


def test_agents_work_complaints_but_cannot_delete_escalate_or_manage_users():
    perms = _permissions(GROUP_AGENT)
    assert {
        "complaints.view_complaint",
        "complaints.add_complaint",
        "complaints.change_complaint",
        "complaints.view_complaintevent",
        "accounts.view_carrier",
    } <= perms
    assert (
        not {
            "complaints.delete_complaint",
            "complaints.escalate_complaint",
            "accounts.add_carrier",
            "accounts.change_carrier",
            "accounts.delete_carrier",
            "accounts.view_user",
            "accounts.add_user",
            "accounts.change_user",
            "accounts.delete_user",
            "auth.change_group",
        }
        & perms
    )


def test_supervisors_also_delete_escalate_and_manage_carriers_and_users():
    perms = _permissions(GROUP_SUPERVISOR)
    assert _permissions(GROUP_AGENT) < perms
    assert {
        "complaints.delete_complaint",
        "complaints.escalate_complaint",
        "accounts.add_carrier",
        "accounts.change_carrier",
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
    } <= perms


def test_nobody_may_change_or_delete_complaint_events():
    for group in (GROUP_AGENT, GROUP_SUPERVISOR, GROUP_CARRIER):
        perms = _permissions(group)
        assert (
            not {
                "complaints.add_complaintevent",
                "complaints.change_complaintevent",
                "complaints.delete_complaintevent",
            }
            & perms
        ), group


def test_carrier_partners_have_no_admin_permission():
    assert _permissions(GROUP_CARRIER) == set()


def test_group_permissions_reach_the_user():
    # Given an agent and a supervisor made with their groups
    agent = AgentFactory()
    supervisor = SupervisorFactory()

    # Then Django's permission checks follow the groups
    assert agent.has_perm("complaints.change_complaint")
    assert not agent.has_perm("complaints.delete_complaint")
    assert supervisor.has_perm("complaints.delete_complaint")
    assert supervisor.has_perm("complaints.escalate_complaint")


# --- ROLE_PERMISSIONS and its sync ---------------------------------------------------------------------------------

# What the six data migrations (accounts 0002-0003, complaints 0005/0008/0009, compensation 0002) granted, dumped from
# a fresh database migrated before ROLE_PERMISSIONS existed. The sync must give the same.
GRANTED_BY_THE_MIGRATIONS = {
    GROUP_AGENT: {
        "accounts.view_carrier",
        "compensation.add_compensationclaim",
        "compensation.decide_compensationclaim",
        "compensation.pay_compensationclaim",
        "compensation.view_chargeback",
        "compensation.view_compensationclaim",
        "compensation.view_compensationpolicy",
        "complaints.add_complaint",
        "complaints.change_complaint",
        "complaints.replay_webhookdelivery",
        "complaints.view_complaint",
        "complaints.view_complaintevent",
        "complaints.view_outboundmessage",
        "complaints.view_resolutionproposal",
        "complaints.view_slapolicy",
        "complaints.view_surveyresponse",
        "complaints.view_webhookattempt",
        "complaints.view_webhookdelivery",
        "complaints.view_webhookendpoint",
    },
    GROUP_SUPERVISOR: {
        "accounts.add_carrier",
        "accounts.add_user",
        "accounts.change_apikey",
        "accounts.change_carrier",
        "accounts.change_user",
        "accounts.view_apikey",
        "accounts.view_carrier",
        "accounts.view_user",
        "compensation.add_compensationclaim",
        "compensation.add_compensationpolicy",
        "compensation.change_compensationpolicy",
        "compensation.decide_above_limit_compensationclaim",
        "compensation.decide_compensationclaim",
        "compensation.pay_compensationclaim",
        "compensation.view_chargeback",
        "compensation.view_compensationclaim",
        "compensation.view_compensationpolicy",
        "complaints.add_complaint",
        "complaints.add_slapolicy",
        "complaints.add_webhookendpoint",
        "complaints.change_complaint",
        "complaints.change_slapolicy",
        "complaints.change_webhookendpoint",
        "complaints.delete_complaint",
        "complaints.escalate_complaint",
        "complaints.replay_webhookdelivery",
        "complaints.view_complaint",
        "complaints.view_complaintevent",
        "complaints.view_outboundmessage",
        "complaints.view_resolutionproposal",
        "complaints.view_slapolicy",
        "complaints.view_surveyresponse",
        "complaints.view_webhookattempt",
        "complaints.view_webhookdelivery",
        "complaints.view_webhookendpoint",
    },
    GROUP_CARRIER: set(),
}
# Granted by the map alone, after the data migrations: the audit trail (accounts 0004), for supervisors only; the
# inbound SMS and SMS opt-outs (complaints 0017) and the inbound emails (complaints 0022), for agents and supervisors.
INBOUND_SMS = {"complaints.view_inboundsms", "complaints.view_smsoptout", "complaints.view_inboundemail"}
# Canned replies (macros 0001): agents pick them, supervisors write them.
MACROS = {"macros.view_macro"}
# Working calendars for SLA policies (complaints 0023): agents look, supervisors keep them and their closures.
CALENDARS_VIEW = {"complaints.view_workingcalendar", "complaints.view_calendarclosure"}
CALENDARS_EDIT = {
    f"complaints.{action}_{model}"
    for action in ("add", "change", "delete")
    for model in ("workingcalendar", "calendarclosure")
}
GRANTED_SINCE = {
    GROUP_AGENT: INBOUND_SMS | MACROS | CALENDARS_VIEW,
    GROUP_SUPERVISOR: {
        "accounts.view_auditentry",
        *INBOUND_SMS,
        *MACROS,
        "macros.add_macro",
        "macros.change_macro",
        *CALENDARS_VIEW,
        *CALENDARS_EDIT,
    },
    GROUP_CARRIER: set(),
}
GRANTED = {group: GRANTED_BY_THE_MIGRATIONS[group] | GRANTED_SINCE[group] for group in GRANTED_BY_THE_MIGRATIONS}


def _group_permission_rows():
    return set(Group.permissions.through.objects.values_list("pk", "group__name", "permission_id"))


def test_the_map_gives_exactly_what_the_data_migrations_granted_and_the_audit_trail():
    assert {group: set(permissions) for group, permissions in ROLE_PERMISSIONS.items()} == GRANTED


def test_every_permission_in_the_map_exists_after_migrating():
    # A typo in the map would only be a warning at migrate time; here it fails.
    existing = {
        f"{app_label}.{codename}"
        for app_label, codename in Permission.objects.values_list("content_type__app_label", "codename")
    }
    assert set().union(*ROLE_PERMISSIONS.values()) <= existing


def test_the_sync_builds_the_role_groups_from_nothing():
    # Given no role groups at all
    Group.objects.filter(name__in=ROLE_PERMISSIONS).delete()

    # When the roles are synced
    changes = role_permissions_sync()

    # Then the groups are back with exactly what the map grants
    for group in (GROUP_AGENT, GROUP_SUPERVISOR, GROUP_CARRIER):
        assert _permissions(group) == GRANTED[group], group
    assert changes[GROUP_AGENT] == RoleChange(frozenset(GRANTED[GROUP_AGENT]), frozenset())
    assert GROUP_CARRIER not in changes  # created, but nothing to give it


def test_the_sync_puts_back_a_removed_permission_and_takes_away_an_added_one():
    # Given someone removed a permission from the agents and gave them one the map does not
    agents = Group.objects.get(name=GROUP_AGENT)
    agents.permissions.remove(Permission.objects.get(content_type__app_label="complaints", codename="change_complaint"))
    agents.permissions.add(Permission.objects.get(content_type__app_label="complaints", codename="delete_complaint"))

    # When the roles are synced
    changes = role_permissions_sync()

    # Then the map is the truth again, and the sync says what it changed
    assert _permissions(GROUP_AGENT) == GRANTED[GROUP_AGENT]
    assert changes == {
        GROUP_AGENT: RoleChange(frozenset({"complaints.change_complaint"}), frozenset({"complaints.delete_complaint"}))
    }


def test_the_sync_leaves_other_groups_alone():
    # Given a group someone made in the admin
    auditors = Group.objects.create(name="Auditors")
    auditors.permissions.add(Permission.objects.get(content_type__app_label="complaints", codename="delete_complaint"))

    # When the roles are synced
    role_permissions_sync()

    # Then it keeps what it had
    assert _permissions("Auditors") == {"complaints.delete_complaint"}


def test_syncing_twice_changes_nothing():
    # Given synced roles (migrate did it; once more to be sure)
    role_permissions_sync()
    before = _group_permission_rows()

    # When they are synced again
    changes = role_permissions_sync()

    # Then nothing was added, removed or rewritten
    assert changes == {}
    assert _group_permission_rows() == before


def test_a_permission_not_created_yet_is_skipped_with_a_warning(monkeypatch, caplog):
    # Given a map naming a permission whose model is not migrated yet
    monkeypatch.setitem(
        ROLE_PERMISSIONS, GROUP_AGENT, ROLE_PERMISSIONS[GROUP_AGENT] | {"complaints.view_notmigratedyet"}
    )

    # When the roles are synced
    with caplog.at_level(logging.WARNING, logger="accounts.services"):
        changes = role_permissions_sync()

    # Then the rest is applied and the missing one is named
    assert changes == {}
    assert _permissions(GROUP_AGENT) == GRANTED[GROUP_AGENT]
    assert "complaints.view_notmigratedyet" in caplog.text


def test_migrate_runs_the_sync():
    # Given a supervisor group someone stripped
    Group.objects.get(name=GROUP_SUPERVISOR).permissions.clear()

    # When migrate ends (its post_migrate signal, sent once per app)
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")

    # Then the supervisors have their permissions again
    assert _permissions(GROUP_SUPERVISOR) == GRANTED[GROUP_SUPERVISOR]


# --- The database rule ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "flags", [{"is_staff": True}, {"is_superuser": True}, {"is_staff": True, "is_superuser": True}]
)
def test_the_database_refuses_a_carrier_user_who_is_staff(flags):
    # Given a carrier
    carrier = CarrierFactory(code="ZTO")

    # When someone creates one of its users as staff or superuser, going around any form
    with pytest.raises(IntegrityError) as caught:
        with transaction.atomic():
            User.objects.create(username="zto_admin", carrier=carrier, **flags)

    # Then the database refuses it, naming the rule
    assert "carrier_user_not_staff" in str(caught.value)
    assert not User.objects.filter(username="zto_admin").exists()


def test_the_database_refuses_promoting_a_carrier_user_to_staff():
    # Given an existing carrier user
    user = CarrierUserFactory(username="zto_api")

    # When someone flips is_staff on them
    with pytest.raises(IntegrityError) as caught:
        with transaction.atomic():
            User.objects.filter(pk=user.pk).update(is_staff=True)

    # Then the database refuses it
    assert "carrier_user_not_staff" in str(caught.value)
    user.refresh_from_db()
    assert user.is_staff is False


def test_the_model_validation_refuses_a_staff_carrier_user_with_a_message():
    # Given a carrier user marked as staff in a form
    user = User(username="zto_admin", carrier=CarrierFactory(code="ZTO"), is_staff=True)

    # When it is validated as a form would
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        user.full_clean()


def test_a_staff_user_without_a_carrier_is_fine():
    user = User.objects.create(username="plain_staff", is_staff=True, is_superuser=True)
    assert user.pk


# --- user_role --------------------------------------------------------------------------------------------------------


def test_no_user_is_the_system():
    assert user_role(None) == Role.SYSTEM


def test_an_agent_acts_as_an_agent():
    agent = AgentFactory()
    assert user_role(agent) == Role.AGENT
    assert not is_supervisor(agent)


def test_a_supervisor_acts_as_a_supervisor():
    supervisor = SupervisorFactory()
    assert user_role(supervisor) == Role.SUPERVISOR
    assert is_supervisor(supervisor)


def test_a_superuser_acts_as_a_supervisor():
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    assert user_role(root) == Role.SUPERVISOR


def test_a_carrier_user_acts_as_the_carrier():
    assert user_role(CarrierUserFactory()) == Role.CARRIER


def test_a_carrier_user_stays_a_carrier_even_if_put_in_the_supervisor_group():
    # Given a carrier user someone added to the supervisor group by mistake
    user = CarrierUserFactory()
    user.groups.add(Group.objects.get(name=GROUP_SUPERVISOR))

    # Then they still act as the carrier, never as a supervisor
    assert user_role(User.objects.get(pk=user.pk)) == Role.CARRIER
