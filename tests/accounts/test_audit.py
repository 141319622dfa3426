"""The audit trail: SLA policy changes, webhook endpoint and secret changes, replays, API keys issued and revoked,
and report recomputes each leave one entry saying who and when (never a secret); supervisors read it in the admin,
agents do not, and nobody changes it."""

from datetime import datetime, timedelta
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.models import QuerySet
from django.urls import reverse

from accounts.audit import audit_record
from accounts.models import ApiKey, AuditAction, AuditEntry
from accounts.services import api_key_issue, api_key_revoke
from complaints.models import SlaPolicy, WebhookDelivery, WebhookEndpoint
from complaints.partners.webhooks.endpoints import (
    webhook_delivery_replay,
    webhook_endpoint_rotate_secret,
    webhook_endpoint_save,
)
from complaints.partners.webhooks.models import WebhookEventType, WebhookState
from complaints.sla.escalate import sla_policy_save
from reports.services import weekly_report_build
from tests.factories import make_complaint

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 2, 10, 0, tzinfo=SHANGHAI)
H = timedelta(hours=1)
AUDIT = "admin:accounts_auditentry_changelist"


def at(moment):
    return time_machine.travel(moment, tick=False)


def entries(action):
    return list(AuditEntry.objects.filter(action=action))


def everything_recorded() -> str:
    return " ".join(f"{e.target_repr} {e.data}" for e in AuditEntry.objects.all())


def test_an_sla_policy_change_is_recorded_with_who_when_and_what_changed(supervisor):
    # Given the standard policy (24 h to a first reply)
    policy = SlaPolicy.objects.get(position=1000)

    # When a supervisor shortens the first-response target to 12 h
    policy.first_response_hours = Decimal("12")
    with at(T0):
        sla_policy_save(policy=policy, actor=supervisor)

    # Then one entry says who, when, on which policy, and the target before and after
    (entry,) = entries(AuditAction.SLA_POLICY_SAVED)
    assert (entry.actor, entry.created_at) == (supervisor, T0)
    assert (entry.target_type, entry.target_id) == ("complaints.slapolicy", str(policy.pk))
    assert entry.data == {"created": False, "changed": {"first_response_hours": ["24.00", "12"]}}

    # When the policy is saved again unchanged, Then nothing more is recorded
    sla_policy_save(policy=SlaPolicy.objects.get(pk=policy.pk), actor=supervisor)
    assert len(entries(AuditAction.SLA_POLICY_SAVED)) == 1


def test_a_policy_edited_in_the_admin_is_recorded_as_the_supervisors(supervisor, supervisor_client):
    # Given the standard policy's admin form
    policy = SlaPolicy.objects.get(position=1000)
    form = {
        "name": policy.name,
        "position": policy.position,
        "is_active": "on",
        "first_response_hours": "10",
        "resolution_hours": policy.resolution_hours,
        "progress_update_hours": policy.progress_update_hours,
        "carrier_accept_hours": policy.carrier_accept_hours,
        "carrier_reply_hours": policy.carrier_reply_hours,
        "statutory_hours": policy.statutory_hours,
        "warning_percent": policy.warning_percent,
        "_save": "Save",
    }

    # When a supervisor saves it with a 10 h first-response target
    response = supervisor_client.post(reverse("admin:complaints_slapolicy_change", args=[policy.pk]), form)

    # Then the change is recorded as theirs
    assert response.status_code == 302
    (entry,) = entries(AuditAction.SLA_POLICY_SAVED)
    assert entry.actor == supervisor
    assert entry.data["changed"] == {"first_response_hours": ["24.00", "10"]}


