"""`manage.py seed_demo`: a back office full of realistic complaints, users who can log in, and safe to run again."""

import re
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone, translation

from accounts.models import Carrier, User
from complaints.choices import OPEN_STATUSES, Category, Channel, Language, Status
from complaints.models import Complaint, ComplaintEvent, OutboundMessage
from reports.metrics import week_compute
from reports.models import ParcelVolume
from reports.weeks import IsoWeek

LOGIN_URL = "http://127.0.0.1:8000/admin/"
STAFF = ("supervisor", "agent1", "agent2")
CARRIER_USERS = {"zto_api": "ZTO", "sf_api": "SF", "ky_api": "KY"}
WAYBILL_FORMATS = {"ZTO": r"^7\d{11}$", "SF": r"^SF\d{13}$", "KY": r"^KY\d{12}$"}


@pytest.fixture(autouse=True)
def no_port_from_the_shell(monkeypatch):
    """The login address follows REDRESS_PORT: a developer's own setting must not change what these tests expect."""
    monkeypatch.delenv("REDRESS_PORT", raising=False)


@pytest.fixture(autouse=True)
def sms_files(settings, tmp_path):
    """The demo's month sends its SMS to the file backend: into this test's folder, not the checkout's var/."""
    settings.REDRESS_SMS_FILE_DIR = str(tmp_path / "sms")


def small_plan(monkeypatch, count: int = 40) -> None:
    """Tests about users need the command, not 300 complaints: seed fewer to keep them fast."""
    monkeypatch.setattr("complaints.devtools.demo.plan.COMPLAINT_COUNT", count)


def seed(*args: str) -> str:
    out = StringIO()
    with translation.override("en"):
        call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def line_of(output: str, username: str) -> str:
    return next(line for line in output.splitlines() if line.split() and line.split()[0] == username)


def snapshot() -> dict:
    """Everything a second run could change."""
    return {
        "complaints": list(
            Complaint.objects.order_by("reference").values_list(
                "reference",
                "waybill_number",
                "status",
                "version",
                "owner_id",
                "escalation_level",
                "received_at",
                "updated_at",
                "resolved_at",
                "closed_at",
            )
        ),
        "events": ComplaintEvent.objects.count(),
        "messages": OutboundMessage.objects.count(),
        "users": list(User.objects.order_by("username").values_list("username", "password", "is_staff", "carrier_id")),
        "groups": sorted(User.groups.through.objects.values_list("user_id", "group_id")),
        "carriers": list(Carrier.objects.order_by("code").values_list("code", "name_zh", "name_en", "contact_email")),
        "parcel_volumes": list(
            ParcelVolume.objects.order_by("carrier__code", "week_start").values_list(
                "carrier__code", "iso_week", "parcels"
            )
        ),
    }


