"""Every change of stock, reservation and spare request goes through these functions.

Stock changes lock the (warehouse, part model) StockLevel row with SELECT … FOR UPDATE,
check that nothing would go below zero, write the movement and the new level in one
transaction. Concurrent reservations of the last unit therefore queue on that row lock
and the second one is refused; the database's check constraints back this up.

Serial numbers are checked under the same locks: a serial can leave a warehouse only while
its level is locked, so "is it in stock here?" is asked after taking that lock. A receipt
asks "is it in stock anywhere?", which no single level answers: a serialised receipt locks
the part model's row first, so two receipts of one serial queue.

Lock order, everywhere, so that no two transactions wait for each other: spare request →
reservation → part model → stock levels (by warehouse id) → service record. Every lock is
FOR NO KEY UPDATE of the queried table's rows only (`_locking`): a plain FOR UPDATE also
blocks every insert whose foreign key refers to the row (the check takes FOR KEY SHARE), and
with select_related it locks the joined warehouse and part model rows as well — a shipment
holding its warehouse row then deadlocked against a transfer holding the stock level.
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, IntegerField, Q, QuerySet, Sum, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from vcdesk.service.choices import EventType
from vcdesk.service.models import ServiceRecord
from vcdesk.service.services import EventRefused, service_record_event_add
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


class SpareRequestRefused(Exception):
    """The spare request cannot take this step now (409): it was already shipped,
    cancelled or arrived. Nothing was written."""


# What refuses a spare request's step now (409 in the API, a message on a page): the
# record's process (a spare already on its way, the record closed) or the request's state.
STEP_REFUSALS = (EventRefused, SpareRequestRefused)


SERIAL_IN = (MovementKind.RECEIVED, MovementKind.RETURNED, MovementKind.TRANSFERRED_IN)
SERIAL_OUT = (MovementKind.SHIPPED, MovementKind.SCRAPPED, MovementKind.TRANSFERRED_OUT)
RECEIPT_KINDS = (MovementKind.RECEIVED, MovementKind.RETURNED)


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _locking(queryset: QuerySet) -> QuerySet:
    """The queryset's own rows, locked FOR NO KEY UPDATE until the transaction ends."""
    return queryset.select_for_update(no_key=True, of=("self",))


def _level_locked(warehouse: Warehouse, part_model: PartModel) -> StockLevel:
    """The stock level row, created if new, locked until the transaction ends."""
    if not StockLevel.objects.filter(warehouse=warehouse, part_model=part_model).exists():
        try:
            with transaction.atomic():
                StockLevel.objects.create(warehouse=warehouse, part_model=part_model)
        except IntegrityError:  # created meanwhile by a concurrent request
            pass
    return _locking(StockLevel.objects).get(warehouse=warehouse, part_model=part_model)


