"""A webhook delivered through a real Celery worker on Redis (see test_celery_worker.py for the worker fixture),
exactly once although the dispatcher task runs twice (beat's sweep and an after-commit nudge)."""

import pytest

from complaints.choices import Status
from complaints.models import WebhookDelivery, WebhookEndpoint
from complaints.partners.webhooks.models import WebhookEventType, WebhookState
from complaints.services import complaint_hand_to_carrier, complaint_transition
from complaints.tasks import dispatch_webhooks
from tests.factories import AgentFactory, CarrierFactory, make_complaint
from tests.fixtures.celery_worker import DONE_TIMEOUT, _wait
from tests.fixtures.webhook_receiver import verify_like_a_receiver

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SECRET = "whsec_celery_0123456789abcdefghijkl"


def test_worker_delivers_the_webhook_exactly_once(receiver, worker):
    # Given ZTO's endpoint and a complaint handed to ZTO (committed: the worker reads the database)
    zto = CarrierFactory(code="ZTO")
    agent = AgentFactory()
    WebhookEndpoint.objects.create(
        carrier=zto, url=receiver.url, secret=SECRET, event_types=[WebhookEventType.ASSIGNED]
    )
    complaint = make_complaint(carrier=zto)
    complaint_transition(complaint=complaint, actor=agent, to_status=Status.ACKNOWLEDGED)
    complaint_hand_to_carrier(complaint=complaint, actor=agent)
    delivery = WebhookDelivery.objects.get(complaint=complaint)

    # When the dispatcher task runs twice in the worker
    for _ in range(2):
        dispatch_webhooks.apply_async(connection=worker["connection"], queue=worker["queue"])

    def delivered():
        delivery.refresh_from_db()
        return delivery.state == WebhookState.DELIVERED

    _wait(delivered, DONE_TIMEOUT, "the webhook to be delivered", worker["log"])

    def both_done():
        lines = worker["log"].read_text(errors="replace").splitlines()
        return sum("redress.dispatch_webhooks[" in line and "succeeded" in line for line in lines) >= 2

    _wait(both_done, DONE_TIMEOUT, "both dispatcher tasks to finish", worker["log"])

    # Then the carrier received it once, signed, and the attempt is logged
    assert len(receiver.requests) == 1
    request = receiver.requests[0]
    assert request.headers["redress-event-id"] == str(delivery.event_id)
    assert request.json["data"]["complaint"]["reference"] == complaint.reference
    assert verify_like_a_receiver(
        secret=SECRET, signature_header=request.headers["redress-signature"], raw_body=request.body
    )
    delivery.refresh_from_db()
    assert delivery.attempts == 1
    assert delivery.attempt_log.get().status_code == 200
