"""manage.py bench_api: refuses SQLite with a reason, loads complaints in SQL and prints queries and times on
PostgreSQL; the bare benchmark endpoint exists only in the benchmark's URLconf. (Speed itself is not tested.)"""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from complaints.models import Complaint


@pytest.mark.django_db
def test_it_refuses_sqlite_and_says_what_to_set(is_postgres):
    if is_postgres:
        pytest.skip("checks the refusal on SQLite")
    with pytest.raises(CommandError, match="needs PostgreSQL.*DATABASE_URL"):
        call_command("bench_api", "--no-load")


@pytest.mark.postgres
@pytest.mark.django_db
def test_it_loads_three_carriers_and_reports_constant_queries_for_every_request():
    # When the benchmark runs on a small table, without the load part
    out = StringIO()
    call_command("bench_api", "--complaints", "30003", "--repeat", "2", "--no-load", stdout=out)
    text = out.getvalue()

    # Then the rows are there, split across ZTO, SF and KY, and reused by a second run
    assert Complaint.objects.filter(reference__startswith="C000000").count() == 30003
    assert set(Complaint.objects.values_list("carrier__code", flat=True).distinct()) == {"ZTO", "SF", "KY"}
    again = StringIO()
    call_command("bench_api", "--complaints", "30003", "--repeat", "1", "--no-load", stdout=again)
    assert "already loaded; none added" in again.getvalue()
    # and each measured request made at most 4 queries (the constant endpoint none)
    rows = dict(
        re.findall(
            r"^(list, first page \(25\)|list, 10,000 rows deep \(25\)|detail|constant \(bare DRF\))"
            r"\s+(\d+)\s",
            text,
            flags=re.M,
        )
    )
    assert set(rows) == {"list, first page (25)", "list, 10,000 rows deep (25)", "detail", "constant (bare DRF)"}
    assert all(int(n) <= 4 for n in rows.values())
    assert rows["constant (bare DRF)"] == "0"
    assert "deep page / first page:" in text
    assert (
        "Index Only Scan using complaint_carrier_created" in text
        or "Index Scan using complaint_carrier_created" in text
    )


@pytest.mark.django_db
def test_the_constant_endpoint_is_not_served_by_the_production_urls(client):
    assert client.get("/bench/constant/").status_code == 404
    with override_settings(ROOT_URLCONF="complaints.devtools.urls_bench"):
        response = client.get("/bench/constant/")
    assert response.status_code == 200
    assert response.json() == {"ok": True}