def test_webhook_endpoint_changes_and_secret_rotation_are_recorded_without_the_secret(supervisor, zto):
    # When a supervisor adds a ZTO endpoint (a secret is made for it), then moves it to another address
    with at(T0):
        endpoint, first_secret = webhook_endpoint_save(
            endpoint=WebhookEndpoint(
                carrier=zto, url="https://hooks.zto.example.com/a", event_types=[WebhookEventType.ASSIGNED]
            ),
            actor=supervisor,
        )
    with at(T0 + H):
        endpoint.url = "https://hooks.zto.example.com/b"
        webhook_endpoint_save(endpoint=endpoint, actor=supervisor)
    # and rotates its secret with a 24-hour overlap
    with at(T0 + 2 * H):
        _rotated, second_secret = webhook_endpoint_rotate_secret(endpoint=endpoint, actor=supervisor, overlap_hours=24)

    # Then each change is one entry, by the supervisor, at its time
    created, moved = sorted(entries(AuditAction.WEBHOOK_ENDPOINT_SAVED), key=lambda e: e.created_at)
    assert (created.actor, created.created_at) == (supervisor, T0)
    assert created.data["created"] is True and created.data["secret"] == "new"
    assert (moved.actor, moved.created_at) == (supervisor, T0 + H)
    assert moved.data == {
        "created": False,
        "changed": {"url": ["https://hooks.zto.example.com/a", "https://hooks.zto.example.com/b"]},
        "secret": "unchanged",
    }
    (rotation,) = entries(AuditAction.WEBHOOK_SECRET_ROTATED)
    assert (rotation.actor, rotation.created_at, rotation.target_id) == (supervisor, T0 + 2 * H, str(endpoint.pk))
    assert rotation.data["overlap_hours"] == 24
    # and no secret, nor a piece of one, is in the trail
    recorded = everything_recorded()
    for secret in (first_secret, second_secret):
        assert secret[:16] not in recorded and secret[-16:] not in recorded


def test_a_replayed_delivery_is_recorded_once(agent, zto):
    # Given a delivery that failed
    endpoint = WebhookEndpoint.objects.create(carrier=zto, url="https://hooks.zto.example.com/r", secret="s" * 40)
    with at(T0):
        complaint = make_complaint(carrier=zto)
    failed = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_type=WebhookEventType.ASSIGNED,
        complaint=complaint,
        payload={"event": "complaint.assigned"},
        state=WebhookState.FAILED,
        retry_until=T0 + 24 * H,
        created_at=T0,
    )

    # When an agent replays it, twice (the second returns the replay under way)
    with at(T0 + 26 * H):
        replay = webhook_delivery_replay(delivery=failed, actor=agent)
        webhook_delivery_replay(delivery=failed, actor=agent)

    # Then one entry records the replay, by the agent, at that time
    (entry,) = entries(AuditAction.WEBHOOK_DELIVERY_REPLAYED)
    assert (entry.actor, entry.created_at, entry.target_id) == (agent, T0 + 26 * H, str(replay.pk))
    assert entry.data["replay_of"] == failed.pk


def test_api_keys_issued_and_revoked_are_recorded_by_their_prefix_only(supervisor, supervisor_client, zto):
    # When an operator issues a key from the command line, naming themselves
    out = StringIO()
    with at(T0):
        call_command("issue_api_key", "ZTO", "--name", "ERP", "--by", supervisor.username, stdout=out, stderr=out)
    raw = out.getvalue().split()[-1]
    key = ApiKey.objects.get()

    # Then the issue is recorded as theirs, naming the key by its prefix
    (issued,) = entries(AuditAction.API_KEY_ISSUED)
    assert (issued.actor, issued.created_at) == (supervisor, T0)
    assert issued.data == {"carrier": "ZTO", "name": "ERP", "prefix": key.prefix}

    # When a supervisor revokes it in the admin, and it is revoked again
    with at(T0 + H):
        response = supervisor_client.post(
            reverse("admin:accounts_apikey_changelist"),
            {"action": "revoke", "_selected_action": [key.pk]},
        )
    assert response.status_code == 302
    api_key_revoke(api_key=key, actor=supervisor)

    # Then one revocation is recorded, as the supervisor's, and the key itself is nowhere in the trail
    (revoked,) = entries(AuditAction.API_KEY_REVOKED)
    assert (revoked.actor, revoked.created_at) == (supervisor, T0 + H)
    assert raw[12:] not in everything_recorded()


def test_a_key_issued_without_a_name_is_recorded_as_the_systems(zto):
    # When a key is issued by a job that names nobody
    key, _raw = api_key_issue(carrier=zto)

    # Then the entry has no actor: the system
    (entry,) = entries(AuditAction.API_KEY_ISSUED)
    assert entry.actor is None and entry.target_id == str(key.pk)


