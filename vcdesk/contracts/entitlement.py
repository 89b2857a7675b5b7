"""Entitlement (R1.4): what a device is owed on a given date. Pure functions."""

from dataclasses import dataclass
from datetime import date

from django.db import models
from django.utils.translation import gettext_lazy as _

from vcdesk.core.dates import add_years


class Charge(models.TextChoices):
    FREE = "free", _("Free")
    CHARGED = "charged", _("Charged")
    CHARGED_AT_MOST_MARKET_PRICE = (
        "charged_at_most_market_price",
        _("Charged, at most the market price"),
    )


@dataclass(frozen=True)
class Entitlement:
    in_warranty: bool
    warranty_ends_on: date
    repair_until: date | None
    repair_available: bool
    parts: Charge
    labour: Charge
    remote_support: Charge
    upgrades: Charge


def entitlement_on(
    *,
    on: date,
    accepted_on: date,
    warranty_years: int,
    repair_until: date | None,
    free_upgrades: bool = True,
) -> Entitlement:
    """In warranty from acceptance (inclusive) until the anniversary (exclusive): parts free.
    After it parts are charged at no more than market price; labour, remote support and
    upgrades stay free. Repair is for life, or until `repair_until` (end of production + 3
    years) inclusive for a discontinued model. Upgrades are free unless the contract
    excludes them."""
    warranty_ends_on = add_years(accepted_on, warranty_years)
    in_warranty = accepted_on <= on < warranty_ends_on
    return Entitlement(
        in_warranty=in_warranty,
        warranty_ends_on=warranty_ends_on,
        repair_until=repair_until,
        repair_available=repair_until is None or on <= repair_until,
        parts=Charge.FREE if in_warranty else Charge.CHARGED_AT_MOST_MARKET_PRICE,
        labour=Charge.FREE,
        remote_support=Charge.FREE,
        upgrades=Charge.FREE if free_upgrades else Charge.CHARGED,
    )
