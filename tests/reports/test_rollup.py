"""The daily roll-up (reports/rollup.py) gives the weekly report the same figures as counting from the rows: on random
histories built through the services (recategorised and merged complaints, sweeps that ran late, roll-ups at any
moment), and after each change that reaches a day already counted."""

import random
from datetime import timedelta

import pytest
import time_machine

from complaints.choices import Category, Channel, Status
from complaints.errors import ServiceError
from complaints.models import FiguresRecount
from complaints.services import complaint_merge, complaint_reopen, complaint_update
from reports.metrics import week_compute
from reports.metrics.rolled import rolled_weeks
from reports.models import DailyFlow, RollupProgress
from reports.rollup import daily_flows_reset, daily_flows_roll
from reports.tasks import report_rollup
from reports.weeks import IsoWeek
from tests.reports.builders import answer, assign, first_reply, local, receive, resolve, send_surveys, sweep

START = local(10, 26)  # Monday of 2026-W44
DAYS = 24
CATEGORIES = (Category.DELAY, Category.LOSS, Category.DAMAGE)
CHANNELS = (Channel.PHONE, Channel.WEB, Channel.EMAIL)


@pytest.fixture(autouse=True)
def sms_to_files(settings, tmp_path):
    settings.REDRESS_SMS_FILE_DIR = str(tmp_path)
    settings.REDRESS_SMS_BACKEND = "complaints.followups.sms.FileBackend"


def roll(at):
    with time_machine.travel(at, tick=False):
        return daily_flows_roll(now=at)


def both_ways(week: IsoWeek, now) -> tuple[dict, dict]:
    """The week's report from the roll-up where it covers the weeks, and counted from the rows only."""
    with time_machine.travel(now, tick=False):
        rolled = week_compute(week=week, now=now, reuse_snapshots=False)
        direct = week_compute(week=week, now=now, reuse_snapshots=False, use_rollup=False)
    return rolled, direct


def covered(week: IsoWeek) -> set:
    weeks = [week.previous(11 - i) for i in range(12)]
    return rolled_weeks(weeks, week=week, now=local(12, 31))


def random_history(rng: random.Random, agents, carriers) -> list:
    """A list of (moment, action) in the order they happen."""
    actions = []
    complaints = []

    def at(hours_after, base):
        return base + timedelta(minutes=int(hours_after * 60))

    for number in range(rng.randint(14, 24)):
        received = START + timedelta(minutes=rng.randint(0, DAYS * 24 * 60))
        agent = rng.choice(agents)
        fields = {
            "carrier": rng.choice(carriers),
            "category": rng.choice(CATEGORIES),
            "channel": rng.choice(CHANNELS),
        }
        if fields["channel"] == Channel.EMAIL:
            fields["complainant_email"] = f"c{number}@example.com"
        complaints.append(number)
        actions.append((received, ("receive", number, fields, agent)))
        moment = received
        if rng.random() < 0.75:
            moment = at(rng.uniform(0.5, 40), moment)
            actions.append((moment, ("reply", number, agent)))
            if rng.random() < 0.7:
                moment = at(rng.uniform(1, 90), moment)
                actions.append((moment, ("resolve", number, agent, rng.random() < 0.6)))
                if rng.random() < 0.6:
                    moment = at(rng.uniform(30, 60), moment)
                    actions.append((moment, ("survey", number)))
                    moment = at(rng.uniform(0.5, 5), moment)
                    actions.append((moment, ("answer", number, rng.randint(1, 5))))
                elif rng.random() < 0.4:
                    moment = at(rng.uniform(2, 48), moment)
                    actions.append((moment, ("reopen", number, agent)))
                # Resolved again after a reopening (a low answer reopens too): twice liable in a week, or not
                moment = at(rng.uniform(1, 30), moment)
                actions.append((moment, ("resolve", number, agent, rng.random() < 0.6)))
        if rng.random() < 0.3:
            change = rng.choice(("category", "channel", "carrier"))
            value = {"category": CATEGORIES, "channel": (Channel.PHONE, Channel.WEB), "carrier": carriers}[change]
            actions.append((at(rng.uniform(1, 200), received), ("update", number, change, rng.choice(value))))
    for _ in range(rng.randint(1, 3)):
        first, second = rng.sample(complaints, 2)
        actions.append((START + timedelta(hours=rng.uniform(24, DAYS * 24)), ("merge", first, second)))
    moment = START
    while moment < START + timedelta(days=DAYS + 2):
        # Gaps of up to 40 h: some breaches are recorded a day or more after they fell due.
        moment = at(rng.uniform(2, 40), moment)
        actions.append((moment, ("sweep",)))
    moment = START
    while moment < START + timedelta(days=DAYS + 2):
        moment = at(rng.uniform(6, 80), moment)
        actions.append((moment, ("roll",)))
    return sorted(actions, key=lambda item: item[0])


