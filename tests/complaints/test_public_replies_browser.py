"""The complainant's reply in headless Chromium: they open the status link, write a reply with a photo; the agent
sees it with its thumbnail in the admin, and the complaint has left "awaiting complainant". Needs chromium and
chromedriver (skipped otherwise, see conftest)."""

from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from complaints import services
from complaints.choices import EventKind, Status
from complaints.evidence.models import Evidence
from complaints.links import status_url
from complaints.models import ComplaintEvent
from tests.evidence_files import jpeg_with_gps
from tests.factories import AgentFactory, make_complaint

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PASSWORD = "pw-for-tests-123"


@pytest.fixture(autouse=True)
def sms_to_tmp(settings, tmp_path):
    settings.REDRESS_SMS_FILE_DIR = str(tmp_path / "sms")


def _image_loaded(driver, element) -> bool:
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    return driver.execute_script("return arguments[0].complete && arguments[0].naturalWidth > 0;", element)


def test_a_reply_with_a_photo_from_the_status_page_reaches_the_agent(
    browser, live_server, fs_evidence_storage, tmp_path
):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    # Given a complaint owned by an agent, waiting on the complainant, and a real JPEG on the complainant's phone
    agent = AgentFactory(username="agent_browser")
    complaint = make_complaint(language="en")
    services.complaint_assign(complaint=complaint, actor=agent, owner=agent)
    services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.ACKNOWLEDGED)
    services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.AWAITING_CUSTOMER)
    photo = Path(tmp_path / "crushed-box.jpg")
    photo.write_bytes(jpeg_with_gps(size=(800, 600)))

    # When the complainant opens the status link and writes a reply with the photo
    browser.get(live_server.url + urlsplit(status_url(complaint.pk)).path)
    browser.find_element(By.NAME, "message").send_keys("The box arrived crushed; photo attached.")
    browser.find_element(By.NAME, "files").send_keys(str(photo))
    browser.find_element(By.CSS_SELECTOR, "#reply button[type=submit]").click()

    # Then the page thanks them and shows the reply with the photo's thumbnail
    WebDriverWait(browser, 10).until(lambda d: "sent=1" in d.current_url)
    assert "we have your message" in browser.page_source
    public_thumb = browser.find_element(By.CSS_SELECTOR, "ol.timeline .files img")
    WebDriverWait(browser, 10).until(lambda d: _image_loaded(d, public_thumb))

    # And the agent, logged in to the admin, sees the reply with its thumbnail on the complaint's page
    browser.delete_all_cookies()
    browser.get(live_server.url + reverse("admin:login"))
    browser.find_element(By.NAME, "username").send_keys("agent_browser")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "#login-form [type=submit]").click()
    browser.find_element(By.ID, "user-tools")
    browser.get(live_server.url + reverse("admin:complaints_complaint_change", args=[complaint.pk]))
    reply = browser.find_element(By.XPATH, "//li[contains(@class,'redress-event')][contains(., 'photo attached')]")
    thumb = reply.find_element(By.CSS_SELECTOR, ".redress-event-files img")
    assert thumb.get_attribute("alt") == "crushed-box.jpg"
    WebDriverWait(browser, 10).until(lambda d: _image_loaded(d, thumb))

    # And the complaint has left "awaiting complainant", with the reply and the resumption as events
    complaint.refresh_from_db()
    assert complaint.status == Status.IN_PROGRESS
    assert ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.COMPLAINANT_REPLY).count() == 1
    assert Evidence.objects.filter(complaint=complaint, original_name="crushed-box.jpg").count() == 1
