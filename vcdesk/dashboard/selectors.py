"""The home page's figures, scoped to what the user may see."""

from datetime import date, timedelta

from django.db.models import Count, Q

from vcdesk.assets.choices import DeviceKind, DeviceStatus
from vcdesk.assets.models import REPAIR_YEARS_AFTER_END_OF_PRODUCTION
from vcdesk.assets.selectors import device_visible
from vcdesk.contracts.selectors import contract_visible
from vcdesk.core.dates import add_years
from vcdesk.customers.selectors import organisation_visible, site_visible

WARRANTY_ENDING_DAYS = 90


def installed_base_summary(*, user, today: date) -> dict:
    in_warranty = Q(contract__accepted_on__lte=today, contract__warranty_ends_on__gt=today)
    # repair_until = end of production + 3 years; past it when that day is before today.
    past_repair = Q(
        model__end_of_production__lt=add_years(today, -REPAIR_YEARS_AFTER_END_OF_PRODUCTION)
    )
    devices = device_visible(user=user).filter(status=DeviceStatus.ACTIVE).order_by()
    figures = devices.aggregate(
        total=Count("id"),
        in_warranty=Count("id", filter=in_warranty),
        mcu=Count("id", filter=Q(model__kind=DeviceKind.MCU)),
        endpoint=Count("id", filter=Q(model__kind=DeviceKind.ENDPOINT)),
        past_repair=Count("id", filter=past_repair),
    )
    figures["out_of_warranty"] = figures["total"] - figures["in_warranty"]
    return {
        "organisations": organisation_visible(user=user).count(),
        "sites": site_visible(user=user).count(),
        "devices": figures,
        "warranty_ending": contract_visible(user=user)
        .filter(
            warranty_ends_on__gt=today,
            warranty_ends_on__lte=today + timedelta(days=WARRANTY_ENDING_DAYS),
        )
        .annotate(device_count=Count("devices"))
        .order_by("warranty_ends_on")[:10],
        "warranty_ending_days": WARRANTY_ENDING_DAYS,
    }