def test_seed_demo_fills_the_back_office_with_six_weeks_of_complaints(db):
    # Given an empty database
    now = timezone.now()

    # When the demo data is seeded
    seed()

    # Then there are about 300 complaints, in every status, category and channel, some of them in English
    complaints = list(Complaint.objects.select_related("carrier"))
    assert 280 <= len(complaints) <= 320
    assert {c.status for c in complaints} == set(Status.values) - {"merged"}  # a merge is an agent's act
    assert {c.category for c in complaints} == set(Category.values)
    assert {c.channel for c in complaints} == set(Channel.values)
    english = [c for c in complaints if c.language == Language.EN]
    assert 10 <= len(english) <= 80
    assert all(re.search(r"[A-Za-z]{4}", c.description) for c in english)
    assert sum(bool(re.search(r"[\u4e00-\u9fff]", c.description)) for c in complaints) > len(complaints) / 2

    # And the admin has high-risk complaints of every kind to show
    for flag in ("risk_medical", "risk_social_media", "risk_regulator", "risk_repeat", "risk_high_value"):
        assert any(getattr(c, flag) for c in complaints), flag
    assert any(c.repeat_of_id for c in complaints)

    # And all of it happened in the last six weeks, never in the future, each timeline in order
    assert all(now - timedelta(days=42) <= c.received_at < now for c in complaints)
    assert not ComplaintEvent.objects.filter(created_at__gt=timezone.now()).exists()
    for complaint in Complaint.objects.prefetch_related("events"):
        times = [event.created_at for event in complaint.events.all()]
        assert times[0] == complaint.received_at
        assert times == sorted(times)

    # And old complaints are mostly finished while recent ones are mostly still open
    old = [c for c in complaints if c.received_at < now - timedelta(days=14)]
    recent = [c for c in complaints if c.received_at > now - timedelta(days=2)]
    assert sum(c.status in (Status.RESOLVED, Status.CLOSED) for c in old) > 0.8 * len(old)
    assert sum(c.status in OPEN_STATUSES for c in recent) > 0.5 * len(recent)

    # And resolved ones say what was done and why, for the department that caused it
    for complaint in complaints:
        if complaint.status in (Status.RESOLVED, Status.CLOSED):
            assert complaint.resolution_summary and complaint.root_cause

    # And waybills look like each carrier's, phones like Chinese mobiles (stored in E.164)
    for complaint in complaints:
        assert re.fullmatch(r"[A-Za-z0-9]{8,30}", complaint.waybill_number)
        if complaint.carrier:
            assert re.fullmatch(WAYBILL_FORMATS[complaint.carrier.code], complaint.waybill_number)
        if complaint.complainant_phone:
            assert re.fullmatch(r"\+861[3-9]\d{9}", complaint.complainant_phone)
    assert {c.carrier.code for c in complaints if c.carrier} == {"ZTO", "SF", "KY"}


def test_demo_users_log_in_with_the_password_the_command_prints(db, client, monkeypatch):
    # Given a freshly seeded database
    small_plan(monkeypatch)
    output = seed()
    password = settings.REDRESS_DEMO_PASSWORD

    # Then the output names every user with the password, and the login URL
    assert LOGIN_URL in output
    for username in (*STAFF, *CARRIER_USERS):
        assert password in line_of(output, username)

    # And agents and the supervisor can log in to the admin with it
    for username in STAFF:
        assert client.login(username=username, password=password), username
        assert client.get("/admin/").status_code == 200
        client.logout()

    # And carrier users belong to their carrier and cannot use the admin
    for username, code in CARRIER_USERS.items():
        user = User.objects.get(username=username)
        assert not user.is_staff and user.carrier.code == code
        assert client.login(username=username, password=password)
        assert client.get("/admin/").status_code == 302
        client.logout()


def test_running_seed_demo_again_changes_nothing_even_days_later(db):
    # Given a seeded database
    first = seed()
    before = snapshot()

    # When the command runs again, straight away and three days later
    second = seed()
    with time_machine.travel(timezone.now() + timedelta(days=3), tick=False):
        third = seed()

    # Then nothing was created or changed, passwords included
    assert snapshot() == before
    assert "300 created" in first
    # And the first run said how the month went and how long it took
    assert re.search(r"\d+ messages sent, \d+ progress updates, [1-9]\d* breaches", first)
    assert re.search(r"Done in \d+\.\d s\.", first)
    for output in (second, third):
        assert "Complaints: 0 created" in output and "300 already present" in output
        assert "played before" in output
        # And the credentials and the login URL are printed every time
        assert LOGIN_URL in output
        assert settings.REDRESS_DEMO_PASSWORD in line_of(output, "agent1")


def test_an_existing_user_keeps_its_own_password(db, client, monkeypatch):
    # Given agent1 already exists with a password of its own
    small_plan(monkeypatch)
    User.objects.create_user(username="agent1", password="my-own-secret-42", is_staff=True)

    # When the demo data is seeded
    output = seed()

    # Then agent1 still logs in with its own password, and the output does not claim otherwise
    assert client.login(username="agent1", password="my-own-secret-42")
    assert settings.REDRESS_DEMO_PASSWORD not in line_of(output, "agent1")
    assert "unchanged" in line_of(output, "agent1")
    # And the other demo users were created with the demo password
    assert settings.REDRESS_DEMO_PASSWORD in line_of(output, "agent2")


