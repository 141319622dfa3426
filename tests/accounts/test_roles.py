"""The three roles: groups from the data migration, the database rule that carrier users are never staff, and the
role a user acts in (recorded on every event)."""

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction

from accounts.models import User
from accounts.roles import GROUP_AGENT, GROUP_CARRIER, GROUP_SUPERVISOR, Role, is_supervisor, user_role
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
    assert not {
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
    } & perms


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
        assert not {"complaints.add_complaintevent", "complaints.change_complaintevent",
                    "complaints.delete_complaintevent"} & perms, group


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


# --- The database rule ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("flags", [{"is_staff": True}, {"is_superuser": True}, {"is_staff": True, "is_superuser": True}])
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