def test_recomputing_a_stored_week_is_recorded_with_the_figures_it_changed(supervisor):
    # Given the stored report of 2026-W45, computed on the Monday after
    with at(T0):
        make_complaint()
    with at(datetime(2026, 11, 9, 9, 0, tzinfo=SHANGHAI)):
        weekly_report_build(week="2026-W45")
    assert entries(AuditAction.REPORT_RECOMPUTED) == []  # storing a week the first time is no change

    # When a complaint received that week is backdated in (a late intake) and a supervisor recomputes the week
    with at(T0 + H):
        make_complaint()
    recomputed_at = datetime(2026, 11, 10, 9, 0, tzinfo=SHANGHAI)
    with at(recomputed_at):
        weekly_report_build(week="2026-W45", actor=supervisor, recompute=True)

    # Then one entry says who recomputed it and when, what it said before, and which headline figures moved
    (entry,) = entries(AuditAction.REPORT_RECOMPUTED)
    assert (entry.actor, entry.created_at) == (supervisor, recomputed_at)
    assert entry.data["iso_week"] == "2026-W45"
    assert entry.data["previous_computed_by"] is None
    assert entry.data["changed"]["received"] == [1, 2]


def test_the_trail_cannot_be_changed_and_refuses_a_secret(supervisor, zto):
    # Given an entry
    key, raw = api_key_issue(carrier=zto, actor=supervisor)
    entry = AuditEntry.objects.get()

    # When anyone tries to change or delete it through the models, Then it is refused
    with pytest.raises(TypeError):
        AuditEntry.objects.filter(pk=entry.pk).update(action=AuditAction.API_KEY_REVOKED)
    with pytest.raises(TypeError):
        entry.save()
    with pytest.raises(TypeError):
        AuditEntry.objects.all().delete()
    # and the database itself refuses an update
    with pytest.raises(DatabaseError), transaction.atomic():
        QuerySet(model=AuditEntry).filter(pk=entry.pk).update(target_repr="edited")
    with connection.cursor() as cursor:
        cursor.execute("SELECT target_repr FROM accounts_auditentry WHERE id = %s", [entry.pk])
        assert cursor.fetchone()[0] == entry.target_repr

    # When a service would record a secret, Then it is refused (a prefix at most)
    with transaction.atomic(), pytest.raises(ValueError, match="secret"):
        audit_record(actor=supervisor, action=AuditAction.API_KEY_ISSUED, target=key, data={"key": raw})


def test_supervisors_read_the_trail_filtered_by_action_and_actor_and_agents_cannot(client, supervisor, agent, zto):
    # Given an issued key and a changed policy
    api_key_issue(carrier=zto, name="ERP", actor=supervisor)
    policy = SlaPolicy.objects.get(position=1000)
    policy.resolution_hours = Decimal("60")
    sla_policy_save(policy=policy, actor=supervisor)

    # When an agent opens the audit trail, Then it is refused
    client.force_login(agent)
    assert client.get(reverse(AUDIT)).status_code == 403

    # When a supervisor opens it, Then both changes are listed, and the filters narrow them
    client.force_login(supervisor)
    response = client.get(reverse(AUDIT))
    assert response.status_code == 200
    assert {e.action for e in response.context["cl"].result_list} == {
        AuditAction.API_KEY_ISSUED,
        AuditAction.SLA_POLICY_SAVED,
    }
    only_keys = client.get(reverse(AUDIT), {"action": AuditAction.API_KEY_ISSUED})
    assert [e.action for e in only_keys.context["cl"].result_list] == [AuditAction.API_KEY_ISSUED]
    by_supervisor = client.get(reverse(AUDIT), {"actor__id__exact": supervisor.pk})
    assert len(by_supervisor.context["cl"].result_list) == 2
    # and nobody can add, change or delete an entry there
    entry = AuditEntry.objects.first()
    assert client.get(reverse("admin:accounts_auditentry_add")).status_code == 403
    assert client.post(reverse("admin:accounts_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.count() == 2