def test_the_demo_prints_a_partner_api_key_once_and_it_works(db, client, monkeypatch):
    # Given a freshly seeded database
    small_plan(monkeypatch)
    output = seed()
    # Then the output carries a ZTO key that reads ZTO's complaints through the API
    line = next(line for line in output.splitlines() if line.startswith("Partner API key for ZTO"))
    raw_key = line.rsplit(" ", 1)[-1]
    response = client.get("/api/v1/complaints/", HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    assert response.status_code == 200
    assert response.json()["results"]
    # And a second run makes no new key (a key is shown once)
    assert "Partner API key" not in seed()


def test_the_demo_report_shows_complaint_rates_from_parcel_volumes(db, monkeypatch):
    # Given a freshly seeded database
    small_plan(monkeypatch)
    seed()
    # Then every demo carrier reported its parcels for the last weeks, so the weekly report has rates, not "unknown"
    last_week = IsoWeek.of(timezone.now()).previous()
    assert set(ParcelVolume.objects.filter(iso_week=str(last_week)).values_list("carrier__code", flat=True)) == {
        "ZTO",
        "SF",
        "KY",
    }
    rates = {row["key"]: row["complaint_rate_per_million"] for row in week_compute(week=last_week)["by_carrier"]}
    present = [code for code in ("ZTO", "SF", "KY") if code in rates]
    assert present and all(rates[code] is not None for code in present)


def test_the_login_address_follows_the_port_the_server_was_told_to_use(db, monkeypatch):
    # Given `make run REDRESS_PORT=8001`, which serves the site on 127.0.0.1:8001
    small_plan(monkeypatch)
    monkeypatch.setenv("REDRESS_PORT", "8001")

    # When the demo data is seeded
    output = seed()

    # Then the output says to log in on port 8001, not 8000
    assert "Log in at http://127.0.0.1:8001/admin/" in output
    assert ":8000/" not in output


def test_the_login_address_can_name_another_host_and_port(db, monkeypatch):
    # Given REDRESS_PORT says 8001, but the server runs on another address given on the command line
    small_plan(monkeypatch)
    monkeypatch.setenv("REDRESS_PORT", "8001")

    # When the demo data is seeded with --host and --port
    output = seed("--host", "localhost", "--port", "9000")

    # Then the output names that address
    assert "Log in at http://localhost:9000/admin/" in output


def test_a_port_that_is_no_port_is_refused_before_anything_is_seeded(db, monkeypatch):
    # Given REDRESS_PORT holds something that is not a port
    monkeypatch.setenv("REDRESS_PORT", "80o1")

    # When the demo data is seeded, then the command refuses and names the bad value
    with pytest.raises(CommandError, match="invalid port value: '80o1'"):
        seed()
    # And nothing was created
    assert not User.objects.exists() and not Complaint.objects.exists()


def test_seed_demo_refuses_where_the_developer_tools_are_off(db, settings):
    # Given settings that are not a developer's (REDRESS_DEVTOOLS off, as in production)
    settings.REDRESS_DEVTOOLS = False

    # When seed_demo runs, then it refuses and says how to run it anyway
    with pytest.raises(CommandError, match="REDRESS_DEVTOOLS is off.*--i-know-this-is-not-production"):
        seed()
    # And it created no user (the demo users have a published password) and no complaint
    assert not User.objects.exists()
    assert not Complaint.objects.exists()


def test_seed_demo_runs_where_the_developer_tools_are_off_when_told_so(db, settings, monkeypatch):
    # Given settings with REDRESS_DEVTOOLS off
    settings.REDRESS_DEVTOOLS = False
    small_plan(monkeypatch)

    # When seed_demo runs with the explicit flag
    output = seed("--i-know-this-is-not-production")

    # Then it seeds as usual
    assert set(User.objects.values_list("username", flat=True)) >= {"supervisor", "agent1", "zto_api"}
    assert "Complaints: 40 created" in output
