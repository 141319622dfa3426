"""Edges of the weekly figures: an empty week, no parcel volume, midnight in the operation's time zone, omissions,
percentiles, and the stored snapshot."""

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from complaints.choices import MessageState
from complaints.errors import InvalidInput
from complaints.models import OutboundMessage
from reports.metrics import HEADLINE_FIELDS, percentile_cont, week_compute
from reports.models import WeeklyReport
from reports.rollup import daily_flows_roll
from reports.selectors import weekly_reports_latest
from reports.services import parcel_volume_set, weekly_report_build, weekly_report_mark_emailed
from reports.weeks import IsoWeek
from tests.reports.builders import dispatch, first_reply, local, plan_progress, receive, resolve

W47, W48 = IsoWeek(2026, 47), IsoWeek(2026, 48)


def test_an_empty_week_has_zero_counts_and_unknown_rates(db):
    # Given no complaints at all
    # When W47 is computed
    data = week_compute(week=W47, now=local(11, 23, 8))

    # Then counts are 0, and everything that divides by nothing is unknown (None), never 0
    h = data["headline"]
    for name in (
        "received",
        "resolved",
        "backlog",
        "reopened",
        "valid_complaints",
        "regulator_valid_complaints",
        "escalations",
        "breaches",
    ):
        assert h[name] == {"value": 0, "previous": 0, "change": 0}, name
    for name in (
        "first_response_met_pct",
        "resolution_met_pct",
        "first_response_median_hours",
        "first_response_p90_hours",
        "resolution_median_hours",
        "resolution_p90_hours",
        "complaint_rate_per_million",
        "omission_rate_pct",
        "dissatisfaction_rate_pct",
        "survey_response_rate_pct",
        "survey_average_score",
        "valid_rate_per_million",
        "regulator_valid_rate_per_million",
    ):
        assert h[name] == {"value": None, "previous": None, "change": None}, name
    assert set(h) == set(HEADLINE_FIELDS)
    assert h["compensation_count"]["value"] == 0 and h["compensation_total"]["value"] == "0.00"
    assert data["by_carrier"] == data["by_category"] == data["by_channel"] == data["by_agent"] == []
    assert data["root_causes"] == []
    assert [r["count"] for r in data["escalations_by_level"]] == [0, 0]
    assert len(data["trend"]) == 12 and all(t["received"] == 0 for t in data["trend"])


def test_without_a_parcel_volume_the_complaint_rate_is_unknown_not_zero(db, zto, sf):
    # Given complaints about ZTO and SF in W47, and only SF reporting its volume (with no complaint at all)
    receive(local(11, 17, 10), carrier=zto)
    receive(local(11, 17, 11), carrier=zto)
    parcel_volume_set(carrier=sf, iso_week="2026-W47", parcels=500_000)

    # When W47 is computed
    data = week_compute(week=W47, now=local(11, 23, 8))

    # Then ZTO's rate is unknown, SF's is a true zero, and the whole operation counts only SF's parcels
    rows = {r["key"]: r for r in data["by_carrier"]}
    assert rows["ZTO"]["parcels"] is None and rows["ZTO"]["complaint_rate_per_million"] is None
    assert rows["ZTO"]["valid_rate_per_million"] is None
    assert rows["SF"]["parcels"] == 500_000 and rows["SF"]["complaint_rate_per_million"] == 0.0
    assert data["headline"]["complaint_rate_per_million"]["value"] == 0.0


def test_no_volume_reported_by_anyone_leaves_the_operation_rate_unknown(db, zto):
    # Given a complaint and no parcel volume at all
    receive(local(11, 17, 10), carrier=zto)

    # When W47 is computed, then the rate is unknown
    data = week_compute(week=W47, now=local(11, 23, 8))
    assert data["headline"]["complaint_rate_per_million"]["value"] is None
    assert data["headline"]["valid_rate_per_million"]["value"] is None


def test_a_zero_parcel_volume_gives_an_unknown_rate(db, zto):
    # Given a carrier that reported 0 parcels and still has a complaint
    receive(local(11, 17, 10), carrier=zto)
    parcel_volume_set(carrier=zto, iso_week="2026-W47", parcels=0)

    # Then the rate cannot be computed: unknown, not zero and not an error
    data = week_compute(week=W47, now=local(11, 23, 8))
    assert data["by_carrier"][0]["complaint_rate_per_million"] is None
    assert data["headline"]["complaint_rate_per_million"]["value"] is None


