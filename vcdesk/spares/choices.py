from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class WarehouseKind(models.TextChoices):
    REGIONAL = "regional", _("Spare-parts warehouse")
    BONDED = "bonded", _("Vendor's bonded warehouse")


class MovementKind(models.TextChoices):
    """Every change of stock is one of these; quantities are derived from them."""

    RECEIVED = "received", _("Received")
    RESERVED = "reserved", _("Reserved")
    RELEASED = "released", _("Reservation released")
    SHIPPED = "shipped", _("Shipped")
    RETURNED = "returned", _("Returned")
    SCRAPPED = "scrapped", _("Scrapped")
    TRANSFERRED_OUT = "transferred_out", _("Transferred out")
    TRANSFERRED_IN = "transferred_in", _("Transferred in")


# (on hand, reserved) change per unit of each movement.
MOVEMENT_EFFECT: dict[MovementKind, tuple[int, int]] = {
    MovementKind.RECEIVED: (+1, 0),
    MovementKind.RESERVED: (0, +1),
    MovementKind.RELEASED: (0, -1),
    MovementKind.SHIPPED: (-1, -1),
    MovementKind.RETURNED: (+1, 0),
    MovementKind.SCRAPPED: (-1, 0),
    MovementKind.TRANSFERRED_OUT: (-1, 0),
    MovementKind.TRANSFERRED_IN: (+1, 0),
}


class SpareRequestStatus(models.TextChoices):
    RESERVED = "reserved", _("Reserved")
    SHIPPED = "shipped", _("Shipped")
    # "Arrived" of a spare is 已到货 (goods received); the record's "Arrived" is an engineer
    # on site (到场): one English word, two meanings.
    ARRIVED = "arrived", pgettext_lazy("spare request status", "Arrived")
    CANCELLED = "cancelled", _("Cancelled")
