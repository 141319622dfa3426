"""Business actions of reporting."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Carrier, User
from complaints.errors import InvalidInput
from reports.models import ParcelVolume
from reports.weeks import IsoWeek

# A sanity bound, not a business rule: the largest carriers handle a few hundred million parcels a week.
MAX_WEEKLY_PARCELS = 10_000_000_000


def parcel_volume_set(*, carrier: Carrier, iso_week: str, parcels: int, actor: User | None = None,
                      at: datetime | None = None) -> tuple[ParcelVolume, bool]:
    """Record (or correct) the carrier's parcel volume for an ISO week. Returns the row and whether it was new.
    Setting the same figure again changes nothing."""
    week = IsoWeek.parse(iso_week, field="iso_week")
    if isinstance(parcels, bool) or not isinstance(parcels, int) or parcels < 0 or parcels > MAX_WEEKLY_PARCELS:
        raise InvalidInput(_("The parcel volume is not valid."), fields={
            "parcels": [_("Give a whole number of parcels from 0 to %(max)s.") % {"max": f"{MAX_WEEKLY_PARCELS:,}"}]})
    at = at or timezone.now()
    with transaction.atomic():
        volume, created = ParcelVolume.objects.select_for_update().get_or_create(
            carrier=carrier, week_start=week.monday,
            defaults={"iso_week": str(week), "parcels": parcels, "reported_by": actor, "reported_at": at},
        )
        if not created and volume.parcels != parcels:
            volume.parcels, volume.reported_by, volume.reported_at = parcels, actor, at
            volume.save(update_fields=["parcels", "reported_by", "reported_at"])
    return volume, created