def _serial_balance():
    """Per serial: units brought in minus units taken out (1 while in stock, else 0)."""
    return Sum(
        Case(
            When(kind__in=SERIAL_IN, then=Value(1)),
            When(kind__in=SERIAL_OUT, then=Value(-1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    )


def serials_in_stock(*, warehouse: Warehouse, part_model: PartModel) -> list[str]:
    """Serial numbers of a serialised part model that are in this warehouse now."""
    return serials_in_stock_at([(warehouse.pk, part_model.pk)]).get(
        (warehouse.pk, part_model.pk), []
    )


def serials_in_stock_at(pairs: list[tuple[int, int]]) -> dict[tuple[int, int], list[str]]:
    """Serial numbers in stock now, by (warehouse id, part model id), for several pairs in
    one query (a page of spare requests to ship); a pair with none is missing."""
    if not pairs:
        return {}
    where = Q()
    for warehouse_id, part_model_id in set(pairs):
        where |= Q(warehouse_id=warehouse_id, part_model_id=part_model_id)
    rows = (
        StockMovement.objects.filter(where)
        .exclude(serial="")
        .values("warehouse_id", "part_model_id", "serial")
        .annotate(balance=_serial_balance())
        .filter(balance__gt=0)
        .order_by("serial")
    )
    found: dict[tuple[int, int], list[str]] = {}
    for row in rows:
        found.setdefault((row["warehouse_id"], row["part_model_id"]), []).append(row["serial"])
    return found


def _serials_held(
    part_model: PartModel, serials: list[str], warehouse: Warehouse | None = None
) -> set[str]:
    """Which of `serials` are in stock at `warehouse`, or anywhere when it is None. One
    query over those serials' movements only (movement_serial_idx), so a transfer
    committing meanwhile (out of one warehouse, into another) is seen whole or not at all."""
    movements = StockMovement.objects.filter(part_model=part_model, serial__in=serials)
    if warehouse is not None:
        movements = movements.filter(warehouse=warehouse)
    rows = movements.values("serial").annotate(balance=_serial_balance()).filter(balance__gt=0)
    return {row["serial"] for row in rows}


def _check_quantity(quantity: int) -> None:
    if quantity < 1:
        raise ValidationError({"quantity": [_("The quantity must be at least 1.")]})


def _check_serials(part_model: PartModel, serials: list[str], quantity: int) -> list[str]:
    serials = [s.strip() for s in serials if s and s.strip()]
    if part_model.serialised and len(serials) != quantity:
        raise ValidationError(
            {
                "serials": [
                    _("Give one serial number per unit: %(quantity)d needed, %(given)d given.")
                    % {"quantity": quantity, "given": len(serials)}
                ]
            }
        )
    if not part_model.serialised and serials:
        raise ValidationError({"serials": [_("This part model has no serial numbers.")]})
    if len(set(serials)) != len(serials):
        raise ValidationError({"serials": [_("A serial number appears twice.")]})
    return serials


def _check_serials_here(warehouse: Warehouse, part_model: PartModel, serials: list[str]) -> None:
    """Refuse serials not in stock at `warehouse`. Call while holding its level's lock."""
    if not serials:
        return
    in_stock = _serials_held(part_model, serials, warehouse)
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


def _units(serials: list[str], quantity: int) -> list[tuple[int, str]]:
    """(quantity, serial) of each movement: one per serial, or one for the whole quantity."""
    return [(1, s) for s in serials] or [(quantity, "")]


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
    _check_quantity(quantity)
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
    """Stock comes in (received from a vendor, or returned): one movement per serial.
    A serial already in stock anywhere is refused."""
    if kind not in RECEIPT_KINDS:
        raise ValueError(f"A receipt is received or returned, not {kind}.")
    _check_quantity(quantity)
    serials = _check_serials(part_model, list(serials), quantity)
    if serials:
        # "In stock anywhere" spans every level of the part: the part model's row is the
        # lock that makes two receipts of one serial, into any warehouses, queue.
        _locking(PartModel.objects.only("pk")).get(pk=part_model.pk)
        held = _serials_held(part_model, serials)
        already = [s for s in serials if s in held]
        if already:
            raise ValidationError(
                {
                    "serials": [
                        _("Serial number %(serial)s is already in stock.") % {"serial": s}
                        for s in already
                    ]
                }
            )
    return [
        _move(
            warehouse=warehouse,
            part_model=part_model,
            kind=kind,
            quantity=qty,
            serial=serial,
            actor=actor,
            note=note,
        )
        for qty, serial in _units(serials, quantity)
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
    """Hold available stock for a service record or another document (`purpose`)."""
    _check_quantity(quantity)
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
def stock_release(reservation: Reservation, *, actor, note: str = "") -> Reservation:
    """Give reserved stock back to available (the spare is no longer needed)."""
    reservation = (
        _locking(Reservation.objects)
        .select_related("part_model", "warehouse")
        .get(pk=reservation.pk)
    )
    if not reservation.is_open:
        raise ValidationError(_("The reservation was already shipped or released."))
    movement = _move(
        warehouse=reservation.warehouse,
        part_model=reservation.part_model,
        kind=MovementKind.RELEASED,
        quantity=reservation.quantity,
        reservation=reservation,
        actor=actor,
        note=note,
    )
    reservation.released_at = movement.at
    reservation.save(update_fields=["released_at"])
    return reservation


@transaction.atomic
def stock_ship(
    reservation: Reservation, *, actor, serials: list[str] = (), at: datetime | None = None
) -> list[StockMovement]:
    """Ship reserved stock out of its warehouse (with the serials shipped, if serialised)."""
    reservation = (
        _locking(Reservation.objects)
        .select_related("part_model", "warehouse")
        .get(pk=reservation.pk)
    )
    if not reservation.is_open:
        raise ValidationError(_("The reservation was already shipped or released."))
    part_model, warehouse = reservation.part_model, reservation.warehouse
    serials = _check_serials(part_model, list(serials), reservation.quantity)
    _level_locked(warehouse, part_model)
    _check_serials_here(warehouse, part_model, serials)
    at = at or timezone.now()
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
        for quantity, serial in _units(serials, reservation.quantity)
    ]
    reservation.shipped_at = at
    reservation.save(update_fields=["shipped_at"])
    return movements


@transaction.atomic
def stock_scrap(
    *,
    warehouse: Warehouse,
    part_model: PartModel,
    quantity: int,
    serials: list[str] = (),
    actor,
    note: str = "",
) -> list[StockMovement]:
    """Write off available stock (damaged, obsolete): one movement per serial."""
    _check_quantity(quantity)
    serials = _check_serials(part_model, list(serials), quantity)
    _level_locked(warehouse, part_model)
    _check_serials_here(warehouse, part_model, serials)
    return [
        _move(
            warehouse=warehouse,
            part_model=part_model,
            kind=MovementKind.SCRAPPED,
            quantity=qty,
            serial=serial,
            actor=actor,
            note=note,
        )
        for qty, serial in _units(serials, quantity)
    ]


@transaction.atomic
def stock_transfer(
    *,
    from_warehouse: Warehouse,
    to_warehouse: Warehouse,
    part_model: PartModel,
    quantity: int,
    serials: list[str] = (),
    actor,
) -> list[StockMovement]:
    """Move available stock from one warehouse to another: a transferred-out movement
    there and a transferred-in one here, per serial."""
    if from_warehouse.pk == to_warehouse.pk:
        raise ValidationError({"to_warehouse": [_("Choose another warehouse.")]})
    _check_quantity(quantity)
    serials = _check_serials(part_model, list(serials), quantity)
    # Lock both levels in a fixed order so that two opposite transfers cannot deadlock.
    for warehouse in sorted((from_warehouse, to_warehouse), key=lambda w: w.pk):
        _level_locked(warehouse, part_model)
    _check_serials_here(from_warehouse, part_model, serials)
    at = timezone.now()
    movements = []
    for qty, serial in _units(serials, quantity):
        for warehouse, kind in (
            (from_warehouse, MovementKind.TRANSFERRED_OUT),
            (to_warehouse, MovementKind.TRANSFERRED_IN),
        ):
            movements.append(
                _move(
                    warehouse=warehouse,
                    part_model=part_model,
                    kind=kind,
                    quantity=qty,
                    serial=serial,
                    at=at,
                    actor=actor,
                )
            )
    return movements


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


def _reserve_nearest(
    *, service_record: ServiceRecord, part_model: PartModel, quantity: int, actor
) -> Reservation:
    """Reserve at the nearest warehouse that has the stock. The distances are read without
    a lock; a warehouse emptied meanwhile by a concurrent request is refused under its lock,
    in a savepoint, and the next nearest is tried."""
    candidates = warehouses_by_distance(
        part_model=part_model, quantity=quantity, city=service_record.site.city
    )
    for warehouse, _available, _km in candidates:
        try:
            with transaction.atomic():
                return stock_reserve(
                    warehouse=warehouse,
                    part_model=part_model,
                    quantity=quantity,
                    actor=actor,
                    service_record=service_record,
                )
        except ValidationError:
            continue
    raise ValidationError(
        {
            "part_model": [
                _("No warehouse has %(quantity)d of %(part_model)s available.")
                % {"quantity": quantity, "part_model": part_model}
            ]
        }
    )


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
    write the record's spare_requested event (its spare clocks start). When the record's
    process refuses the event (a spare is already on its way, the record is closed), the
    reservation is undone with it: EventRefused, and nothing is written."""
    _check_quantity(quantity)
    if warehouse is None:
        reservation = _reserve_nearest(
            service_record=service_record, part_model=part_model, quantity=quantity, actor=actor
        )
    elif not warehouse.active:
        raise ValidationError({"warehouse": [_("This warehouse is not in use.")]})
    else:
        reservation = stock_reserve(
            warehouse=warehouse,
            part_model=part_model,
            quantity=quantity,
            actor=actor,
            service_record=service_record,
        )
    warehouse = reservation.warehouse
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


def _locked_request(request: SpareRequest) -> SpareRequest:
    return (
        _locking(SpareRequest.objects)
        .select_related("reservation", "part_model", "service_record")
        .get(pk=request.pk)
    )


@transaction.atomic
def spare_request_ship(
    request: SpareRequest,
    *,
    carrier: str,
    tracking_number: str,
    serials: list[str] = (),
    serial: str = "",
    actor,
) -> SpareRequest:
    """Ship the reserved spare (writes the record's spare_shipped event). A serialised part
    ships with one serial number per unit, each in stock at the request's warehouse
    (`serial` is the one serial of a one-unit request, a shorthand for `serials=[serial]`)."""
    request = _locked_request(request)
    if request.shipped_at or request.cancelled_at:
        raise SpareRequestRefused(_("The spare was already shipped or cancelled."))
    errors = {}
    if not carrier.strip():
        errors["carrier"] = [_("Name the carrier.")]
    if not tracking_number.strip():
        errors["tracking_number"] = [_("Give the tracking number.")]
    if errors:
        raise ValidationError(errors)
    movements = stock_ship(
        request.reservation, actor=actor, serials=[*serials, serial] if serial else serials
    )
    request.reservation.refresh_from_db(fields=["shipped_at"])
    event = service_record_event_add(
        request.service_record,
        type=EventType.SPARE_SHIPPED,
        at=movements[0].at,
        note=f"{carrier.strip()} {tracking_number.strip()}",
        actor=actor,
    )
    request.carrier, request.tracking_number = carrier.strip(), tracking_number.strip()
    request.shipped_at = event.at
    request._history_user = _user(actor)
    request.save()
    return request


@transaction.atomic
def spare_request_arrive(
    request: SpareRequest, *, actor, at: datetime | None = None
) -> SpareRequest:
    """The spare reached the meeting room (writes the record's spare_arrived event)."""
    request = _locked_request(request)
    if request.shipped_at is None or request.arrived_at is not None:
        raise SpareRequestRefused(_("Only a shipped spare that has not arrived can arrive."))
    event = service_record_event_add(
        request.service_record, type=EventType.SPARE_ARRIVED, at=at, actor=actor
    )
    request.arrived_at = event.at
    request._history_user = _user(actor)
    request.save()
    return request


@transaction.atomic
def spare_request_cancel(request: SpareRequest, *, reason: str, actor) -> SpareRequest:
    """Withdraw a spare request before it ships (the fault was fixed otherwise, the wrong
    part was asked for): its reservation is released — a `released` movement gives the
    stock back to available — and the record's spare_cancelled event stops its spare
    clocks. Refused (SpareRequestRefused) once shipped, or when already cancelled."""
    request = _locked_request(request)
    if request.cancelled_at:
        raise SpareRequestRefused(_("The spare request was already cancelled."))
    if request.shipped_at:
        raise SpareRequestRefused(
            _("The spare has already shipped; it can no longer be cancelled.")
        )
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the spare is no longer needed.")]})
    # Lock order: the reservation and its stock level before the service record.
    reservation = stock_release(request.reservation, actor=actor, note=reason)
    event = service_record_event_add(
        request.service_record, type=EventType.SPARE_CANCELLED, note=reason, actor=actor
    )
    request.cancelled_at, request.cancel_reason = event.at, reason
    request.reservation = reservation
    request._history_user = _user(actor)
    request.save()
    return request


@transaction.atomic
def stock_levels_rebuild() -> int:
    """Make every StockLevel what its movements add up to; returns how many levels were
    wrong (0 is the expected answer: it is a check). Locks every level while it works, so
    no movement is written meanwhile."""
    levels = {
        (level.warehouse_id, level.part_model_id): level
        for level in _locking(StockLevel.objects).order_by("warehouse_id", "id")
    }
    totals: dict[tuple[int, int], list[int]] = {key: [0, 0] for key in levels}
    for row in StockMovement.objects.values("warehouse_id", "part_model_id", "kind").annotate(
        q=Sum("quantity")
    ):
        on_hand, reserved = MOVEMENT_EFFECT[MovementKind(row["kind"])]
        total = totals.setdefault((row["warehouse_id"], row["part_model_id"]), [0, 0])
        total[0] += on_hand * row["q"]
        total[1] += reserved * row["q"]
    changed = 0
    for (warehouse_id, part_model_id), (on_hand, reserved) in totals.items():
        level = levels.get((warehouse_id, part_model_id))
        if level is None:
            StockLevel.objects.create(
                warehouse_id=warehouse_id,
                part_model_id=part_model_id,
                on_hand=on_hand,
                reserved=reserved,
            )
        elif (level.on_hand, level.reserved) != (on_hand, reserved):
            level.on_hand, level.reserved = on_hand, reserved
            level.save(update_fields=["on_hand", "reserved"])
        else:
            continue
        changed += 1
    return changed
