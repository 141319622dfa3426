"""The production URLs plus one bare DRF endpoint returning a constant, for `manage.py bench_api` only (used by
config.settings.bench, never by config.urls): the baseline that shows what our own code costs per request."""

from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from config.urls import urlpatterns as production_urlpatterns


class ConstantView(APIView):
    """No authentication, no throttle, no database: DRF's request/response cycle and JSON rendering alone."""

    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes: list = []

    def get(self, request):
        return Response({"ok": True})


urlpatterns = [path("bench/constant/", ConstantView.as_view(), name="bench-constant"), *production_urlpatterns]
