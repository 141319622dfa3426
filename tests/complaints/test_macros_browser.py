"""A canned reply in headless Chromium: an agent opens the complaint in the admin, picks a macro in the reply form,
sees its text filled in for the complaint (and the macro's next status chosen), edits it, sends it, and the timeline
shows the reply. Needs chromium and chromedriver (skipped otherwise, see conftest)."""

import pytest
from django.urls import reverse

from complaints import services
from complaints.choices import EventKind, Language, Status
from complaints.macros.services import macro_save
from complaints.models import Complaint
from tests.factories import AgentFactory, SupervisorFactory, make_complaint

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
PASSWORD = "pw-for-tests-123"


@pytest.fixture(autouse=True)
def sms_to_tmp(settings, tmp_path):
    settings.REDRESS_SMS_FILE_DIR = str(tmp_path / "sms")


def test_an_agent_picks_a_macro_edits_it_and_sends_it(browser, live_server):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    # Given an acknowledged complaint owned by an agent, and a supervisor's "ask for photos" macro in its language
    agent = AgentFactory(username="agent_browser")
    complaint = make_complaint(language=Language.EN, waybill_number="ZT5550001234")
    services.complaint_assign(complaint=complaint, actor=agent, owner=agent)
    services.complaint_transition(complaint=complaint, actor=agent, to_status=Status.ACKNOWLEDGED)
    macro = macro_save(
        actor=SupervisorFactory(),
        name="Ask for photos",
        language=Language.EN,
        body="Dear {complainant_name}, please send photos of parcel {waybill} ({reference}).",
        next_status=Status.AWAITING_CUSTOMER,
    )

    # When the agent logs in and opens the complaint
    browser.get(live_server.url + reverse("admin:login"))
    browser.find_element(By.NAME, "username").send_keys("agent_browser")
    browser.find_element(By.NAME, "password").send_keys(PASSWORD)
    browser.find_element(By.CSS_SELECTOR, "#login-form [type=submit]").click()
    browser.find_element(By.ID, "user-tools")
    browser.get(live_server.url + reverse("admin:complaints_complaint_change", args=[complaint.pk]))

    # And picks the macro in the reply form
    Select(browser.find_element(By.NAME, "reply-macro")).select_by_visible_text("Ask for photos")

    # Then the reply box holds the text filled in for this complaint, and the macro's next status is chosen
    message = browser.find_element(By.NAME, "reply-message")
    filled = f"Dear 张伟, please send photos of parcel ZT5550001234 ({complaint.reference})."
    WebDriverWait(browser, 5).until(lambda d: message.get_attribute("value") == filled)
    next_status = Select(browser.find_element(By.NAME, "reply-next_status"))
    assert next_status.first_selected_option.get_attribute("value") == Status.AWAITING_CUSTOMER
    assert Select(browser.find_element(By.NAME, "reply-visibility")).first_selected_option.get_attribute("value") == (
        "public"
    )

    # When the agent adds a line and sends it
    message.send_keys(" A photo of the label helps too.")
    browser.find_element(By.CSS_SELECTOR, "button[value=reply]").click()

    # Then the timeline shows the reply as sent, and the complaint waits on the complainant
    sent = f"{filled} A photo of the label helps too."
    reply = WebDriverWait(browser, 10).until(
        lambda d: d.find_elements(By.XPATH, "//li[contains(@class,'redress-event')][contains(., 'photo of the label')]")
    )[0]
    assert sent in reply.text
    assert "redress-public" in reply.get_attribute("class")
    complaint = Complaint.objects.get(pk=complaint.pk)
    assert complaint.status == Status.AWAITING_CUSTOMER
    event = complaint.events.get(kind=EventKind.PUBLIC_REPLY)
    assert (event.message, event.data, event.actor_id) == (sent, {"macro": macro.pk}, agent.pk)
