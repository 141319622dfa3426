"""The regulator's view (docs/metrics.md): valid complaints are counted per complaint, not per resolution, and the
valid complaints that came through the regulator channel (12305) have their own count and rate per million parcels,
on the page, in the downloads and in the Monday email. Figures computed by hand below."""

import csv
import io

import pytest
import time_machine
from django.utils import translation

from complaints.choices import Channel
from complaints.services import complaint_reopen
from reports import exports
from reports import presentation as p
from reports.metrics import week_compute
from reports.services import parcel_volume_set
from reports.weeks import IsoWeek
from tests.factories import CarrierFactory
from tests.reports.builders import first_reply, local, receive, resolve
from tests.reports.sample_report import sample_report

W47 = IsoWeek(2026, 47)
REGULATOR = Channel.REGULATOR


def handled(carrier, agent, received, *, channel=REGULATOR, liable=True):
    """Received at `received`, answered an hour later, resolved a day later (carrier liable or not)."""
    complaint = receive(received, carrier=carrier, channel=channel)
    first_reply(complaint, agent, received.replace(hour=received.hour + 1))
    resolve(complaint, agent, received.replace(day=received.day + 1), liable=liable)
    return complaint


@pytest.fixture
def regulator_week(db, agent, zto, sf):
    """W46 (Mon 9 - Sun 15 Nov) and W47 (Mon 16 - Sun 22 Nov), local time.

    W46  R0  ZTO 12305  resolved liable Wed 11
    W47  R1  ZTO 12305  received Mon 16 09:00, resolved liable Tue 17 09:00, reopened Wed 18 10:00, resolved liable
                        again Thu 19 10:00: two liable resolutions, one valid complaint
         R2  ZTO 12305  resolved not liable Tue 17: not valid
         P1  ZTO phone  resolved liable Wed 18: valid, not through the regulator
         R3  SF  12305  resolved liable Wed 18: valid through the regulator
         Y1  YTO 12305  resolved liable Wed 18: valid through the regulator; YTO reported no parcels
    Parcels for W47: ZTO 2,000,000, SF 500,000, YTO nothing (2,500,000 counted); none for W46.
    """
    yto = CarrierFactory(code="YTO", name_zh="圆通速递", name_en="YTO Express")
    handled(zto, agent, local(11, 10, 10))  # R0
    r1 = handled(zto, agent, local(11, 16, 9))
    with time_machine.travel(local(11, 18, 10), tick=False):
        complaint_reopen(complaint=r1, actor=agent, reason="问题没有解决，快件仍未送达。", at=local(11, 18, 10))
    resolve(r1, agent, local(11, 19, 10), liable=True)
    handled(zto, agent, local(11, 16, 11), liable=False)  # R2
    handled(zto, agent, local(11, 17, 10), channel=Channel.PHONE)  # P1
    handled(sf, agent, local(11, 17, 9))  # R3
    handled(yto, agent, local(11, 17, 12))  # Y1
    parcel_volume_set(carrier=zto, iso_week="2026-W47", parcels=2_000_000)
    parcel_volume_set(carrier=sf, iso_week="2026-W47", parcels=500_000)
    return week_compute(week=W47, now=local(11, 23, 8))


def test_a_complaint_resolved_liable_twice_in_a_week_is_one_valid_complaint(regulator_week):
    # Given the week above (six resolutions, five of them liable, by four complaints)
    h = {name: (e["value"], e["previous"], e["change"]) for name, e in regulator_week["headline"].items()}
    assert h["resolved"][0] == 6

    # Then the valid complaints are R1 (once), P1, R3 and Y1; W46 had R0
    assert h["valid_complaints"] == (4, 1, 3)
    # and the rate counts the carriers that reported parcels: ZTO's R1 and P1, SF's R3 over 2,500,000 parcels
    # = 3 × 1,000,000 ÷ 2,500,000 (per resolution it would have been 4 ÷ 2.5 = 1.6)
    assert h["valid_rate_per_million"] == (1.2, None, None)
    # so it stays below the complaint rate: ZTO's R1, R2, P1 and SF's R3 = 4 ÷ 2.5
    assert h["complaint_rate_per_million"] == (1.6, None, None)


