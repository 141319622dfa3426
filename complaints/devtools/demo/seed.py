"""Running the demo: ``seed_demo`` creates whatever of the demo data is missing (carriers, users, the planned
complaints with their histories, a partner API key, weekly parcel volumes), all made through the services exactly
as the admin and the API make them, in one transaction: a failure leaves the database as it was."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from accounts.models import ApiKey, Carrier, User
from accounts.roles import Role
from accounts.services import api_key_issue
from complaints import services
from complaints.devtools.demo.histories import histories_for
from complaints.devtools.demo.people import CARRIERS, ROLE_OF_GROUP, USERS
from complaints.devtools.demo.plan import build_plan
from complaints.devtools.demo.stories import Step
from complaints.models import Complaint, ComplaintEvent
from complaints.sla.escalate import complaint_escalate
from reports.models import ParcelVolume
from reports.services import parcel_volume_set
from reports.weeks import IsoWeek

# Where `make run` serves the site (scripts/run_local.sh: runserver 127.0.0.1:$REDRESS_PORT, default 8000).
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000


def login_url(*, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT) -> str:
    """The admin's login page on a development server listening on host:port."""
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address
    return f"http://{host}:{port}/admin/"


@dataclass
class UserLine:
    username: str
    role: Role
    carrier: str | None
    is_staff: bool
    created: bool
    password_is_demo: bool


@dataclass
class SeedResult:
    carriers_created: int = 0
    carriers_existing: int = 0
    users_created: int = 0
    users_existing: int = 0
    complaints_created: int = 0
    complaints_existing: int = 0
    events_created: int = 0
    users: list[UserLine] = field(default_factory=list)
    password: str = ""
    # (carrier code, key) for partner API keys made by this run; a key is shown once, so a rerun makes none.
    api_keys: list[tuple[str, str]] = field(default_factory=list)


def seed_demo(*, now: datetime | None = None) -> SeedResult:
    """Create whatever of the demo data is missing. See the package docstring for what "missing" means."""
    now = now or timezone.now()
    result = SeedResult(password=settings.REDRESS_DEMO_PASSWORD)
    with transaction.atomic():
        carriers = _seed_carriers(result)
        users = _seed_users(result, carriers)
        _seed_complaints(result, carriers, users, now)
        _seed_api_key(result, carriers[DEMO_API_CARRIER])
        _seed_parcel_volumes(carriers, now)
    return result


# Weekly parcels per carrier, as their systems would report them (PUT /api/v1/volumes/{week}/), so the demo report
# shows complaint rates. Deterministic: a week's figure depends only on the carrier and the week.
DEMO_WEEKLY_PARCELS = {"ZTO": 3_200_000, "SF": 1_800_000, "KY": 400_000}


def _seed_parcel_volumes(carriers: dict[str, Carrier], now: datetime) -> None:
    if ParcelVolume.objects.filter(carrier__code__in=DEMO_WEEKLY_PARCELS).exists():
        return  # seeded before (or reported since): a rerun adds nothing
    week = IsoWeek.of(now).previous(7)
    while week <= IsoWeek.of(now).previous():
        for code, parcels in DEMO_WEEKLY_PARCELS.items():
            wobble = 1 + ((week.week * 7 + len(code)) % 11 - 5) / 100  # ±5 % from week to week
            parcel_volume_set(carrier=carriers[code], iso_week=str(week), parcels=int(parcels * wobble), at=now)
        week = week.next()


DEMO_API_CARRIER = "ZTO"
DEMO_API_KEY_NAME = "demo"


def _seed_api_key(result: SeedResult, carrier: Carrier) -> None:
    """One partner API key for the demo carrier, so the API can be tried at once (`curl -H "Authorization: Bearer
    …" /api/v1/complaints/`). Only its hash is stored: it is printed by the run that makes it, never again."""
    if ApiKey.objects.filter(carrier=carrier, name=DEMO_API_KEY_NAME).exists():
        return
    _key, raw = api_key_issue(carrier=carrier, name=DEMO_API_KEY_NAME)
    result.api_keys.append((carrier.code, raw))


def _seed_carriers(result: SeedResult) -> dict[str, Carrier]:
    carriers = {}
    for spec in CARRIERS:
        carrier, created = Carrier.objects.get_or_create(
            code=spec.code,
            defaults={"name_zh": spec.name_zh, "name_en": spec.name_en, "contact_email": spec.contact_email},
        )
        carriers[spec.code] = carrier
        if created:
            result.carriers_created += 1
        else:
            result.carriers_existing += 1
    return carriers


