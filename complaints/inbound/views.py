"""The edges: the SMS gateway's uplink callback, POST /callbacks/sms/<gateway>/ (gateway: `aliyun` or `generic`), and
the email provider's inbound webhook, POST /callbacks/email/<provider>/ (below).

It authenticates the gateway (complaints.inbound.sms.callback_authentic: an HMAC of the raw body in
X-Redress-Signature, or the token in the URL), parses the body and hands each SMS to
complaints.inbound.services.inbound_sms_receive. Refusals use the API's one error shape
`{"error": {"code", "message", "fields"}}` and write nothing: 401 bad signature or token, 403 not configured,
400 unreadable body, 404 unknown gateway, 405 not a POST, 413 too large.
"""

from __future__ import annotations

from anymail.exceptions import AnymailConfigurationError, AnymailWebhookValidationFailure
from anymail.webhooks.mailgun import MailgunInboundWebhookView
from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from complaints.errors import InvalidInput
from complaints.inbound.models import SmsGateway
from complaints.inbound.services import inbound_sms_receive
from complaints.inbound.sms import SIGNATURE_HEADER, TOKEN_PARAMETER, callback_authentic, uplinks_parse
from complaints.partners.api.exceptions import error_body

# An uplink push is a few kilobytes (Aliyun batches a few SMS); anything bigger is not one.
MAX_BODY_BYTES = 256 * 1024


def _refuse(status: int, code: str, message: str, fields: dict | None = None) -> JsonResponse:
    return JsonResponse(error_body(code, message, fields), status=status, json_dumps_params={"ensure_ascii": False})


@csrf_exempt
def sms_uplink(request: HttpRequest, gateway: str) -> JsonResponse:
    if gateway not in SmsGateway.values:
        return _refuse(404, "not_found", _("Unknown SMS gateway “%(gateway)s”.") % {"gateway": gateway})
    if request.method != "POST":
        response = _refuse(405, "method_not_allowed", _("Send the uplink with POST."))
        response["Allow"] = "POST"
        return response
    try:
        body = request.body
    except RequestDataTooBig:
        body = None
    if body is None or len(body) > MAX_BODY_BYTES:
        return _refuse(413, "too_large", _("The request body is too large."))
    if not (settings.REDRESS_SMS_INBOUND_SECRET or settings.REDRESS_SMS_INBOUND_TOKEN):
        return _refuse(
            403,
            "not_configured",
            _("Inbound SMS is not configured here: set REDRESS_SMS_INBOUND_SECRET or REDRESS_SMS_INBOUND_TOKEN."),
        )
    if not callback_authentic(
        body=body,
        signature=request.headers.get(SIGNATURE_HEADER, ""),
        token=request.GET.get(TOKEN_PARAMETER, ""),
    ):
        return _refuse(
            401,
            "bad_signature",
            _("The signature (%(header)s) or the token does not match. Nothing was recorded.")
            % {"header": SIGNATURE_HEADER},
        )
    try:
        uplinks = uplinks_parse(gateway=gateway, body=body)
    except InvalidInput as error:
        return _refuse(400, error.code, error.message, error.fields)
    received = [inbound_sms_receive(uplink=uplink) for uplink in uplinks]
    if gateway == SmsGateway.ALIYUN:
        # Aliyun checks only that `code` is a number (and the HTTP 200); anything else is pushed again.
        return JsonResponse({"code": 0, "msg": "接收成功"}, json_dumps_params={"ensure_ascii": False})
    row, created = received[0]
    return JsonResponse({"id": row.gateway_message_id, "outcome": row.outcome, "duplicate": not created})


# The inbound webhook of each provider supported (the signature is verified by anymail's view).
INBOUND_EMAIL_PROVIDERS = {"mailgun": MailgunInboundWebhookView}


def _signing_key(provider: str) -> str:
    return {"mailgun": settings.REDRESS_INBOUND_EMAIL_MAILGUN_SIGNING_KEY}[provider]


@csrf_exempt
def email_inbound(request: HttpRequest, provider: str) -> HttpResponse:
    """A provider's inbound webhook. Only the provider chosen in REDRESS_INBOUND_EMAIL_PROVIDER, with its signing key
    set, is served; django-anymail's view verifies the signature before anything is parsed, and its `inbound` signal
    reaches complaints.inbound.receivers. Refusals write nothing: 401 bad signature, 403 not configured, 404 unknown
    provider, 405 not a POST, 413 too large, 400 not an inbound message (a tracking webhook sent here)."""
    if provider not in INBOUND_EMAIL_PROVIDERS:
        return _refuse(404, "not_found", _("Unknown email provider “%(provider)s”.") % {"provider": provider})
    if request.method not in ("POST", "HEAD"):
        response = _refuse(405, "method_not_allowed", _("Send the inbound email with POST."))
        response["Allow"] = "POST"
        return response
    key = _signing_key(provider)
    if settings.REDRESS_INBOUND_EMAIL_PROVIDER.strip().lower() != provider or not key:
        return _refuse(
            403,
            "not_configured",
            _("Inbound email through %(provider)s is not configured here.") % {"provider": provider},
        )
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > settings.REDRESS_INBOUND_EMAIL_MAX_BYTES:
        return _refuse(413, "too_large", _("The request body is too large."))
    view = INBOUND_EMAIL_PROVIDERS[provider].as_view(webhook_signing_key=key)
    try:
        return view(request)
    except AnymailWebhookValidationFailure:
        return _refuse(
            401,
            "bad_signature",
            _("The provider's signature or the webhook secret does not match. Nothing was recorded."),
        )
    except AnymailConfigurationError as error:
        return _refuse(400, "invalid", _("This is not an inbound email: %(error)s") % {"error": error})
    except RequestDataTooBig:
        return _refuse(413, "too_large", _("The request body is too large."))