def test_the_regulators_view_counts_liable_12305_complaints_per_million_parcels(regulator_week):
    h = {name: (e["value"], e["previous"], e["change"]) for name, e in regulator_week["headline"].items()}

    # Then the 12305 channel's valid complaints are R1 (once), R3 and Y1; W46 had R0
    assert h["regulator_valid_complaints"] == (3, 1, 2)
    # and their rate is R1 and R3 (YTO reported no parcels) × 1,000,000 ÷ 2,500,000 = 0.8; no volume in W46
    assert h["regulator_valid_rate_per_million"] == (0.8, None, None)

    # Per carrier: ZTO 1 ÷ 2,000,000 = 0.5 (P1 came by phone), SF 1 ÷ 500,000 = 2.0, YTO counted but unknown
    rows = {r["key"]: r for r in regulator_week["by_carrier"]}
    assert {
        code: (
            row["valid_complaints"],
            row["valid_rate_per_million"],
            row["regulator_valid_complaints"],
            row["regulator_valid_rate_per_million"],
        )
        for code, row in rows.items()
    } == {
        "ZTO": (2, 1.0, 1, 0.5),
        "SF": (1, 2.0, 1, 2.0),
        "YTO": (1, None, 1, None),
    }


def test_the_regulator_figure_reads_in_the_downloads_and_the_email(regulator_week):
    # Given the computed week, when it is written as CSV and as the email in English
    with translation.override("en"):
        raw = exports.report_csv(regulator_week).decode("utf-8-sig")
        html = exports.report_html(regulator_week)
        text = exports.report_text(regulator_week)
    rows = list(csv.reader(io.StringIO(raw)))

    # Then the headline has the 12305 figures with their values
    headline = {row[0]: row[1:3] for row in rows if len(row) == 5}
    assert headline["Valid 12305 complaints (regulator, carrier liable)"] == ["3", "1"]
    assert headline["Valid 12305 complaints per million parcels"] == ["0.8", "unknown"]
    # and each carrier has its own
    header = next(row for row in rows if row and row[0] == "Carrier")
    carriers = {row[0]: dict(zip(header, row)) for row in rows[rows.index(header) + 1 :][:3]}
    assert carriers["SF Express"]["Valid 12305 complaints per million parcels"] == "2.0"
    assert carriers["YTO Express"]["Valid 12305 complaints per million parcels"] == "unknown"
    assert "Valid 12305 complaints per million parcels" in text
    # and the email shows the rate beside the other headline rates and in the carriers' table
    assert "Valid 12305 complaints per million parcels" in html
    assert html.count("Valid 12305 complaints per million parcels") == 2


def test_the_regulator_figure_has_a_chinese_label(regulator_week):
    with translation.override("zh-hans"):
        labels = {f.key: f.label for f in p.figures(regulator_week, p.REGULATOR_KEYS)}
    assert labels["regulator_valid_rate_per_million"] == "每百万件 12305 有效申诉量"
    assert labels["regulator_valid_complaints"] == "12305 有效申诉（监管渠道，承运商有责）"


def test_a_report_stored_before_the_regulator_figure_reads_unknown_not_zero():
    # Given a snapshot stored before the 12305 figures existed
    data = sample_report()
    for name in ("regulator_valid_complaints", "regulator_valid_rate_per_million"):
        del data["headline"][name]

    # When its figures are read, then the 12305 figures are unknown
    with translation.override("en"):
        figures = {f.key: f for f in p.figures(data, p.REGULATOR_KEYS)}
    assert figures["regulator_valid_rate_per_million"].value_text == "unknown"
    assert figures["regulator_valid_complaints"].value_text == "unknown"