def test_weeks_start_at_local_midnight_not_utc(db, zto):
    # Given one complaint at Sunday 23:59 local (15:59 UTC) and one at Monday 00:00 local (Sunday 16:00 UTC):
    # both on the same Sunday in UTC
    receive(local(11, 22, 23, 59), carrier=zto)
    receive(local(11, 23, 0, 0), carrier=zto)
    receive(local(11, 16, 0, 0), carrier=zto)  # W47's first moment (Sunday 15 16:00 UTC)

    # When both weeks are computed
    w47 = week_compute(week=W47, now=local(11, 30, 8))
    w48 = week_compute(week=W48, now=local(11, 30, 8))

    # Then Sunday 23:59 and Monday 00:00 of W47 belong to W47, Monday 23 00:00 to W48
    assert w47["headline"]["received"]["value"] == 2
    assert w48["headline"]["received"]["value"] == 1
    assert w48["headline"]["received"]["previous"] == 2
    assert w47["headline"]["backlog"]["value"] == 2 and w48["headline"]["backlog"]["value"] == 3
    assert [t["received"] for t in w48["trend"][-2:]] == [2, 1]


def test_a_resolution_at_local_midnight_falls_in_the_new_week(db, zto, agent):
    # Given a complaint resolved exactly at Monday 00:00 local
    complaint = receive(local(11, 20, 10), carrier=zto)
    first_reply(complaint, agent, local(11, 20, 11))
    resolve(complaint, agent, local(11, 23, 0, 0))

    # Then it was still open at W47's end and is resolved in W48
    w47 = week_compute(week=W47, now=local(11, 30, 8))
    w48 = week_compute(week=W48, now=local(11, 30, 8))
    assert (w47["headline"]["resolved"]["value"], w47["headline"]["backlog"]["value"]) == (0, 1)
    assert (w48["headline"]["resolved"]["value"], w48["headline"]["backlog"]["value"]) == (1, 0)
    assert w48["headline"]["resolution_median_hours"]["value"] == 62.0


def test_omission_rate_counts_late_failed_and_unplanned_updates(db, zto, agent, settings, tmp_path):
    # Given one complaint open all week whose daily progress updates were planned and sent on time on Tuesday,
    # planned but sent two hours late on Wednesday, planned and failed on Thursday, and never planned afterwards
    settings.REDRESS_SMS_FILE_DIR = str(tmp_path)
    settings.REDRESS_SMS_BACKEND = "complaints.followups.sms.FileBackend"
    complaint = receive(local(11, 16, 10), carrier=zto)  # progress due Tue 17 10:00
    plan_progress(local(11, 17, 10))
    dispatch(local(11, 17, 10))  # sent on time; next due Wed 18 10:00
    plan_progress(local(11, 18, 10))
    dispatch(local(11, 18, 12))  # sent 2 h late: missed; next due Thu 19 10:00
    plan_progress(local(11, 19, 10))
    OutboundMessage.objects.filter(complaint=complaint, kind="progress_update", state=MessageState.PENDING).update(
        state=MessageState.FAILED
    )
    # (next due Fri 20 10:00: never planned, the planner stopped)

    # When W47 is computed on Monday
    data = week_compute(week=W47, now=local(11, 23, 8))

    # Then 4 updates were due and 3 were missed
    assert data["headline"]["omission_rate_pct"]["value"] == 75.0


def test_percentile_interpolates_like_postgresql():
    assert percentile_cont([], 0.5) is None
    assert percentile_cont([5.0], 0.9) == 5.0
    assert percentile_cont([1.0, 2.0, 27.0], 0.9) == pytest.approx(22.0)
    assert percentile_cont([24.0, 30.0, 48.0, 74.0], 0.5) == pytest.approx(39.0)


def test_the_week_takes_a_constant_number_of_queries(db, zto, agent):
    # Given a week with one complaint, then with ten more
    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            week_compute(week=W47, now=local(11, 23, 8))
        return len(ctx.captured_queries)

    one = receive(local(11, 17, 10), carrier=zto)
    first_reply(one, agent, local(11, 17, 11))
    resolve(one, agent, local(11, 17, 12))
    few = queries()
    for hour in range(10):
        c = receive(local(11, 18, hour), carrier=zto)
        first_reply(c, agent, local(11, 18, hour, 30))
        resolve(c, agent, local(11, 19, hour))

    # Then the number of queries does not grow with the complaints (one of them asks how far the roll-up is)
    assert queries() == few
    assert few <= 31
    # ... and once the days are rolled up, the weeks they cover take fewer
    with time_machine.travel(local(11, 23, 2), tick=False):
        daily_flows_roll(now=local(11, 23, 2))
    assert queries() < few


