"""One known fortnight (2026-W46 and W47, Asia/Shanghai) built through the services, and every figure of W47's
report checked against values computed by hand (docs/metrics.md). Runs on SQLite and PostgreSQL alike."""

import pytest

from complaints.choices import Category, Channel
from reports.metrics import week_compute
from reports.services import parcel_volume_set
from reports.weeks import IsoWeek
from tests.reports.builders import (
    answer,
    assign,
    first_reply,
    local,
    receive,
    resolve,
    send_surveys,
    sweep,
)

W46, W47 = IsoWeek(2026, 46), IsoWeek(2026, 47)


@pytest.fixture
def sms_to_files(settings, tmp_path):
    settings.REDRESS_SMS_FILE_DIR = str(tmp_path)
    settings.REDRESS_SMS_BACKEND = "complaints.followups.sms.FileBackend"


@pytest.fixture
def fortnight(db, sms_to_files, agent, other_agent, zto, sf, supervisor):
    """W46 (Mon 9 Nov - Sun 15 Nov) and W47 (Mon 16 Nov - Sun 22 Nov), local time. wang = agent, li = other_agent.

    W46  F  ZTO delay phone   received Wed 11 10:00, wang replies +3 h, resolves Thu 12 10:00 (24 h, sorting,
                               liable); survey Sun 15 10:00, answered 4 at 12:00
         G  ZTO delay phone   received Thu 12 10:00, never answered: first response breached (due Fri 13 10:00),
                               resolution breached (due Sun 15 10:00), statutory breached in W47 (Thu 19 10:00)
    W47  A  ZTO delay phone   received Mon 16 10:00, wang +2 h, resolves Tue 17 16:00 (30 h, sorting, liable);
                               survey Fri 20 16:00 answered 1 on Sat 21 10:00 (reopens); li resolves again
                               Sun 22 10:00 (24 h after the reopening, sorting, liable)
         B  ZTO loss web      received Tue 17 09:00, first response breached (due Wed 18 09:00), li replies
                               Wed 18 12:00 (27 h), resolves Thu 19 09:00 (48 h, delivery, not liable);
                               survey Sun 22 09:00 answered 5 at 12:00
         C  SF damage phone   received Wed 18 08:00, wang +1 h, resolution breached (due Sat 21 08:00), wang
                               resolves Sat 21 10:00 (74 h, packaging, liable)
         D  SF delay email    received Sun 22 23:59 (15:59 UTC): in W47, open at week end, li owns it
    W48  E  ZTO delay phone   received Mon 23 00:00 (Sun 16:00 UTC): not in W47
    ZTO reported 2,000,000 parcels for W47; SF reported nothing; nobody reported for W46.
    """
    wang, li = agent, other_agent
    f = receive(local(11, 11, 10), carrier=zto)
    assign(f, wang, local(11, 11, 10, 5))
    first_reply(f, wang, local(11, 11, 13))
    resolve(f, wang, local(11, 12, 10))
    g = receive(local(11, 12, 10), carrier=zto)
    assign(g, wang, local(11, 12, 10, 5))
    sweep(local(11, 13, 11))  # G: first response breached, level 1
    sweep(local(11, 15, 11))  # G: resolution breached, level 2
    send_surveys(local(11, 15, 10))  # F's revisit
    answer(f, 4, local(11, 15, 12))

    a = receive(local(11, 16, 10), carrier=zto)
    assign(a, wang, local(11, 16, 10, 5))
    first_reply(a, wang, local(11, 16, 12))
    b = receive(local(11, 17, 9), carrier=zto, category=Category.LOSS, channel=Channel.WEB)
    assign(b, li, local(11, 17, 9, 5))
    resolve(a, wang, local(11, 17, 16))
    c = receive(local(11, 18, 8), carrier=sf, category=Category.DAMAGE)
    assign(c, wang, local(11, 18, 8, 5))
    first_reply(c, wang, local(11, 18, 9))
    sweep(local(11, 18, 10))  # B: first response breached, level 1
    first_reply(b, li, local(11, 18, 12))
    resolve(b, li, local(11, 19, 9), area="delivery", liable=False)
    sweep(local(11, 19, 11))  # G: statutory limit breached (already at level 2)
    send_surveys(local(11, 20, 16))  # A's revisit
    sweep(local(11, 21, 9))  # C: resolution breached, level 1
    resolve(c, wang, local(11, 21, 10), area="packaging")
    answer(a, 1, local(11, 21, 10))  # dissatisfied: A reopens
    send_surveys(local(11, 22, 9))  # B's revisit
    resolve(a, li, local(11, 22, 10))
    answer(b, 5, local(11, 22, 12))
    d = receive(local(11, 22, 23, 59), carrier=sf, channel=Channel.EMAIL, complainant_email="d@example.com")
    assign(d, li, local(11, 22, 23, 59))
    receive(local(11, 23, 0, 0), carrier=zto)  # E
    parcel_volume_set(carrier=zto, iso_week="2026-W47", parcels=2_000_000)
    # The Monday report is computed at 08:00 after the week.
    return week_compute(week=W47, now=local(11, 23, 8))


