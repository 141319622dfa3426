"""Canned replies used (docs/metrics.md): per macro, the week's replies and internal notes sent from it, most used
first, cut at the top N; on the page and in the downloads. Counts by hand below (week 47: Mon 16 – Sun 22 Nov 2026,
Asia/Shanghai)."""

import csv
import io

import pytest
import time_machine
from django.utils import translation

from complaints.choices import Language, Visibility
from complaints.macros.services import macro_save, reply_send
from reports import exports
from reports.metrics import week_compute
from reports.metrics.macros import macro_rows
from reports.rollup import daily_flows_roll
from reports.weeks import IsoWeek
from tests.factories import make_complaint
from tests.reports.builders import local

W47 = IsoWeek(2026, 47)


def _send(complaint, agent, at, macro=None, visibility=Visibility.PUBLIC):
    with time_machine.travel(at, tick=False):
        return reply_send(complaint=complaint, actor=agent, message="您好。", visibility=visibility, macro=macro)


@pytest.fixture
def macros_week(db, agent, supervisor):
    """photos  W46 Sun 15 23:59 (not counted) · W47 Mon 16 00:00, Tue 17 10:00 → 2 replies
    called  W47 Wed 18 as an internal note → 1 note · W48 Mon 23 00:00 (not counted)
    unused  never · and one reply typed without a macro (Thu 19)."""
    photos = macro_save(
        actor=supervisor, name="请提供照片", language=Language.ZH_HANS, body="请提供 {waybill} 的照片。"
    )
    called = macro_save(
        actor=supervisor, name="已联系网点", language=Language.ZH_HANS, body="已联系", visibility=Visibility.INTERNAL
    )
    macro_save(actor=supervisor, name="unused", language=Language.ZH_HANS, body="x")
    with time_machine.travel(local(11, 14, 9), tick=False):
        complaint = make_complaint()
    _send(complaint, agent, local(11, 15, 23, 59), photos)
    _send(complaint, agent, local(11, 16, 0, 0), photos)
    _send(complaint, agent, local(11, 17, 10), photos)
    _send(complaint, agent, local(11, 18, 10), called, Visibility.INTERNAL)
    _send(complaint, agent, local(11, 19, 10))
    _send(complaint, agent, local(11, 23, 0, 0), called, Visibility.INTERNAL)
    return photos, called


def test_the_week_counts_the_replies_sent_from_each_macro(macros_week):
    photos, called = macros_week

    rows = macro_rows(W47)

    assert rows == [
        {"key": photos.pk, "label": "请提供照片", "count": 2, "replies": 2, "notes": 0},
        {"key": called.pk, "label": "已联系网点", "count": 1, "replies": 0, "notes": 1},
    ]
    # the top N only
    assert [r["key"] for r in macro_rows(W47, top=1)] == [photos.pk]
    # a week without any: an empty section, not an error
    assert macro_rows(IsoWeek(2026, 45)) == []


def test_the_report_and_its_downloads_show_the_macros_used(macros_week):
    photos, _called = macros_week
    with time_machine.travel(local(11, 24, 9), tick=False):
        data = week_compute(week=W47, reuse_snapshots=False)

    assert [(r["label"], r["count"]) for r in data["macros_used"]] == [("请提供照片", 2), ("已联系网点", 1)]
    with translation.override("en"):
        rows = list(csv.reader(io.StringIO(exports.report_csv(data).decode("utf-8-sig"))))
        text = exports.report_text(data)
    start = rows.index(["Canned replies used"])
    assert rows[start + 1] == ["Canned reply", "Times used", "As replies", "As internal notes"]
    assert rows[start + 2] == ["请提供照片", "2", "2", "0"]
    assert "Canned replies used" in text and "已联系网点" in text


def test_the_daily_roll_up_gives_the_same_canned_replies(macros_week):
    photos, called = macros_week
    # When the days are rolled up
    with time_machine.travel(local(11, 24, 2), tick=False):
        daily_flows_roll(now=local(11, 24, 2))
    # Then W47's canned replies read from the roll-up are the ones counted from the rows, in the same order
    assert macro_rows(W47, rolled=True) == macro_rows(W47) != []
    assert macro_rows(W47, top=1, rolled=True) == macro_rows(W47, top=1)
