"""Warehouses, part models and stock (R4.1, R4.2).

Every change of stock is an immutable `StockMovement` row. `StockLevel` holds the running
on-hand and reserved quantities per warehouse and part model: it is derived from the
movements, written only by vcdesk.spares.services in the same transaction as the movement
(under a row lock), and guarded by database constraints so that stock can never go below
zero. `stock_levels_rebuild()` recomputes it from the movements.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from vcdesk.core.models import TimeStampedModel
from vcdesk.spares.choices import MovementKind, SpareRequestStatus, WarehouseKind


class Warehouse(TimeStampedModel):
    name = models.CharField(_("name"), max_length=100, unique=True)
    city = models.CharField(_("city"), max_length=50)
    kind = models.CharField(
        _("kind"), max_length=20, choices=WarehouseKind.choices, default=WarehouseKind.REGIONAL
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["kind", "city", "name"]

    def __str__(self) -> str:
        return self.name


class PartModel(TimeStampedModel):
    """A kind of spare part: a module, a board, a whole endpoint."""

    vendor = models.CharField(_("vendor"), max_length=100)
    part_number = models.CharField(_("part number"), max_length=100)
    name = models.CharField(_("name"), max_length=200)
    serialised = models.BooleanField(_("serialised"), default=True)
    device_models = models.ManyToManyField(
        "assets.DeviceModel",
        verbose_name=_("serves device models"),
        blank=True,
        related_name="part_models",
    )
    market_price = models.DecimalField(
        _("market price (CNY)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("A post-warranty quote may not charge more for this part."),
    )
    low_stock_threshold = models.PositiveIntegerField(_("low stock below"), default=1)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("part model")
        verbose_name_plural = _("part models")
        ordering = ["vendor", "part_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["vendor", "part_number"], name="part_model_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.vendor} {self.part_number} {self.name}"


class StockLevel(models.Model):
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="levels")
    part_model = models.ForeignKey(PartModel, on_delete=models.PROTECT, related_name="levels")
    on_hand = models.IntegerField(_("on hand"), default=0)
    reserved = models.IntegerField(_("reserved"), default=0)

    class Meta:
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        constraints = [
            models.UniqueConstraint(fields=["warehouse", "part_model"], name="stock_level_unique"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="stock_on_hand_gte_0"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="stock_reserved_gte_0"),
            models.CheckConstraint(
                condition=Q(reserved__lte=F("on_hand")), name="stock_reserved_lte_on_hand"
            ),
        ]
        indexes = [models.Index(fields=["part_model", "warehouse"], name="stock_level_part_idx")]

    def __str__(self) -> str:
        return f"{self.warehouse_id}/{self.part_model_id}: {self.on_hand}/{self.reserved}"

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class Reservation(models.Model):
    """Stock held for a purpose: a service record's spare, or another document (a meeting
    assurance's spare kit, an RMA's advance replacement), named by `purpose`."""

    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="reservations")
    part_model = models.ForeignKey(PartModel, on_delete=models.PROTECT, related_name="reservations")
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    service_record = models.ForeignKey(
        "service.ServiceRecord", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField(
        _("purpose"), max_length=100, blank=True, help_text=_("e.g. meeting-assurance:42, rma:7")
    )
    created_at = models.DateTimeField(_("reserved at"))
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        indexes = [models.Index(fields=["purpose"], name="reservation_purpose_idx")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.part_model_id} @ {self.warehouse_id}"

    @property
    def is_open(self) -> bool:
        return self.released_at is None and self.shipped_at is None


class StockMovement(models.Model):
    """One change of stock. Immutable: a correction is another movement."""

    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="movements")
    part_model = models.ForeignKey(PartModel, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(_("movement"), max_length=20, choices=MovementKind.choices)
    quantity = models.PositiveIntegerField(_("quantity"), validators=[MinValueValidator(1)])
    serial = models.CharField(_("serial number"), max_length=100, blank=True)
    reservation = models.ForeignKey(
        Reservation, null=True, blank=True, on_delete=models.PROTECT, related_name="movements"
    )
    at = models.DateTimeField(_("time"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["warehouse", "part_model", "-at"], name="movement_stock_idx"),
            models.Index(fields=["part_model", "serial"], name="movement_serial_idx"),
            # The movements list, newest first: read in index order instead of sorting
            # every movement (100,000 a warehouse) for one page.
            models.Index(fields=["-at", "-id"], name="movement_newest_idx"),
            # Which serials are in stock at a warehouse (the ship forms, shipping checks):
            # summed from the index alone, without reading the movements themselves.
            models.Index(
                fields=["warehouse", "part_model", "serial", "kind"],
                name="movement_serial_here_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.quantity} × {self.part_model_id} @ {self.warehouse_id}"


class SpareRequest(TimeStampedModel):
    """A spare for a service record (R4.2): reserved at the nearest warehouse with stock,
    shipped with a carrier and tracking number (and a serial number per unit of a serialised
    part), confirmed on arrival, or cancelled before it ships. Each step writes the record's
    spare_requested / spare_shipped / spare_arrived / spare_cancelled event, so its clocks
    follow."""

    service_record = models.ForeignKey(
        "service.ServiceRecord",
        verbose_name=_("service record"),
        on_delete=models.PROTECT,
        related_name="spare_requests",
    )
    part_model = models.ForeignKey(
        PartModel, verbose_name=_("part model"), on_delete=models.PROTECT
    )
    quantity = models.PositiveIntegerField(
        _("quantity"), default=1, validators=[MinValueValidator(1)]
    )
    reservation = models.OneToOneField(
        Reservation, on_delete=models.PROTECT, related_name="spare_request"
    )
    requested_at = models.DateTimeField(_("requested at"))
    carrier = models.CharField(_("carrier"), max_length=50, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=50, blank=True)
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("why it was cancelled"), max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("spare request")
        verbose_name_plural = _("spare requests")
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["arrived_at", "cancelled_at"], name="spare_request_open_idx")
        ]

    def __str__(self) -> str:
        return f"{self.service_record_id}: {self.part_model_id} × {self.quantity}"

    @property
    def warehouse(self) -> Warehouse:
        return self.reservation.warehouse

    @property
    def serials(self) -> list[str]:
        """The serial numbers shipped, one per unit of a serialised part: read from the
        shipped stock movements of the request's reservation (prefetch
        `reservation__movements` for a list)."""
        return sorted(
            m.serial
            for m in self.reservation.movements.all()
            if m.kind == MovementKind.SHIPPED and m.serial
        )

    @property
    def status(self) -> SpareRequestStatus:
        if self.cancelled_at:
            return SpareRequestStatus.CANCELLED
        if self.arrived_at:
            return SpareRequestStatus.ARRIVED
        if self.shipped_at:
            return SpareRequestStatus.SHIPPED
        return SpareRequestStatus.RESERVED
