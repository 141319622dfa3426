"""The report page in headless Chromium: a supervisor logs in through the admin form and sees the figures and the
charts; an agent logging in cannot open it. Needs chromium and chromedriver (skipped otherwise, see conftest)."""

import pytest
from django.urls import reverse

from reports.models import WeeklyReport
from reports.reading import last_complete_week
from tests.factories import AgentFactory, SupervisorFactory
from tests.reports.sample_report import sample_report

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PASSWORD = "pw-for-tests-123"


@pytest.fixture
def stored_week(db):
    week = last_complete_week()
    return WeeklyReport.objects.create(
        iso_week=str(week), week_start=week.monday, data=sample_report(week=str(week)), computed_at=week.end
    )


def _log_in(driver, live_server, username):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(live_server.url + reverse("admin:login"))
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    driver.find_element(By.CSS_SELECTOR, "#login-form [type=submit]").click()
    # Logged in: the admin header shows the user's tools (on a busy machine the next page can take a moment).
    WebDriverWait(driver, 15).until(lambda d: d.find_elements(By.ID, "user-tools"))


def test_a_supervisor_sees_the_figures_and_the_charts(browser, live_server, stored_week):
    from selenium.webdriver.common.by import By

    SupervisorFactory(username="sup_browser")
    # given a supervisor logged in through the admin's form
    _log_in(browser, live_server, "sup_browser")
    # when they follow the reports section to the report page
    browser.get(live_server.url + reverse("admin:reports_weeklyreport_changelist"))
    browser.find_element(By.CSS_SELECTOR, ".object-tools a[href$='/admin/reports/weekly/']").click()
    # then the last complete week shows its figures
    assert stored_week.iso_week in browser.title
    received = browser.find_element(By.CSS_SELECTOR, "[data-figure='received'] [data-value]")
    assert received.text == "128"
    rate = browser.find_element(By.CSS_SELECTOR, "[data-figure='omission_rate_pct'] [data-value]")
    assert rate.text == "4.2 %"  # Haier's omission rate
    # ... and the four inline SVG charts, drawn (lines and bars), with no script on the page
    charts = browser.find_elements(By.CSS_SELECTOR, "svg.redress-chart")
    assert len(charts) == 4
    assert all(chart.is_displayed() and chart.size["width"] > 200 for chart in charts)
    assert browser.find_elements(By.CSS_SELECTOR, "svg[data-chart='trend'] polyline")
    assert len(browser.find_elements(By.CSS_SELECTOR, "svg[data-chart='category'] rect")) == 5
    # KY reported no parcel volume: its rate is unknown, not 0
    ky = browser.find_element(By.CSS_SELECTOR, "tr[data-carrier='KY']")
    assert "unknown" in ky.text or "未知" in ky.text
    # the previous week is one click away
    browser.find_element(By.ID, "rr-previous").click()
    assert str(last_complete_week().previous()) in browser.title


def test_an_agent_cannot_open_the_page(browser, live_server, stored_week):
    from selenium.webdriver.common.by import By

    AgentFactory(username="agent_browser")
    _log_in(browser, live_server, "agent_browser")
    browser.get(live_server.url + reverse("reports-weekly-week", args=[stored_week.iso_week]))
    assert not browser.find_elements(By.CSS_SELECTOR, "[data-figure]")
    assert not browser.find_elements(By.CSS_SELECTOR, "svg.redress-chart")
    assert "403" in browser.page_source or "Forbidden" in browser.page_source