def test_week_headline_matches_the_hand_computed_figures(fortnight):
    # Given the fortnight above, when W47 is computed, then each headline figure, its previous week and the change
    h = {name: (e["value"], e["previous"], e["change"]) for name, e in fortnight["headline"].items()}
    assert h["received"] == (4, 2, 2)  # A B C D / F G; E is next week's
    assert h["resolved"] == (4, 1, 3)  # A, B, C, A again / F
    assert h["reopened"] == (1, 0, 1)  # A (survey answer 1)
    assert h["backlog"] == (2, 1, 1)  # D and G open at Mon 23 00:00 / G
    # first response on time: A, C on time, B breached (due in W47) → 2/3; W46: F on time, G breached → 1/2
    assert h["first_response_met_pct"] == (66.7, 50.0, 16.7)
    # resolution on time: A, B, A again on time, C breached → 3/4; W46: F on time, G breached → 1/2
    assert h["resolution_met_pct"] == (75.0, 50.0, 25.0)
    # first responses 1, 2, 27 h; W46: 3 h
    assert h["first_response_median_hours"] == (2.0, 3.0, -1.0)
    assert h["first_response_p90_hours"] == (22.0, 3.0, 19.0)  # 2 + 0.8 × (27 - 2)
    # resolutions 24, 30, 48, 74 h (A's second one counted from its reopening); W46: 24 h
    assert h["resolution_median_hours"] == (39.0, 24.0, 15.0)
    assert h["resolution_p90_hours"] == (66.2, 24.0, 42.2)  # 48 + 0.7 × (74 - 48)
    # ZTO's 2 complaints over its 2,000,000 parcels; SF reported nothing and is left out; no volume in W46
    assert h["complaint_rate_per_million"] == (1.0, None, None)
    # W47: A's and B's surveys sent on time (0 of 2 missed); W46: F's survey on time, G's progress update due
    # Fri 13 10:00 never sent (1 of 2)
    assert h["omission_rate_pct"] == (0.0, 50.0, -50.0)
    assert h["dissatisfaction_rate_pct"] == (50.0, 0.0, 50.0)  # scores 1 and 5 / 4
    assert h["survey_response_rate_pct"] == (100.0, 100.0, 0.0)
    assert h["survey_average_score"] == (3.0, 4.0, -1.0)
    # valid complaints are counted per complaint: A (resolved liable twice) and C; B not liable / F
    assert h["valid_complaints"] == (2, 1, 1)
    assert h["valid_rate_per_million"] == (0.5, None, None)  # ZTO: A once over 2,000,000
    # none came through the regulator channel (12305): a true zero where ZTO reported its parcels
    assert h["regulator_valid_complaints"] == (0, 0, 0)
    assert h["regulator_valid_rate_per_million"] == (0.0, None, None)
    assert h["escalations"] == (2, 2, 0)  # B and C to level 1 / G to 1 then 2
    assert h["breaches"] == (3, 2, 1)  # B first response, C resolution, G statutory / G first response, resolution
    # no compensation claim was decided: zero, not unknown
    assert h["compensation_count"] == (0, 0, 0)
    assert h["compensation_total"] == h["chargeback_total"] == ("0.00", "0.00", "0.00")


