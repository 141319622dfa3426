"""The surge alert: complaints for one carrier and category in the last 24 h above three times their daily average
over the four weeks before, and at least five, alert supervisors once per carrier, category and day."""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from complaints.choices import Category, MessageKind
from complaints.models import Complaint, OutboundMessage
from reports.surge import surge_check, surges_find
from tests.factories import SupervisorFactory, make_complaint

pytestmark = pytest.mark.django_db
NOW = datetime.fromisoformat("2026-11-24T10:00:00+08:00")


@pytest.fixture
def sup(db):
    return SupervisorFactory(username="sup_s", email="s@redress.example.com")


def _complaints(n, *, carrier, category=Category.DELAY, hours_ago=1.0):
    for _ in range(n):
        make_complaint(carrier=carrier, category=category, at=NOW - timedelta(hours=hours_ago))


def _baseline(n, *, carrier, category=Category.DELAY):
    """n complaints spread over the four weeks before the last 24 hours."""
    for i in range(n):
        make_complaint(
            carrier=carrier, category=category, at=NOW - timedelta(days=1, hours=6 + i * 24 * 27 / max(n, 1))
        )


def _alerts():
    return OutboundMessage.objects.filter(kind=MessageKind.SURGE_ALERT)


def test_four_complaints_are_not_a_surge_five_are(sup, zto):
    # given nothing in the four weeks before, and four complaints in the last 24 h
    _complaints(4, carrier=zto)
    assert surge_check(now=NOW).alerts == 0
    # when a fifth arrives
    _complaints(1, carrier=zto)
    result = surge_check(now=NOW)
    # then supervisors are alerted, naming the carrier and category
    assert result.alerts == 1
    alert = _alerts().get()
    assert alert.recipient == "s@redress.example.com"
    assert alert.complaint is None
    assert alert.period == "surge:ZTO:delay:2026-11-24"
    assert "ZTO" in alert.subject and "5" in alert.subject


def test_exactly_three_times_the_average_is_not_a_surge(sup, zto):
    # given 56 complaints over the four weeks before (2 a day): the threshold is more than 6
    _baseline(56, carrier=zto)
    _complaints(6, carrier=zto)
    assert surge_check(now=NOW).alerts == 0
    # when a seventh arrives within 24 h
    _complaints(1, carrier=zto)
    assert surge_check(now=NOW).alerts == 1


def test_complaints_older_than_24_hours_count_in_the_baseline_not_the_window(sup, zto):
    _complaints(5, carrier=zto, hours_ago=25)
    assert surge_check(now=NOW).alerts == 0


def test_each_carrier_and_category_is_counted_on_its_own(sup, zto, sf):
    _complaints(3, carrier=zto, category=Category.DELAY)
    _complaints(2, carrier=zto, category=Category.LOSS)
    _complaints(2, carrier=sf, category=Category.DELAY)
    assert surge_check(now=NOW).alerts == 0
    _complaints(3, carrier=sf, category=Category.DELAY)
    result = surge_check(now=NOW)
    assert [(s.carrier_code, s.category, s.recent) for s in result.surges] == [("SF", "delay", 5)]


def test_alerted_once_a_day_then_again_the_next_day_if_it_goes_on(sup, zto):
    _complaints(5, carrier=zto)
    assert surge_check(now=NOW).alerts == 1
    # the hourly check runs again the same day: nothing more
    assert surge_check(now=NOW + timedelta(hours=1)).alerts == 0
    assert surge_check(now=NOW + timedelta(hours=5)).alerts == 0
    assert _alerts().count() == 1
    # the next day the surge goes on (five more in the last 24 h): one alert for that day
    _complaints(5, carrier=zto, hours_ago=-20)
    assert surge_check(now=NOW + timedelta(hours=22)).alerts == 1
    assert sorted(_alerts().values_list("period", flat=True)) == [
        "surge:ZTO:delay:2026-11-24",
        "surge:ZTO:delay:2026-11-25",
    ]


def test_the_counts_are_one_query(sup, zto, sf):
    _complaints(5, carrier=zto)
    _complaints(2, carrier=sf)
    assert Complaint.objects.count() == 7
    with CaptureQueriesContext(connection) as queries:
        surges = surges_find(now=NOW)
    assert len(queries) == 1
    assert [s.carrier_code for s in surges] == ["ZTO"]
