"""The weekly report reads from a read replica when REPORTS_DATABASE_URL is set, and never writes there
(reports/routers.py).

Two replicas: "reports_replica", a test mirror of the default database (an exact copy, as a streaming replica is), on
which the whole report must come out the same as on the primary; and "reports", a second database of its own
(REPORTS_DATABASE_URL; CI sets it), holding different rows, which shows where each read and write really went."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.core import serializers
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.test.utils import CaptureQueriesContext

from accounts.models import Carrier
from reports.metrics import week_compute
from reports.models import WeeklyReport
from reports.routers import report_reads
from reports.services import weekly_report_build
from reports.weeks import IsoWeek
from tests.reports.builders import first_reply, local, receive, resolve
from tests.workers import free_port

ROOT = Path(__file__).resolve().parents[2]
W47 = IsoWeek(2026, 47)
NOW = local(11, 23, 8)  # Monday of W48, 08:00: W47 is complete
PROJECT_APPS = {"accounts", "complaints", "compensation", "reports"}
HAS_SECOND_DATABASE = "reports" in django_settings.DATABASES
# What a read-only session may send: reads (never FOR UPDATE), and the report transaction's SET LOCAL and savepoints.
READ_ONLY = re.compile(
    r"^\s*(SELECT|SET LOCAL|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK TO SAVEPOINT)\b", re.IGNORECASE
)


def a_week_of_complaints(zto, agent, count: int) -> None:
    for day in range(count):
        complaint = receive(local(11, 16 + day, 10), carrier=zto)
        first_reply(complaint, agent, local(11, 16 + day, 12))
        resolve(complaint, agent, local(11, 17 + day, 9))


def writes_in(queries) -> list[str]:
    return [q["sql"] for q in queries if not READ_ONLY.match(q["sql"]) or " FOR UPDATE" in q["sql"]]


def without_moment(data: dict) -> dict:
    return {key: value for key, value in data.items() if key != "computed_at"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=["default", "reports_replica"])
def test_the_report_computed_on_a_replica_is_the_primarys_and_is_stored_on_the_primary(settings, zto, agent):
    # Given a week of complaints, committed on the primary (the replica is a copy of it)
    a_week_of_complaints(zto, agent, 3)
    on_the_primary = week_compute(week=W47, now=NOW)

    # When the week's report is built with the report's reads sent to the replica
    settings.REDRESS_REPORTS_DATABASE = "reports_replica"
    with (
        CaptureQueriesContext(connections["reports_replica"]) as replica,
        CaptureQueriesContext(connection) as primary,
    ):
        report = weekly_report_build(week=W47, now=NOW)

    # Then it holds exactly the figures the primary gives
    assert report.data["headline"]["received"]["value"] == 3
    assert without_moment(report.data) == without_moment(on_the_primary)
    # and every figure was read on the replica, which was only read
    assert len(replica.captured_queries) >= 20
    assert writes_in(replica.captured_queries) == []
    # while the primary only looked for a stored snapshot and stored the new one
    assert len(primary.captured_queries) <= 8
    assert WeeklyReport.objects.using(DEFAULT_DB_ALIAS).get(iso_week="2026-W47").pk == report.pk


@pytest.mark.skipif(not HAS_SECOND_DATABASE, reason="needs REPORTS_DATABASE_URL: a second database (CI sets it)")
@pytest.mark.postgres
@pytest.mark.django_db(databases=["default", "reports"] if HAS_SECOND_DATABASE else ["default"])
def test_report_reads_go_to_the_reports_database_and_writes_never_do(settings, zto, agent):
    # Given three complaints copied to the reports database, and a fourth that only the primary has
    a_week_of_complaints(zto, agent, 3)
    copy = serializers.serialize("json", [obj for model in _models() for obj in model.objects.using("default")])
    for obj in serializers.deserialize("json", copy, using="reports"):
        obj.save(using="reports")
    receive(local(11, 20, 10), carrier=zto)
    settings.REDRESS_REPORTS_DATABASE = "reports"

    # When the week's report is built
    with CaptureQueriesContext(connections["reports"]) as reports:
        report = weekly_report_build(week=W47, now=NOW)

    # Then its figures are the reports database's (three complaints, not four)
    assert report.data["headline"]["received"]["value"] == 3
    # and it was stored on the primary only; nothing was written to the reports database
    assert WeeklyReport.objects.using("default").filter(iso_week="2026-W47").count() == 1
    assert WeeklyReport.objects.using("reports").count() == 0
    assert writes_in(reports.captured_queries) == []
    # and the primary's own figures were four
    settings.REDRESS_REPORTS_DATABASE = "default"
    assert week_compute(week=W47, now=NOW)["headline"]["received"]["value"] == 4

    # And a row read from the reports database during the computation is saved to the primary if written
    settings.REDRESS_REPORTS_DATABASE = "reports"
    with report_reads():
        carrier = Carrier.objects.get(code="ZTO")
        assert carrier._state.db == "reports"
        carrier.name_en = "ZTO Express (renamed)"
        carrier.save(update_fields=["name_en"])
    assert Carrier.objects.using("default").get(code="ZTO").name_en == "ZTO Express (renamed)"
    assert Carrier.objects.using("reports").get(code="ZTO").name_en != "ZTO Express (renamed)"


@pytest.fixture
def unreachable_replica():
    """The replica alias, its server not answering (a closed port): a replica that is down. (A transactional test:
    in a TestCase the mirror's connection is held open in the test's transaction.)"""
    replica = connections["reports_replica"]
    replica.close()
    port = replica.settings_dict["PORT"]
    replica.settings_dict["PORT"] = str(free_port())
    yield "reports_replica"
    replica.close()
    replica.settings_dict["PORT"] = port


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True, databases=["default", "reports_replica"])
def test_a_replica_that_is_down_is_logged_and_the_report_reads_the_primary(
    settings, zto, agent, unreachable_replica, caplog
):
    # Given a week of complaints, and a reports database that does not answer
    a_week_of_complaints(zto, agent, 2)
    settings.REDRESS_REPORTS_DATABASE = unreachable_replica

    # When the week's report is built
    report = weekly_report_build(week=W47, now=NOW)

    # Then it is built from the primary, and the log says why
    assert report.data["headline"]["received"]["value"] == 2
    assert "cannot be reached" in caplog.text and unreachable_replica in caplog.text


@pytest.mark.django_db
def test_without_a_reports_database_everything_reads_the_primary(zto):
    # Given the settings of a machine without REPORTS_DATABASE_URL (the test settings' default)
    # When rows are read inside and outside a report computation
    with report_reads() as database:
        inside = Carrier.objects.get(code="ZTO")

    # Then both come from the primary
    assert database == DEFAULT_DB_ALIAS
    assert inside._state.db == DEFAULT_DB_ALIAS
    assert Carrier.objects.get(code="ZTO")._state.db == DEFAULT_DB_ALIAS


def _models():
    """The project's models and the groups its users belong to: what a week's figures can read."""
    return [
        model
        for model in apps.get_models()
        if (model._meta.app_label in PROJECT_APPS or model is Group) and model._meta.managed and not model._meta.proxy
    ]


def _settings(env: dict, tmp_path: Path) -> str:
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(sorted(s.DATABASES), s.DATABASES.get('reports', {}).get('NAME'), s.REDRESS_REPORTS_DATABASE)"
    )
    clean = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(tmp_path),
        "REDRESS_VAR_DIR": str(tmp_path / "var"),
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": "postgres://redress@db.internal:5432/redress",
        **env,
    }
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_reports_database_url_adds_the_reports_database_and_sends_report_reads_there(tmp_path):
    assert _settings({}, tmp_path) == "['default'] None default"
    assert (
        _settings({"REPORTS_DATABASE_URL": "postgres://reader@replica.internal:5432/redress"}, tmp_path)
        == "['default', 'reports'] redress reports"
    )
