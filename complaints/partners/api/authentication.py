"""Carriers authenticate with `Authorization: Bearer <key>` (keys from `manage.py issue_api_key`).

A request made with a key acts as the carrier's API user (accounts.services.carrier_api_user): request.user is that
user (role "carrier", so events show it), request.auth is the ApiKey."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission

from accounts.models import ApiKey
from accounts.services import api_key_authenticate


class ApiKeyAuthentication(BaseAuthentication):
    keyword = "bearer"

    def authenticate(self, request):
        header = get_authorization_header(request)
        if not header:
            return None
        parts = header.split()
        if len(parts) != 2 or parts[0].lower() != self.keyword.encode():
            raise exceptions.AuthenticationFailed(
                _("Send the API key as “Authorization: Bearer <key>”."), code="unauthenticated"
            )
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raw = ""
        key = api_key_authenticate(raw_key=raw)
        if key is None:
            raise exceptions.AuthenticationFailed(
                _("This API key is unknown or has been revoked. Ask Redress for a new key."), code="unauthenticated"
            )
        return key.user, key

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (not 403) when no key was sent.
        return 'Bearer realm="redress"'


class IsCarrier(BasePermission):
    """Only a carrier's API key gets in; everything the views read is then scoped to that carrier."""

    message = _("Send a carrier API key as “Authorization: Bearer <key>”.")

    def has_permission(self, request, view) -> bool:
        if not isinstance(request.auth, ApiKey) or request.user is None:
            # DRF turns this into 401 with WWW-Authenticate, since ApiKeyAuthentication gives a header.
            raise exceptions.NotAuthenticated(self.message, code="unauthenticated")
        return request.user.carrier_id == request.auth.carrier_id


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "complaints.partners.api.authentication.ApiKeyAuthentication"
    name = "carrierApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A carrier API key, issued by Redress (`manage.py issue_api_key`), sent as "
            "`Authorization: Bearer <key>`.",
        }