def _seed_users(result: SeedResult, carriers: dict[str, Carrier]) -> dict[str | None, User | None]:
    password = settings.REDRESS_DEMO_PASSWORD
    users: dict[str | None, User | None] = {None: None}
    for spec in USERS:
        user = User.objects.filter(username=spec.username).first()
        created = user is None
        if created:
            carrier = carriers[spec.carrier] if spec.carrier else None
            domain = f"{spec.carrier.lower()}.example.com" if spec.carrier else "redress.example.com"
            user = User.objects.create_user(
                username=spec.username,
                email=f"{spec.username}@{domain}",
                password=password,
                first_name=spec.first_name,
                last_name=spec.last_name,
                is_staff=spec.is_staff,
                carrier=carrier,
            )
            result.users_created += 1
        else:
            result.users_existing += 1
        user.groups.add(Group.objects.get(name=spec.group))  # no change when it is already there
        users[spec.username] = user
        result.users.append(
            UserLine(
                username=spec.username,
                role=ROLE_OF_GROUP[spec.group],
                carrier=user.carrier.code if user.carrier_id else None,
                is_staff=user.is_staff,
                created=created,
                # Not user.check_password(): that may re-hash and save the password, a change on a second run.
                password_is_demo=created or check_password(password, user.password),
            )
        )
    return users


def _seed_complaints(result: SeedResult, carriers: dict[str, Carrier], users: dict, now: datetime) -> None:
    plan = build_plan()
    waybills = {p.waybill for p in plan}
    existing = set(Complaint.objects.filter(waybill_number__in=waybills).values_list("waybill_number", "description"))
    todo = [p for p in plan if p.key not in existing]
    result.complaints_existing = len(plan) - len(todo)
    if not todo:
        return
    events_before = ComplaintEvent.objects.count()

    for history in histories_for(plan=todo, now=now):
        p = history.planned
        complaint = services.complaint_create(
            actor=users[history.creator],
            channel=p.channel,
            category=p.category,
            waybill_number=p.waybill,
            description=p.description,
            complainant_name=p.name,
            complainant_phone=p.phone,
            complainant_email=p.email,
            language=p.language,
            contact_channel=p.contact_channel,
            carrier=carriers[p.carrier_code] if p.carrier_code else None,
            declared_value=p.declared_at_intake,
            insured_value=p.insured,
            shipping_fee=p.fee,
            priority=p.priority,
            risk_medical=p.medical,
            at=history.received_at,
        )
        for step, at in history.steps:
            _perform(step, complaint, at, users)
    result.complaints_created = len(todo)
    result.events_created = ComplaintEvent.objects.count() - events_before


def _perform(step: Step, complaint: Complaint, at: datetime, users: dict) -> None:
    params = dict(step.params)
    actor = users[params.pop("actor", None)]
    action = step.action
    if action == "assign":
        services.complaint_assign(complaint=complaint, actor=actor, owner=users[params["owner"]], at=at)
    elif action == "transition":
        services.complaint_transition(
            complaint=complaint, actor=actor, to_status=params["to"], note=params["note"], at=at
        )
    elif action == "reply":
        services.complaint_reply(complaint=complaint, actor=actor, message=params["message"], at=at)
    elif action == "note":
        services.complaint_add_note(complaint=complaint, actor=actor, message=params["message"], at=at)
    elif action == "update":
        services.complaint_update(
            complaint=complaint, actor=actor, expected_version=None, changes=params["changes"], at=at
        )
    elif action == "hand":
        services.complaint_hand_to_carrier(complaint=complaint, actor=actor, message=params["message"], at=at)
    elif action == "accept":
        services.complaint_carrier_accept(complaint=complaint, actor=actor, at=at)
    elif action == "resolve":
        services.complaint_resolve(
            complaint=complaint,
            actor=actor,
            summary=params["summary"],
            root_cause=params["root_cause"],
            root_cause_area=params.get("root_cause_area", ""),
            carrier_liable=params.get("carrier_liable"),
            at=at,
        )
    elif action == "close":
        services.complaint_close(complaint=complaint, actor=actor, at=at)
    elif action == "reopen":
        services.complaint_reopen(complaint=complaint, actor=actor, reason=params["reason"], at=at)
    elif action == "survey":
        services.complaint_answer_survey(
            complaint=complaint, cycle=complaint.reopen_count, score=params["score"], comment=params["comment"], at=at
        )
    elif action == "escalate":
        complaint_escalate(
            complaint=complaint, actor=actor, reason=params["reason"], to_level=params["to_level"], at=at
        )
    else:
        raise ValueError(f"unknown demo step {action!r}")
