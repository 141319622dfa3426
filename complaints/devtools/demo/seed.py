"""Running the demo: ``seed_demo`` creates whatever of the demo data is missing (carriers, users, the planned
complaints with their histories, a partner API key, weekly parcel volumes), all made through the services exactly
as the admin and the API make them, in one transaction: a failure leaves the database as it was."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from accounts.models import ApiKey, Carrier, User
from accounts.roles import Role
from accounts.services import api_key_issue
from complaints.devtools.demo.histories import histories_for
from complaints.devtools.demo.month import MonthResult, month_live
from complaints.devtools.demo.people import CARRIERS, ROLE_OF_GROUP, USERS
from complaints.devtools.demo.plan import build_plan
from complaints.models import Complaint, ComplaintEvent
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


# While the month is played: email to memory and SMS to files (never to a real mailbox or gateway, whatever the
# developer configured), no nudges to the broker (the month runs the dispatcher itself), and the reports read the
# database being written (a replica would not see this transaction).
DEMO_SETTINGS = {
    "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    "REDRESS_SMS_BACKEND": "complaints.followups.sms.FileBackend",
    "REDRESS_NUDGE_DISPATCHER": False,
    "REDRESS_REPORTS_DATABASE": "default",
    "DEBUG": False,  # DEBUG keeps every query in memory: the month runs a hundred thousand
}


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
    month: MonthResult | None = None  # how the month went, when this run played it


def seed_demo(*, now: datetime | None = None) -> SeedResult:
    """Create whatever of the demo data is missing. See the package docstring for what "missing" means."""
    now = now or timezone.now()
    result = SeedResult(password=settings.REDRESS_DEMO_PASSWORD)
    with transaction.atomic():
        carriers = _seed_carriers(result)
        users = _seed_users(result, carriers)
        _seed_parcel_volumes(carriers, now)  # first: the Monday reports of the month read them
        _seed_complaints(result, carriers, users, now)
        _seed_api_key(result, carriers[DEMO_API_CARRIER])
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
            reported_at = min(week.end + timedelta(hours=6), now)  # the carriers report on Monday morning
            parcel_volume_set(carrier=carriers[code], iso_week=str(week), parcels=int(parcels * wobble), at=reported_at)
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
    """The month: played only on a database without any demo complaint. Its complaints, clocks, messages, surveys
    and claims hang together (a breach escalates, a late reply is late on the report), so a month with some of its
    complaints deleted is not patched up: what is there is left as it is."""
    plan = build_plan()
    waybills = {p.waybill for p in plan}
    existing = set(Complaint.objects.filter(waybill_number__in=waybills).values_list("waybill_number", "description"))
    result.complaints_existing = sum(p.key in existing for p in plan)
    if result.complaints_existing:
        return
    events_before = ComplaintEvent.objects.count()
    with override_settings(**DEMO_SETTINGS):
        result.month = month_live(histories=histories_for(plan=plan, now=now), carriers=carriers, users=users, now=now)
    result.complaints_created = len(plan)
    result.events_created = ComplaintEvent.objects.count() - events_before
