"""Every change of stock, reservation and spare request goes through these functions.

Stock changes lock the (warehouse, part model) StockLevel row with SELECT … FOR UPDATE,
check that nothing would go below zero, write the movement and the new level in one
transaction. Concurrent reservations of the last unit therefore queue on that row lock
and the second one is refused; the database's check constraints back this up.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, IntegerField, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from vcdesk.service.choices import EventType
from vcdesk.service.models import ServiceRecord
from vcdesk.service.services import service_record_event_add
from vcdesk.spares.choices import MOVEMENT_EFFECT, MovementKind, WarehouseKind
from vcdesk.spares.cities import distance_km
from vcdesk.spares.models import (
    PartModel,
    Reservation,
    SpareRequest,
    StockLevel,
    StockMovement,
    Warehouse,
)

SERIAL_IN = (MovementKind.RECEIVED, MovementKind.RETURNED, MovementKind.TRANSFERRED_IN)
SERIAL_OUT = (MovementKind.SHIPPED, MovementKind.SCRAPPED, MovementKind.TRANSFERRED_OUT)


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _level_locked(warehouse: Warehouse, part_model: PartModel) -> StockLevel:
    """The stock level row, created if new, locked until the transaction ends."""
    if not StockLevel.objects.filter(warehouse=warehouse, part_model=part_model).exists():
        try:
            with transaction.atomic():
                StockLevel.objects.create(warehouse=warehouse, part_model=part_model)
        except IntegrityError:  # created meanwhile by a concurrent request
            pass
    return StockLevel.objects.select_for_update().get(warehouse=warehouse, part_model=part_model)


def serials_in_stock(*, warehouse: Warehouse, part_model: PartModel) -> list[str]:
    """Serial numbers of a serialised part model that are in this warehouse now."""
    balance = Sum(
        Case(
            When(kind__in=SERIAL_IN, then=Value(1)),
            When(kind__in=SERIAL_OUT, then=Value(-1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    )
    rows = (
        StockMovement.objects.filter(warehouse=warehouse, part_model=part_model)
        .exclude(serial="")
        .values("serial")
        .annotate(balance=balance)
        .filter(balance__gt=0)
        .order_by("serial")
    )
    return [row["serial"] for row in rows]


def _serial_anywhere(part_model: PartModel, serial: str) -> bool:
    return any(
        serial in serials_in_stock(warehouse=w, part_model=part_model)
        for w in Warehouse.objects.filter(
            movements__part_model=part_model, movements__serial=serial
        ).distinct()
    )


def _move(
    *,
    warehouse: Warehouse,
    part_model: PartModel,
    kind: MovementKind,
    quantity: int,
    actor,
    at: datetime | None = None,
    serial: str = "",
    reservation: Reservation | None = None,
    note: str = "",
) -> StockMovement:
    """Apply one movement to the locked stock level. Call inside transaction.atomic."""
    if quantity < 1:
        raise ValidationError({"quantity": [_("The quantity must be at least 1.")]})
    level = _level_locked(warehouse, part_model)
    on_hand_per_unit, reserved_per_unit = MOVEMENT_EFFECT[kind]
    on_hand = level.on_hand + on_hand_per_unit * quantity
    reserved = level.reserved + reserved_per_unit * quantity
    if on_hand < 0 or reserved < 0 or reserved > on_hand:
        raise ValidationError(
            {
                "quantity": [
                    _("Only %(available)d available in %(warehouse)s.")
                    % {"available": level.available, "warehouse": warehouse.name}
                ]
            }
        )
    level.on_hand, level.reserved = on_hand, reserved
    level.save(update_fields=["on_hand", "reserved"])
    return StockMovement.objects.create(
        warehouse=warehouse,
        part_model=part_model,
        kind=kind,
        quantity=quantity,
        serial=serial,
        reservation=reservation,
        at=at or timezone.now(),
        note=note,
        actor=_user(actor),
    )


def _check_serials(part_model: PartModel, serials: list[str], quantity: int) -> list[str]:
    serials = [s.strip() for s in serials if s and s.strip()]
    if part_model.serialised and len(serials) != quantity:
        raise ValidationError(
            {"serials": [_("A serialised part needs one serial number per unit.")]}
        )
    if not part_model.serialised and serials:
        raise ValidationError({"serials": [_("This part model has no serial numbers.")]})
    if len(set(serials)) != len(serials):
        raise ValidationError({"serials": [_("A serial number appears twice.")]})
    return serials


@transaction.atomic
def stock_receive(
    *,
    warehouse: Warehouse,
    part_model: PartModel,
    quantity: int,
    serials: list[str] = (),
    actor,
    note: str = "",
    kind: MovementKind = MovementKind.RECEIVED,
) -> list[StockMovement]:
    """Stock comes in (received from a vendor, or returned): one movement per serial."""
    serials = _check_serials(part_model, list(serials), quantity)
    for serial in serials:
        if _serial_anywhere(part_model, serial):
            raise ValidationError(
                {
                    "serials": [
                        _("Serial number %(serial)s is already in stock.") % {"serial": serial}
                    ]
                }
            )
    if serials:
        return [
            _move(
                warehouse=warehouse,
                part_model=part_model,
                kind=kind,
                quantity=1,
                serial=s,
                actor=actor,
                note=note,
            )
            for s in serials
        ]
    return [
        _move(
            warehouse=warehouse,
            part_model=part_model,
            kind=kind,
            quantity=quantity,
            actor=actor,
            note=note,
        )
    ]


@transaction.atomic
def stock_reserve(
    *,
    warehouse: Warehouse,
    part_model: PartModel,
    quantity: int,
    actor,
    service_record: ServiceRecord | None = None,
    purpose: str = "",
) -> Reservation:
    """Hold stock for a service record or another document (`purpose`)."""
    now = timezone.now()
    reservation = Reservation.objects.create(
        warehouse=warehouse,
        part_model=part_model,
        quantity=quantity,
        service_record=service_record,
        purpose=purpose,
        created_at=now,
        actor=_user(actor),
    )
    _move(
        warehouse=warehouse,
        part_model=part_model,
        kind=MovementKind.RESERVED,
        quantity=quantity,
        reservation=reservation,
        at=now,
        actor=actor,
    )
    return reservation


@transaction.atomic
def stock_release(reservation: Reservation, *, actor) -> Reservation:
    reservation = Reservation.objects.select_for_update().get(pk=reservation.pk)
    if not reservation.is_open:
        raise ValidationError(_("The reservation was already shipped or released."))
    _move(
        warehouse=reservation.warehouse,
        part_model=reservation.part_model,
        kind=MovementKind.RELEASED,
        quantity=reservation.quantity,
        reservation=reservation,
        actor=actor,
    )
    reservation.released_at = timezone.now()
    reservation.save(update_fields=["released_at"])
    return reservation


@transaction.atomic
def stock_ship(
    reservation: Reservation, *, actor, serials: list[str] = (), at: datetime | None = None
) -> list[StockMovement]:
    """Ship reserved stock out of its warehouse (with the serials shipped, if serialised)."""
    reservation = (
        Reservation.objects.select_for_update()
        .select_related("part_model", "warehouse")
        .get(pk=reservation.pk)
    )
    if not reservation.is_open:
        raise ValidationError(_("The reservation was already shipped or released."))
    part_model, warehouse = reservation.part_model, reservation.warehouse
    serials = _check_serials(part_model, list(serials), reservation.quantity)
    in_stock = (
        set(serials_in_stock(warehouse=warehouse, part_model=part_model)) if serials else set()
    )
    missing = [s for s in serials if s not in in_stock]
    if missing:
        raise ValidationError(
            {
                "serials": [
                    _("Not in stock at %(warehouse)s: %(serials)s.")
                    % {"warehouse": warehouse.name, "serials": ", ".join(missing)}
                ]
            }
        )
    at = at or timezone.now()
    units = [(1, s) for s in serials] or [(reservation.quantity, "")]
    movements = [
        _move(
            warehouse=warehouse,
            part_model=part_model,
            kind=MovementKind.SHIPPED,
            quantity=quantity,
            serial=serial,
            reservation=reservation,
            at=at,
            actor=actor,
        )
        for quantity, serial in units
    ]
    reservation.shipped_at = at
    reservation.save(update_fields=["shipped_at"])
    return movements


@transaction.atomic
def stock_transfer(
    *,
    from_warehouse: Warehouse,
    to_warehouse: Warehouse,
    part_model: PartModel,
    quantity: int,
    serials: list[str] = (),
    actor,
) -> None:
    """Move available stock from one warehouse to another."""
    if from_warehouse.pk == to_warehouse.pk:
        raise ValidationError({"to_warehouse": [_("Choose another warehouse.")]})
    serials = _check_serials(part_model, list(serials), quantity)
    in_stock = set(serials_in_stock(warehouse=from_warehouse, part_model=part_model))
    if any(s not in in_stock for s in serials):
        raise ValidationError({"serials": [_("A serial number is not in stock there.")]})
    units = [(1, s) for s in serials] or [(quantity, "")]
    # Lock both levels in a fixed order so that two opposite transfers cannot deadlock.
    for warehouse in sorted((from_warehouse, to_warehouse), key=lambda w: w.pk):
        _level_locked(warehouse, part_model)
    for qty, serial in units:
        _move(
            warehouse=from_warehouse,
            part_model=part_model,
            kind=MovementKind.TRANSFERRED_OUT,
            quantity=qty,
            serial=serial,
            actor=actor,
        )
        _move(
            warehouse=to_warehouse,
            part_model=part_model,
            kind=MovementKind.TRANSFERRED_IN,
            quantity=qty,
            serial=serial,
            actor=actor,
        )


def warehouses_by_distance(
    *, part_model: PartModel, quantity: int, city: str
) -> list[tuple[Warehouse, int, float]]:
    """Warehouses with `quantity` available, nearest first (a regional warehouse before the
    vendor's bonded warehouse at the same distance): (warehouse, available, km)."""
    levels = StockLevel.objects.filter(
        part_model=part_model, warehouse__active=True
    ).select_related("warehouse")
    candidates = [
        (level.warehouse, level.available, distance_km(level.warehouse.city, city))
        for level in levels
        if level.available >= quantity
    ]
    return sorted(candidates, key=lambda c: (c[2], c[0].kind != WarehouseKind.REGIONAL, c[0].pk))


@transaction.atomic
def spare_request_create(
    *,
    service_record: ServiceRecord,
    part_model: PartModel,
    quantity: int = 1,
    warehouse: Warehouse | None = None,
    actor,
    note: str = "",
) -> SpareRequest:
    """Reserve a spare for a record at `warehouse`, or at the nearest one with stock, and
    write the record's spare_requested event (its spare clocks start)."""
    if warehouse is None:
        nearest = warehouses_by_distance(
            part_model=part_model, quantity=quantity, city=service_record.site.city
        )
        if not nearest:
            raise ValidationError(
                {
                    "part_model": [
                        _("No warehouse has %(quantity)d available.") % {"quantity": quantity}
                    ]
                }
            )
        warehouse = nearest[0][0]
    reservation = stock_reserve(
        warehouse=warehouse,
        part_model=part_model,
        quantity=quantity,
        actor=actor,
        service_record=service_record,
    )
    event = service_record_event_add(
        service_record,
        type=EventType.SPARE_REQUESTED,
        note=note or f"{part_model} × {quantity} @ {warehouse.name}",
        actor=actor,
    )
    request = SpareRequest(
        service_record=service_record,
        part_model=part_model,
        quantity=quantity,
        reservation=reservation,
        requested_at=event.at,
    )
    request._history_user = _user(actor)
    request.save()
    return request


@transaction.atomic
def spare_request_ship(
    request: SpareRequest, *, carrier: str, tracking_number: str, serial: str = "", actor
) -> SpareRequest:
    """Ship the reserved spare (writes the record's spare_shipped event)."""
    request = (
        SpareRequest.objects.select_for_update()
        .select_related("reservation", "part_model")
        .get(pk=request.pk)
    )
    errors = {}
    if not carrier.strip():
        errors["carrier"] = [_("Name the carrier.")]
    if not tracking_number.strip():
        errors["tracking_number"] = [_("Give the tracking number.")]
    if request.shipped_at or request.cancelled_at:
        errors["__all__"] = [_("The spare was already shipped or cancelled.")]
    if errors:
        raise ValidationError(errors)
    movements = stock_ship(request.reservation, actor=actor, serials=[serial] if serial else [])
    event = service_record_event_add(
        request.service_record,
        type=EventType.SPARE_SHIPPED,
        at=movements[0].at,
        note=f"{carrier} {tracking_number}",
        actor=actor,
    )
    request.carrier, request.tracking_number, request.serial = (
        carrier.strip(),
        tracking_number.strip(),
        serial.strip(),
    )
    request.shipped_at = event.at
    request._history_user = _user(actor)
    request.save()
    return request


@transaction.atomic
def spare_request_arrive(
    request: SpareRequest, *, actor, at: datetime | None = None
) -> SpareRequest:
    """The spare reached the meeting room (writes the record's spare_arrived event)."""
    request = SpareRequest.objects.select_for_update().get(pk=request.pk)
    if request.shipped_at is None or request.arrived_at is not None:
        raise ValidationError(_("Only a shipped spare that has not arrived can arrive."))
    event = service_record_event_add(
        request.service_record, type=EventType.SPARE_ARRIVED, at=at, actor=actor
    )
    request.arrived_at = event.at
    request._history_user = _user(actor)
    request.save()
    return request


def stock_levels_rebuild() -> int:
    """Recompute every StockLevel from the movements (a check: nothing should change)."""
    changed = 0
    totals: dict[tuple[int, int], list[int]] = {}
    for row in StockMovement.objects.values("warehouse_id", "part_model_id", "kind").annotate(
        q=Sum("quantity")
    ):
        on_hand, reserved = MOVEMENT_EFFECT[MovementKind(row["kind"])]
        total = totals.setdefault((row["warehouse_id"], row["part_model_id"]), [0, 0])
        total[0] += on_hand * row["q"]
        total[1] += reserved * row["q"]
    with transaction.atomic():
        for (warehouse_id, part_model_id), (on_hand, reserved) in totals.items():
            changed += (
                StockLevel.objects.filter(warehouse_id=warehouse_id, part_model_id=part_model_id)
                .exclude(on_hand=on_hand, reserved=reserved)
                .update(on_hand=on_hand, reserved=reserved)
            )
    return changed