def test_week_splits_by_carrier_category_channel_and_agent(fortnight):
    # Given the fortnight, when W47 is computed, then per carrier (SF before ZTO: same received and backlog)
    assert [row["key"] for row in fortnight["by_carrier"]] == ["SF", "ZTO"]
    sf_row, zto_row = fortnight["by_carrier"]
    assert {
        k: sf_row[k]
        for k in (
            "received",
            "resolved",
            "backlog",
            "reopened",
            "parcels",
            "complaint_rate_per_million",
            "valid_complaints",
            "valid_rate_per_million",
            "first_response_met_pct",
            "resolution_met_pct",
            "escalations",
        )
    } == {
        "received": 2,
        "resolved": 1,
        "backlog": 1,
        "reopened": 0,
        "parcels": None,
        "complaint_rate_per_million": None,
        "valid_complaints": 1,
        "valid_rate_per_million": None,
        "first_response_met_pct": 100.0,
        "resolution_met_pct": 0.0,
        "escalations": 1,
    }
    assert {
        k: zto_row[k]
        for k in (
            "received",
            "resolved",
            "backlog",
            "reopened",
            "parcels",
            "complaint_rate_per_million",
            "valid_complaints",
            "valid_rate_per_million",
            "first_response_met_pct",
            "resolution_met_pct",
            "escalations",
        )
    } == {
        "received": 2,
        "resolved": 3,
        "backlog": 1,
        "reopened": 1,
        "parcels": 2_000_000,
        "complaint_rate_per_million": 1.0,
        "valid_complaints": 1,
        "valid_rate_per_million": 0.5,
        "first_response_met_pct": 50.0,
        "resolution_met_pct": 100.0,
        "escalations": 1,
    }
    assert zto_row["label"] == "中通快递 / ZTO Express"

    def plain(rows):
        return [(r["key"], r["received"], r["resolved"], r["backlog"], r["reopened"]) for r in rows]

    # per category: delay A D (+G open), loss B, damage C
    assert plain(fortnight["by_category"]) == [("delay", 2, 2, 2, 1), ("damage", 1, 1, 0, 0), ("loss", 1, 1, 0, 0)]
    # per channel: phone A C (+G open), web B, email D
    assert plain(fortnight["by_channel"]) == [("phone", 2, 3, 1, 1), ("email", 1, 0, 1, 0), ("web", 1, 1, 0, 0)]
    # per agent: li resolved B and A's second time (on time), first-responded B late, owns D;
    # wang resolved A (reopened since) and C (late), first-responded A and C on time; G and C are unowned since
    # their escalation
    assert [
        (r["key"], r["resolved"], r["backlog"], r["reopened"], r["first_response_met_pct"], r["resolution_met_pct"])
        for r in fortnight["by_agent"]
    ] == [
        ("agent_li", 2, 1, 0, 0.0, 100.0),
        ("agent_wang", 2, 0, 1, 100.0, 50.0),
    ]
    assert fortnight["by_agent"][1]["label"] == "王 芳" or fortnight["by_agent"][1]["label"] == "芳 王"


def test_week_escalations_breaches_and_root_causes(fortnight):
    assert [(r["key"], r["count"]) for r in fortnight["escalations_by_level"]] == [(1, 2), (2, 0)]
    assert {r["key"]: r["count"] for r in fortnight["breaches_by_clock"]} == {
        "first_response": 1,
        "resolution": 1,
        "carrier_accept": 0,
        "carrier_reply": 0,
        "statutory": 1,
    }
    # Top first: A's two resolutions (sorting), then B (delivery, not liable) and C (packaging) by key
    assert [(r["key"], r["count"], r["valid"]) for r in fortnight["root_causes"]] == [
        ("sorting", 2, 2),
        ("delivery", 1, 0),
        ("packaging", 1, 1),
    ]


def test_week_trend_covers_twelve_weeks_ending_with_this_one(fortnight):
    trend = fortnight["trend"]
    assert [t["week"] for t in trend] == [f"2026-W{n}" for n in range(36, 48)]
    assert trend[-1] == {
        "week": "2026-W47",
        "received": 4,
        "resolved": 4,
        "backlog": 2,
        "reopened": 1,
        "first_response_met_pct": 66.7,
        "resolution_met_pct": 75.0,
        "dissatisfaction_rate_pct": 50.0,
    }
    assert trend[-2] == {
        "week": "2026-W46",
        "received": 2,
        "resolved": 1,
        "backlog": 1,
        "reopened": 0,
        "first_response_met_pct": 50.0,
        "resolution_met_pct": 50.0,
        "dissatisfaction_rate_pct": 0.0,
    }
    assert all(
        t["received"] == t["resolved"] == t["backlog"] == 0 and t["first_response_met_pct"] is None for t in trend[:-2]
    )


def test_week_frame(fortnight):
    assert fortnight["schema"] == 1
    assert (fortnight["week"], fortnight["previous_week"]) == ("2026-W47", "2026-W46")
    assert fortnight["start"] == "2026-11-16T00:00:00+08:00"
    assert fortnight["end"] == "2026-11-23T00:00:00+08:00"
    assert fortnight["time_zone"] == "Asia/Shanghai"
    assert fortnight["commitment"] == {"first_response_hours": 24, "resolution_hours": 72}