def play(actions: list, supervisor) -> None:
    made = {}
    for moment, (name, *args) in actions:
        try:
            if name == "receive":
                number, fields, agent = args
                made[number] = receive(moment, **fields)
                assign(made[number], agent, moment + timedelta(minutes=1))
            elif name == "sweep":
                sweep(moment)
            elif name == "roll":
                roll(moment)
            elif args[0] not in made:
                continue
            elif name == "reply":
                first_reply(made[args[0]], args[1], moment)
            elif name == "resolve":
                resolve(made[args[0]], args[1], moment, liable=args[2])
            elif name == "survey":
                send_surveys(moment)
            elif name == "answer":
                answer(made[args[0]], args[1], moment)
            elif name == "reopen":
                with time_machine.travel(moment, tick=False):
                    complaint_reopen(complaint=made[args[0]], actor=args[1], reason="还没收到", at=moment)
            elif name == "update":
                complaint = made[args[0]]
                complaint.refresh_from_db()
                with time_machine.travel(moment, tick=False):
                    complaint_update(
                        complaint=complaint, actor=supervisor, expected_version=None, changes={args[1]: args[2]}
                    )
            elif name == "merge" and args[1] in made:
                duplicate, primary = made[args[0]], made[args[1]]
                duplicate.refresh_from_db()
                primary.refresh_from_db()
                with time_machine.travel(moment, tick=False):
                    complaint_merge(duplicate=duplicate, primary=primary, actor=supervisor, at=moment)
        except ServiceError:
            continue  # the history asked for something the state map refuses: it simply did not happen


@pytest.mark.parametrize("seed", range(6))
def test_on_random_histories_the_roll_up_gives_the_figures_counted_from_the_rows(
    seed, agent, other_agent, zto, sf, supervisor
):
    # Given a random history, rolled up at random moments along the way
    rng = random.Random(seed)
    play(random_history(rng, [agent, other_agent], [zto, sf]), supervisor)
    end = START + timedelta(days=DAYS + 3, hours=8)
    # When every week is reported, from the roll-up and from the rows
    for week in (IsoWeek.of(START + timedelta(days=d)) for d in (6, 13, 20, 27)):
        rolled, direct = both_ways(week, end)
        # Then the figures are the same
        assert rolled == direct, week
    # ... and the roll-up did cover weeks (the comparison was not between two direct counts)
    assert covered(IsoWeek.of(START + timedelta(days=13)))
    assert DailyFlow.objects.exists()


def test_a_recategorised_complaint_moves_in_a_week_already_rolled_up(agent, zto, supervisor):
    # Given a complaint received and resolved in W45, rolled up once the days were over
    week = IsoWeek(2026, 45)
    complaint = receive(local(11, 3, 10), carrier=zto, category=Category.DELAY)
    assign(complaint, agent, local(11, 3, 10, 5))
    first_reply(complaint, agent, local(11, 3, 12))
    resolve(complaint, agent, local(11, 4, 10))
    roll(local(11, 20))
    monday = local(11, 23, 8)
    assert week in covered(week)
    # When an agent corrects its category a week later
    complaint.refresh_from_db()
    with time_machine.travel(local(11, 12), tick=False):
        complaint_update(complaint=complaint, actor=supervisor, expected_version=None, changes={"category": "loss"})
    # Then the week is counted from the rows until the roll-up counted its days again, and moves the complaint
    assert FiguresRecount.objects.filter(day=local(11, 3).date()).exists()
    assert week not in covered(week)
    rolled, direct = both_ways(week, monday)
    assert rolled == direct
    result = roll(local(11, 20, 0, 5))
    assert local(11, 3).date() in result.recounted and local(11, 4).date() in result.recounted
    assert week in covered(week)
    rolled, direct = both_ways(week, monday)
    assert rolled == direct
    assert [(row["key"], row["received"], row["resolved"]) for row in rolled["by_category"]] == [("loss", 1, 1)]


def test_a_merge_takes_the_duplicate_out_of_the_days_it_was_counted_in(agent, zto, supervisor):
    # Given two complaints about one waybill, received on two days of W45 and rolled up
    week = IsoWeek(2026, 45)
    first = receive(local(11, 2, 10), carrier=zto, waybill_number="ZT0000000000042")
    second = receive(local(11, 5, 10), carrier=zto, waybill_number="ZT0000000000042")
    roll(local(11, 10))
    assert week in covered(week)
    # When the later one is merged into the earlier one
    with time_machine.travel(local(11, 10, 9), tick=False):
        complaint_merge(duplicate=second, primary=first, actor=supervisor, at=local(11, 10, 9))
    roll(local(11, 10, 9, 5))
    # Then the week counts one complaint received, from the roll-up as from the rows
    rolled, direct = both_ways(week, local(11, 10, 10))
    assert week in covered(week)
    assert rolled == direct
    assert rolled["headline"]["received"]["value"] == 1