def test_a_stored_report_is_returned_as_it_was_until_recomputed_explicitly(db, zto, supervisor):
    # Given W47 built once, by a supervisor, with one complaint
    receive(local(11, 17, 10), carrier=zto)
    first = weekly_report_build(week=W47, actor=supervisor, now=local(11, 23, 8))
    assert first.data["headline"]["received"]["value"] == 1
    assert (first.iso_week, first.week_start.isoformat(), first.computed_by) == ("2026-W47", "2026-11-16", supervisor)

    # When a late complaint for that week arrives and the report is asked for again
    receive(local(11, 18, 10), carrier=zto)
    again = weekly_report_build(week="2026-W47", now=local(11, 24, 8))

    # Then the stored snapshot is returned unchanged
    assert again.pk == first.pk and again.data["headline"]["received"]["value"] == 1
    assert again.computed_at == local(11, 23, 8)

    # And recomputing it explicitly replaces the figures in the same row
    redone = weekly_report_build(week=W47, recompute=True, now=local(11, 24, 9))
    assert redone.pk == first.pk and redone.data["headline"]["received"]["value"] == 2
    assert redone.computed_by is None and redone.computed_at == local(11, 24, 9)
    assert WeeklyReport.objects.count() == 1
    assert [r.iso_week for r in weekly_reports_latest()] == ["2026-W47"]


def test_a_week_in_progress_is_never_stored(db, zto):
    # Given a complaint received in W48, on the Wednesday of W48
    receive(local(11, 24, 10), carrier=zto)

    # When W48 is built, or rebuilt, before it is over, then the service refuses it and says why
    for recompute in (False, True):
        with translation.override("en"), pytest.raises(InvalidInput, match="2026-W48 is not over yet") as refused:
            weekly_report_build(week=W48, recompute=recompute, now=local(11, 25, 10))
        assert "week" in refused.value.fields
    assert not WeeklyReport.objects.exists()

    # And from Monday 00:00 local the week is complete and is stored
    assert weekly_report_build(week=W48, now=local(11, 30, 0)).data["headline"]["received"]["value"] == 1


def test_bench_report_refuses_sqlite(db):
    if connection.vendor == "postgresql":
        pytest.skip("the refusal is about SQLite")
    with pytest.raises(CommandError, match="needs PostgreSQL"):
        call_command("bench_report", "--complaints", "10")


def test_older_trend_weeks_show_what_their_stored_report_said(db, zto):
    # Given W45's report stored with one complaint, and a second W45 complaint recorded later
    receive(local(11, 3, 10), carrier=zto)
    weekly_report_build(week="2026-W45", now=local(11, 9, 8))
    receive(local(11, 4, 10), carrier=zto)

    # When W47 is computed
    data = week_compute(week=W47, now=local(11, 23, 8))
    fresh = week_compute(week=W47, now=local(11, 23, 8), reuse_snapshots=False)

    # Then its trend shows W45 as reported (1 complaint), unless asked to recompute every week
    assert [t for t in data["trend"] if t["week"] == "2026-W45"][0]["received"] == 1
    assert [t for t in fresh["trend"] if t["week"] == "2026-W45"][0]["received"] == 2
    # and the weeks after it are computed from the rows, their backlog included
    assert [(t["week"], t["backlog"]) for t in fresh["trend"][-3:]] == [
        ("2026-W45", 2),
        ("2026-W46", 2),
        ("2026-W47", 2),
    ]
    assert data["trend"][-2:] == fresh["trend"][-2:]


def test_weeks_follow_the_operation_time_zone_whatever_the_request_activated(db, zto):
    # Given a complaint on Sunday 23:59 in Shanghai, and a caller whose request activated UTC
    receive(local(11, 22, 23, 59), carrier=zto)
    with timezone.override("UTC"):
        data = week_compute(week=W47, now=local(11, 23, 8))

    # Then the week is still Shanghai's and holds the complaint
    assert data["start"] == "2026-11-16T00:00:00+08:00"
    assert data["headline"]["received"]["value"] == 1


def test_the_weeks_email_is_claimed_once(db):
    # Given W47's stored report
    report = weekly_report_build(week=W47, now=local(11, 23, 8))

    # When two jobs claim its email, then only the first gets it, and the time is kept
    assert weekly_report_mark_emailed(report=report, at=local(11, 23, 8, 1)) is True
    assert weekly_report_mark_emailed(report=WeeklyReport.objects.get(pk=report.pk), at=local(11, 23, 9)) is False
    assert WeeklyReport.objects.get(pk=report.pk).emailed_at == local(11, 23, 8, 1)
