"""The reports section of the admin: parcel volumes and stored weekly reports, for supervisors only."""

import pytest
from django.test import Client
from django.urls import reverse

from reports.models import ParcelVolume

pytestmark = pytest.mark.django_db


def test_a_supervisor_records_a_parcel_volume_through_the_service(supervisor_client, supervisor, zto):
    response = supervisor_client.post(
        reverse("admin:reports_parcelvolume_add"), {"carrier": zto.pk, "iso_week": "2026-W47", "parcels": "25000000"}
    )
    assert response.status_code == 302
    volume = ParcelVolume.objects.get()
    assert (volume.iso_week, str(volume.week_start), volume.parcels) == ("2026-W47", "2026-11-16", 25_000_000)
    assert volume.reported_by == supervisor


def test_a_bad_week_is_refused_with_the_expected_form(supervisor_client, zto):
    response = supervisor_client.post(
        reverse("admin:reports_parcelvolume_add"), {"carrier": zto.pk, "iso_week": "2026-W60", "parcels": "10"}
    )
    assert response.status_code == 200  # the form again, with the field's error
    assert not ParcelVolume.objects.exists()
    assert "2026-W47" in response.content.decode()  # the message shows the expected form


def test_a_second_figure_for_the_same_week_corrects_the_first(supervisor_client, zto):
    url = reverse("admin:reports_parcelvolume_add")
    supervisor_client.post(url, {"carrier": zto.pk, "iso_week": "2026-W47", "parcels": "100"})
    supervisor_client.post(url, {"carrier": zto.pk, "iso_week": "2026-W47", "parcels": "120"})
    assert list(ParcelVolume.objects.values_list("parcels", flat=True)) == [120]


def test_agents_see_neither_list(agent):
    client = Client()
    client.force_login(agent)
    assert client.get(reverse("admin:reports_parcelvolume_changelist")).status_code == 403
    assert client.get(reverse("admin:reports_weeklyreport_changelist")).status_code == 403