def test_a_breach_recorded_days_late_is_counted_in_the_week_it_fell_due(agent, zto):
    # Given a complaint nobody answered, received Thursday of W45 (first response due Friday)
    week = IsoWeek(2026, 45)
    complaint = receive(local(11, 5, 10), carrier=zto)
    assign(complaint, agent, local(11, 5, 10, 5))
    roll(local(11, 12))
    assert week in covered(week)
    # When the sweep, stopped since, records its breaches the next Thursday
    sweep(local(11, 12, 10))
    # Then W45 waits for the roll-up, which counts the breaches in it
    assert week not in covered(week)
    roll(local(11, 12, 10, 5))
    rolled, direct = both_ways(week, local(11, 16, 8))
    assert week in covered(week)
    assert rolled == direct
    assert rolled["headline"]["breaches"]["value"] >= 1


def test_the_roll_up_counts_only_days_over_for_an_hour_and_resumes_where_it_stopped(agent, zto):
    # Given complaints on three days
    for day in (2, 3, 4):
        receive(local(11, day, 10), carrier=zto)
    # When the roll-up runs at 00:30 on the 4th, at 01:30, and at 01:30 on the 5th
    assert roll(local(11, 4, 0, 30)).counted == [local(11, 2).date()]
    assert roll(local(11, 4, 1, 30)).counted == [local(11, 3).date()]
    result = roll(local(11, 5, 1, 30))
    # Then each day is counted once, once it has been over for an hour
    assert result.counted == [local(11, 4).date()]
    assert RollupProgress.objects.get().rolled_until == local(11, 5).date()
    assert sorted(DailyFlow.objects.values_list("day", "received")) == [(local(11, day).date(), 1) for day in (2, 3, 4)]
    # ... and a reset forgets it all: the report counts from the rows again
    daily_flows_reset()
    assert not DailyFlow.objects.exists()
    assert RollupProgress.objects.get().rolled_until is None


def test_a_day_that_cannot_be_counted_is_left_for_the_next_run(agent, zto, monkeypatch, caplog):
    # Given two days of complaints, and counting the second one fails
    receive(local(11, 2, 10), carrier=zto)
    receive(local(11, 3, 10), carrier=zto)
    from reports import rollup

    real = rollup.day_flows

    def failing(day):
        if day == local(11, 3).date():
            raise RuntimeError("disk full")
        return real(day)

    monkeypatch.setattr(rollup, "day_flows", failing)
    # When the roll-up runs
    result = roll(local(11, 5, 2))
    # Then the first day is counted, the failure logged, nothing of the second day written, and the next run counts it
    assert result.counted == [local(11, 2).date()] and result.failed == [local(11, 3).date()]
    assert "counting 2026-11-03 failed" in caplog.text
    assert not DailyFlow.objects.filter(day=local(11, 3).date()).exists()
    monkeypatch.setattr(rollup, "day_flows", real)
    assert roll(local(11, 5, 2, 5)).counted == [local(11, 3).date(), local(11, 4).date()]


def test_a_complaint_reopened_after_a_roll_up_keeps_the_figures_equal(agent, zto):
    # Given a complaint resolved in W45 and rolled up
    week = IsoWeek(2026, 45)
    complaint = receive(local(11, 3, 10), carrier=zto)
    assign(complaint, agent, local(11, 3, 10, 5))
    first_reply(complaint, agent, local(11, 3, 12))
    resolve(complaint, agent, local(11, 4, 10))
    roll(local(11, 11))
    # When it is reopened and resolved again in W46
    complaint.refresh_from_db()
    with time_machine.travel(local(11, 11, 9), tick=False):
        complaint_reopen(complaint=complaint, actor=agent, reason="还没收到", at=local(11, 11, 9))
    resolve(complaint, agent, local(11, 12, 9))
    roll(local(11, 17))
    # Then both weeks agree with the rows
    for reported in (week, week.next()):
        rolled, direct = both_ways(reported, local(11, 17, 8))
        assert rolled == direct
    complaint.refresh_from_db()
    assert complaint.status == Status.RESOLVED


def test_the_beat_task_counts_the_days_over_and_says_so(agent, zto):
    # Given complaints received on two days of last week
    receive(local(11, 2, 10), carrier=zto)
    receive(local(11, 3, 10), carrier=zto)
    # When beat's task runs on the 4th at 02:00
    with time_machine.travel(local(11, 4, 2), tick=False):
        summary = report_rollup()
    # Then both days are counted and the summary names the first day not counted yet
    assert summary == {"counted": 2, "recounted": 0, "failed": [], "rolled_until": "2026-11-04"}
