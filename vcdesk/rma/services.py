"""Every change to RMAs, quotes and orders goes through these functions.

An RMA moves only by events: `rma_event_add` locks the RMA, folds its events to check that
the step can happen now (else `RmaEventRefused`, answered 409), writes the event, fills the
lines' times the step stands for, and stores the derived status and "faulty unit owed" — all
in one transaction. Stock moves only through vcdesk.spares.services.

Errors about a line name it by its place: `products.0.serial`, `lines.1.unit_price` (the API
answers them with `loc` ["body", "lines", 1, "unit_price"]).
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from vcdesk.assets.models import Device
from vcdesk.assets.selectors import device_entitlement
from vcdesk.calendars.workdays import BEIJING
from vcdesk.core.numbers import next_number
from vcdesk.customers.models import Organisation
from vcdesk.rma import process
from vcdesk.rma.choices import QuoteLineKind, RmaEventType, RmaStatus, RmaStep
from vcdesk.rma.models import (
    DocumentNumberSequence,
    Order,
    Quote,
    QuoteLine,
    Rma,
    RmaEvent,
    RmaPart,
    RmaProduct,
)
from vcdesk.service.models import ServiceRecord
from vcdesk.spares.models import PartModel, Warehouse
from vcdesk.spares.services import serials_in_stock, stock_reserve, stock_ship

# How far ahead of the server's clock a given time may be (clock skew), as for service records.
FUTURE_TOLERANCE = timedelta(minutes=5)
FEN = Decimal("0.01")

RMA_PREFIX, QUOTE_PREFIX, ORDER_PREFIX = "RMA", "QT", "ORD"


class RmaEventRefused(Exception):
    """The step cannot happen now (409); nothing was written."""


class QuoteRefused(Exception):
    """The quote cannot be sent, accepted or declined now (409); nothing was written."""


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _aware(moment: datetime | None) -> datetime | None:
    if moment is not None and timezone.is_naive(moment):
        return timezone.make_aware(moment, BEIJING)
    return moment


def _resolve(model: type[Model], value, field: str, errors: dict, message: str):
    """`value` as an instance of `model` (given as one, or by primary key); None when
    absent; an error on `field` when no such row exists."""
    if value is None or value == "":
        return None
    if isinstance(value, model):
        return value
    found = model.objects.filter(pk=value).first() if isinstance(value, int) else None
    if found is None:
        errors[field] = [message]
    return found


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _not_in_future(moment: datetime | None, field: str, errors: dict, now: datetime) -> None:
    if moment is not None and moment > now + FUTURE_TOLERANCE:
        errors[field] = [_("The time is in the future.")]


def _next_number(prefix: str, year: int) -> str:
    """PREFIX-YYYY-NNNN, numbered per year. Call inside a transaction: the year's row stays
    locked until it ends, so concurrent calls queue for the next number."""
    key = f"{prefix}-{year}"
    last = next_number(DocumentNumberSequence, key)
    return f"{key}-{last:04d}"


def _model_errors(instance: Model, prefix: str, exclude: list[str]) -> dict:
    """The instance's field errors (lengths, validators), keyed `prefix` + field."""
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        return {f"{prefix}{field}": messages for field, messages in exc.message_dict.items()}
    return {}


# --- RMAs -------------------------------------------------------------------------------------


def _product_line(organisation: Organisation | None, line: dict, i: int, errors: dict):
    """One 维修产品情况 line, linked to the customer's device when it is known (given, or
    found by its serial number)."""
    prefix = f"products.{i}."
    device = _resolve(Device, line.get("device"), prefix + "device", errors, _("No such device."))
    serial = (line.get("serial") or "").strip()
    device_model = (line.get("device_model") or "").strip()
    if device is not None and organisation is not None:
        if device.organisation_id != organisation.pk:
            errors[prefix + "device"] = [_("The device belongs to another customer unit.")]
    elif device is None and serial and organisation is not None:
        same_serial = Device.objects.select_related("model").filter(
            organisation=organisation, serial=serial
        )
        matches = list(same_serial[:2])  # one vendor's serial only: two would be a guess
        device = matches[0] if len(matches) == 1 else None
    if device is not None:
        serial = serial or device.serial
        device_model = device_model or str(device.model)
    product = RmaProduct(
        device=device,
        device_model=device_model,
        serial=serial,
        quantity=1 if line.get("quantity") is None else line["quantity"],
    )
    errors.update(_model_errors(product, prefix, exclude=["rma", "device"]))
    return product


@transaction.atomic
def rma_create(
    *,
    contact_name: str,
    phone: str,
    consignee: str,
    address: str,
    post_code: str,
    fault_symptom: str,
    organisation: Organisation | int | None = None,
    service_record: ServiceRecord | int | None = None,
    date: date | None = None,
    requested_at: datetime | None = None,
    fax: str = "",
    cause_and_measures: str = "",
    products: list[dict[str, Any]] | None = None,
    actor,
) -> Rma:
    """File a repair request (设备维修申请表) with its product lines; numbered RMA-YYYY-NNNN.
    From a service record the customer unit and, without lines, the record's device follow."""
    now = timezone.now()
    errors: dict = {}
    requested_at = _aware(requested_at) or now
    _not_in_future(requested_at, "requested_at", errors, now)
    record = _resolve(
        ServiceRecord, service_record, "service_record", errors, _("No such service record.")
    )
    organisation = _resolve(
        Organisation, organisation, "organisation", errors, _("No such customer unit.")
    )
    if record is not None:
        if organisation is not None and organisation.pk != record.organisation_id:
            errors["organisation"] = [_("The service record is another customer unit's.")]
        organisation = record.organisation
        if not products:
            products = [{"device": record.device}]
    elif organisation is None and "organisation" not in errors:
        errors["organisation"] = [_("Name the customer unit.")]
    form_date = date or requested_at.astimezone(BEIJING).date()
    if form_date > now.astimezone(BEIJING).date():
        errors["date"] = [_("The date is in the future.")]
    user = _user(actor)
    rma = Rma(
        number="-",
        filler=user,
        service_record=record,
        date=form_date,
        requested_at=requested_at,
        organisation=organisation,
        contact_name=contact_name.strip(),
        phone=phone.strip(),
        fax=fax.strip(),
        consignee=consignee.strip(),
        address=address.strip(),
        post_code=post_code.strip(),
        fault_symptom=fault_symptom.strip(),
        cause_and_measures=cause_and_measures.strip(),
    )
    errors.update(
        {
            field: messages
            for field, messages in _model_errors(
                rma, "", exclude=["number", "filler", "service_record", "organisation"]
            ).items()
            if field not in errors
        }
    )
    if user is None:
        errors["filler"] = [_("Sign in to fill in the form.")]
    if not products:
        errors["products"] = [_("Name the faulty unit: at least one product line.")]
    lines = [_product_line(organisation, line, i, errors) for i, line in enumerate(products or [])]
    _raise(errors)

    rma.number = _next_number(RMA_PREFIX, form_date.year)
    rma._history_user = user
    rma.save()
    for line in lines:
        line.rma = rma
        line._history_user = user
        line.save()
    RmaEvent.objects.create(rma=rma, type=RmaEventType.REQUESTED, at=requested_at, actor=user)
    return rma


RMA_EDITABLE = frozenset(
    {
        "service_record",
        "date",
        "contact_name",
        "phone",
        "fax",
        "consignee",
        "address",
        "post_code",
        "fault_symptom",
        "cause_and_measures",
    }
)


@transaction.atomic
def rma_update(rma: Rma, *, actor, **changes) -> Rma:
    """Change the form's fields (not its number, customer unit or lines' steps)."""
    unknown = set(changes) - RMA_EDITABLE
    if unknown:
        raise ValidationError({field: [_("This field cannot be changed.")] for field in unknown})
    rma = Rma.objects.select_for_update().get(pk=rma.pk)
    errors: dict = {}
    if "service_record" in changes:
        record = _resolve(
            ServiceRecord,
            changes.pop("service_record"),
            "service_record",
            errors,
            _("No such service record."),
        )
        if record is not None and record.organisation_id != rma.organisation_id:
            errors["service_record"] = [_("The service record is another customer unit's.")]
        rma.service_record = record
    if changes.get("date") and changes["date"] > timezone.localdate(timezone=BEIJING):
        errors["date"] = [_("The date is in the future.")]
    for field, value in changes.items():
        setattr(rma, field, value.strip() if isinstance(value, str) else value)
    errors.update(
        {
            f: m
            for f, m in _model_errors(rma, "", exclude=["filler", "organisation"]).items()
            if f not in errors
        }
    )
    _raise(errors)
    rma._history_user = _user(actor)
    rma.save()
    return rma


@transaction.atomic
def rma_product_add(
    rma: Rma,
    *,
    device: Device | int | None = None,
    device_model: str = "",
    serial: str = "",
    quantity: int = 1,
    actor,
) -> RmaProduct:
    """Another faulty unit on the same form."""
    rma = Rma.objects.select_for_update().select_related("organisation").get(pk=rma.pk)
    errors: dict = {}
    line = {"device": device, "device_model": device_model, "serial": serial, "quantity": quantity}
    product = _product_line(rma.organisation, line, 0, errors)
    # A single line: its errors are the fields', without the place.
    _raise({key.removeprefix("products.0."): value for key, value in errors.items()})
    if rma.status == RmaStatus.CLOSED:
        raise RmaEventRefused(_("The RMA is closed; nothing can happen after that."))
    product.rma = rma
    product._history_user = _user(actor)
    product.save()
    return product


def rma_state(rma: Rma) -> process.RmaState:
    state = process.RmaState()
    for event_type, at in rma.events.order_by("at", "id").values_list("type", "at"):
        state = process.fold(state, RmaEventType(event_type), at)
    return state


def _refresh_derived(rma: Rma, state: process.RmaState, user) -> None:
    rma.status = state.status
    rma.owed_since = state.owed_since
    rma._history_user = user
    rma.save(update_fields=["status", "owed_since", "updated_at"])


@transaction.atomic
def rma_event_add(
    rma: Rma, *, type: RmaStep | str, at: datetime | None = None, note: str = "", actor
) -> RmaEvent:
    """Record one step of the flow. Raises RmaEventRefused (nothing written) when the step
    cannot happen now; ValidationError on bad input. The step fills the lines' times it
    stands for: received (收到时间), returned to the bonded warehouse (返回保税库时间), and
    for replacement parts that are not advance replacements, returned to the user."""
    try:
        step = RmaStep(type)
    except ValueError as exc:
        raise ValidationError({"type": [_("No such step.")]}) from exc
    event_type = RmaEventType(step.value)
    now = timezone.now()
    at = _aware(at) or now
    errors: dict = {}
    _not_in_future(at, "at", errors, now)
    _raise(errors)
    rma = Rma.objects.select_for_update().get(pk=rma.pk)
    state = rma_state(rma)
    reason = process.refusal(state, event_type, at)
    if reason:
        raise RmaEventRefused(reason)
    user = _user(actor)
    event = RmaEvent.objects.create(rma=rma, type=event_type, at=at, note=note, actor=user)
    if step == RmaStep.FAULTY_RECEIVED:
        _stamp(rma.products.filter(received_at__isnull=True), "received_at", at, user)
    elif step == RmaStep.SENT_TO_VENDOR:
        _stamp(
            rma.products.filter(returned_to_bonded_at__isnull=True),
            "returned_to_bonded_at",
            at,
            user,
        )
    elif step == RmaStep.RETURNED_TO_USER:
        _stamp(
            rma.parts.filter(returned_to_user_at__isnull=True, advance=False),
            "returned_to_user_at",
            at,
            user,
        )
    _refresh_derived(rma, process.fold(state, event_type, at), user)
    return event


def _stamp(lines, field: str, at: datetime, user) -> None:
    for line in lines:  # one by one, so that each change is kept in the line's history
        setattr(line, field, at)
        line._history_user = user
        line.save(update_fields=[field])


def _times_in_order(
    arrived_at: datetime | None, returned_at: datetime | None, errors: dict, now: datetime
) -> None:
    _not_in_future(arrived_at, "arrived_at", errors, now)
    _not_in_future(returned_at, "returned_to_user_at", errors, now)
    if arrived_at and returned_at and returned_at < arrived_at:
        errors["returned_to_user_at"] = [
            _("The part cannot go back to the user before it arrived.")
        ]


@transaction.atomic
def rma_advance_replacement(
    rma: Rma,
    *,
    warehouse: Warehouse | int,
    part_model: PartModel | int,
    serial: str = "",
    at: datetime | None = None,
    arrived_at: datetime | None = None,
    note: str = "",
    actor,
) -> RmaPart:
    """Ship a replacement before the faulty unit is received (先行发货, R4.4): reserve and
    ship one unit from `warehouse` (typically the vendor's bonded warehouse) through the
    spares services, at `at` (default now), record it as a replacement-part line, and track
    the faulty unit as owed until it is received. A serialised part without a serial ships
    the first one in stock."""
    now = timezone.now()
    errors: dict = {}
    warehouse = _resolve(Warehouse, warehouse, "warehouse", errors, _("No such warehouse."))
    part_model = _resolve(PartModel, part_model, "part_model", errors, _("No such part model."))
    at, arrived_at = _aware(at) or now, _aware(arrived_at)
    _not_in_future(at, "at", errors, now)
    _times_in_order(arrived_at, None, errors, now)
    _raise(errors)
    rma = Rma.objects.select_for_update().get(pk=rma.pk)
    state = rma_state(rma)
    reason = process.refusal(state, RmaEventType.ADVANCE_SHIPPED, at)
    if reason:
        raise RmaEventRefused(reason)
    serial = serial.strip()
    if part_model.serialised and not serial:
        in_stock = serials_in_stock(warehouse=warehouse, part_model=part_model)
        if not in_stock:
            raise ValidationError(
                {
                    "warehouse": [
                        _("No %(part)s is in stock at %(warehouse)s.")
                        % {"part": part_model, "warehouse": warehouse.name}
                    ]
                }
            )
        serial = in_stock[0]
    try:
        reservation = stock_reserve(
            warehouse=warehouse,
            part_model=part_model,
            quantity=1,
            actor=actor,
            purpose=f"rma:{rma.pk}",
        )
        movements = stock_ship(reservation, actor=actor, serials=[serial] if serial else [], at=at)
    except ValidationError as exc:
        # The spares services speak of quantities and serial lists; here it is one unit
        # from one warehouse.
        renamed = {"quantity": "warehouse", "serials": "serial"}
        raise ValidationError(
            {renamed.get(field, field): messages for field, messages in exc.message_dict.items()}
        ) from exc
    shipped_at = movements[0].at
    if arrived_at is not None and arrived_at < shipped_at:
        raise ValidationError({"arrived_at": [_("The part cannot arrive before it shipped.")]})
    user = _user(actor)
    part = RmaPart(
        rma=rma,
        part_model=part_model,
        serial=serial,
        quantity=1,
        advance=True,
        warehouse=warehouse,
        reservation=reservation,
        shipped_at=shipped_at,
        arrived_at=arrived_at,
    )
    part._history_user = user
    part.save()
    where = f"{part_model} #{serial}" if serial else str(part_model)
    RmaEvent.objects.create(
        rma=rma,
        type=RmaEventType.ADVANCE_SHIPPED,
        at=shipped_at,
        note=note or f"{where} @ {warehouse.name}",
        actor=user,
    )
    _refresh_derived(rma, process.fold(state, RmaEventType.ADVANCE_SHIPPED, shipped_at), user)
    return part


@transaction.atomic
def rma_part_add(
    rma: Rma,
    *,
    part_model: PartModel | int,
    serial: str = "",
    quantity: int = 1,
    arrived_at: datetime | None = None,
    returned_to_user_at: datetime | None = None,
    actor,
) -> RmaPart:
    """A replacement-part line (更换零备件记录) for a part the vendor supplied."""
    now = timezone.now()
    errors: dict = {}
    part_model = _resolve(PartModel, part_model, "part_model", errors, _("No such part model."))
    arrived_at, returned_to_user_at = _aware(arrived_at), _aware(returned_to_user_at)
    _times_in_order(arrived_at, returned_to_user_at, errors, now)
    part = RmaPart(
        rma=rma,
        part_model=part_model,
        serial=serial.strip(),
        quantity=quantity,
        arrived_at=arrived_at,
        returned_to_user_at=returned_to_user_at,
    )
    errors.update(_model_errors(part, "", exclude=["rma", "part_model"]))
    _raise(errors)
    rma = Rma.objects.select_for_update().get(pk=rma.pk)
    if rma.status == RmaStatus.CLOSED:
        raise RmaEventRefused(_("The RMA is closed; nothing can happen after that."))
    part.rma = rma
    part._history_user = _user(actor)
    part.save()
    return part


PART_EDITABLE = frozenset({"serial", "arrived_at", "returned_to_user_at"})


@transaction.atomic
def rma_part_update(part: RmaPart, *, actor, **changes) -> RmaPart:
    """Fill in a replacement part's times (到货时间, 返回用户时间) or its serial number.
    An advance replacement keeps the serial it shipped with."""
    unknown = set(changes) - PART_EDITABLE
    if unknown:
        raise ValidationError({field: [_("This field cannot be changed.")] for field in unknown})
    part = RmaPart.objects.select_for_update().get(pk=part.pk)
    errors: dict = {}
    if part.advance and "serial" in changes and changes["serial"] != part.serial:
        errors["serial"] = [_("An advance replacement keeps the serial number it shipped with.")]
    for field in ("arrived_at", "returned_to_user_at"):
        if field in changes:
            changes[field] = _aware(changes[field])
    for field, value in changes.items():
        setattr(part, field, value.strip() if isinstance(value, str) else value)
    _times_in_order(part.arrived_at, part.returned_to_user_at, errors, timezone.now())
    if part.shipped_at and part.arrived_at and part.arrived_at < part.shipped_at:
        errors["arrived_at"] = [_("The part cannot arrive before it shipped.")]
    _raise(errors)
    part._history_user = _user(actor)
    part.save()
    return part


# --- quotes and orders (R11) ------------------------------------------------------------------


def repair_of(
    *, rma: Rma | None = None, service_record: ServiceRecord | None = None
) -> tuple[Device | None, date]:
    """The device being repaired and the repair's date, on which its warranty is judged:
    the service record's device and reported day, or the RMA's first linked unit (else its
    service record's device) and the form's date."""
    if service_record is not None:
        return service_record.device, service_record.reported_at.astimezone(BEIJING).date()
    product = next((p for p in rma.products.all() if p.device_id), None)
    if product is not None:
        return product.device, rma.date
    return (rma.service_record.device if rma.service_record_id else None), rma.date


def _quote_line(line: dict, i: int, errors: dict) -> QuoteLine:
    """One line, checked against the plan: labour free, a part at most its market price."""
    prefix, number = f"lines.{i}.", i + 1
    kind = QuoteLineKind(line.get("kind") or QuoteLineKind.PART)
    quantity = 1 if line.get("quantity") is None else line["quantity"]
    price = line.get("unit_price")
    description = (line.get("description") or "").strip()
    if not isinstance(quantity, int) or quantity < 1:
        errors[prefix + "quantity"] = [
            _("Line %(line)d: the quantity must be at least 1.") % {"line": number}
        ]
    if len(description) > QuoteLine._meta.get_field("description").max_length:
        errors[prefix + "description"] = [
            _("Line %(line)d: the description is too long.") % {"line": number}
        ]
    if price is not None:
        price = Decimal(price)
        if price < 0 or price != price.quantize(FEN):
            errors[prefix + "unit_price"] = [
                _("Line %(line)d: give the unit price in yuan, to the fen, not below 0.")
                % {"line": number}
            ]
            price = None
    if kind == QuoteLineKind.LABOUR:
        if price:
            errors[prefix + "unit_price"] = [
                _("Line %(line)d: labour is free after warranty too (人工费全免); its price is 0.")
                % {"line": number}
            ]
        return QuoteLine(
            kind=kind,
            description=description or _("Labour"),  # 人工
            quantity=quantity,
            unit_price=Decimal("0.00"),
        )
    part_model = _resolve(
        PartModel,
        line.get("part_model"),
        prefix + "part_model",
        errors,
        _("Line %(line)d: no such part model.") % {"line": number},
    )
    if part_model is None:
        errors.setdefault(
            prefix + "part_model", [_("Line %(line)d: name the part model.") % {"line": number}]
        )
    elif part_model.market_price is None:
        errors[prefix + "part_model"] = [
            _(
                "Line %(line)d (%(part)s): the part has no recorded market price, so it "
                "cannot be quoted. Record its market price first."
            )
            % {"line": number, "part": part_model}
        ]
    elif price is None:
        errors.setdefault(
            prefix + "unit_price", [_("Line %(line)d: give the unit price.") % {"line": number}]
        )
    elif price > part_model.market_price:
        errors[prefix + "unit_price"] = [
            _(
                "Line %(line)d (%(part)s): the unit price %(price)s is above the market "
                "price %(cap)s; a quote may charge at most the market price."
            )
            % {"line": number, "part": part_model, "price": price, "cap": part_model.market_price}
        ]
    return QuoteLine(
        kind=kind,
        part_model=part_model,
        description=description or (str(part_model) if part_model else ""),
        quantity=quantity,
        unit_price=price if price is not None else Decimal("0.00"),
        market_price=getattr(part_model, "market_price", None),
    )


@transaction.atomic
def quote_create(
    *,
    rma: Rma | int | None = None,
    service_record: ServiceRecord | int | None = None,
    lines: list[dict[str, Any]],
    note: str = "",
    actor,
) -> Quote:
    """A draft quote for repairing an out-of-warranty device (R11, plan 1.4): labour at 0
    (a free labour line is added when none is given), each part at no more than its
    recorded market price. In warranty parts are free, so there is no quote."""
    errors: dict = {}
    rma = _resolve(Rma, rma, "rma", errors, _("No such RMA."))
    record = _resolve(
        ServiceRecord, service_record, "service_record", errors, _("No such service record.")
    )
    if errors:
        _raise(errors)
    if (rma is None) == (record is None):
        _raise({"rma": [_("Quote one repair: an RMA or a service record.")]})
    source = "rma" if rma is not None else "service_record"
    device, repair_on = repair_of(rma=rma, service_record=record)
    if device is None:
        _raise(
            {
                "rma": [
                    _(
                        "Link the faulty device on the RMA's product line: the warranty is "
                        "the device's."
                    )
                ]
            }
        )
    entitlement = device_entitlement(device=device, on=repair_on)
    if entitlement.in_warranty:
        last_day = entitlement.warranty_ends_on - timedelta(days=1)
        _raise(
            {
                source: [
                    _(
                        "Parts are free in warranty: %(device)s is in warranty until "
                        "%(last_day)s, so its repair has no quote."
                    )
                    % {"device": device, "last_day": last_day.isoformat()}
                ]
            }
        )
    if not lines:
        errors["lines"] = [_("Add at least one line.")]
    built = [_quote_line(line, i, errors) for i, line in enumerate(lines)]
    _raise(errors)
    if not any(line.kind == QuoteLineKind.LABOUR for line in built):
        built.append(_quote_line({"kind": QuoteLineKind.LABOUR}, len(built), errors))

    user = _user(actor)
    quote = Quote(
        number=_next_number(QUOTE_PREFIX, timezone.localdate(timezone=BEIJING).year),
        organisation_id=device.organisation_id,
        device=device,
        rma=rma,
        service_record=record,
        repair_on=repair_on,
        warranty_ends_on=entitlement.warranty_ends_on,
        note=note.strip(),
        created_by=user,
    )
    quote._history_user = user
    quote.save()
    for position, line in enumerate(built, start=1):
        line.quote, line.position = quote, position
        line.save()
    return quote


def _decision_time(quote: Quote, at: datetime | None, user) -> datetime:
    now = timezone.now()
    errors: dict = {}
    if at is not None and user is not None and user.is_customer_contact:
        # Only staff record an answer given earlier (by phone, on paper); a customer's own
        # answer is dated when it is given.
        errors["at"] = [_("A customer's answer is dated when it is given; leave the time out.")]
    at = _aware(at) or now
    _not_in_future(at, "at", errors, now)
    if quote.sent_at and at < quote.sent_at:
        errors["at"] = [_("The time is before the quote was sent.")]
    _raise(errors)
    return at


def _locked_quote(quote: Quote) -> Quote:
    return Quote.objects.select_for_update().get(pk=quote.pk)


def _refuse_unless_sent(quote: Quote) -> None:
    if quote.accepted_at:
        raise QuoteRefused(_("The quote was already accepted."))
    if quote.declined_at:
        raise QuoteRefused(_("The quote was already declined."))
    if quote.sent_at is None:
        raise QuoteRefused(_("The quote is a draft: send it to the customer first."))


@transaction.atomic
def quote_send(quote: Quote, *, actor) -> Quote:
    """Send the draft to the customer: from now on their contacts see it and may decide."""
    quote = _locked_quote(quote)
    if quote.sent_at is not None:
        raise QuoteRefused(_("The quote was already sent."))
    quote.sent_at = timezone.now()
    quote.sent_by = _user(actor)
    quote._history_user = quote.sent_by
    quote.save()
    return quote


@transaction.atomic
def quote_accept(quote: Quote, *, actor, at: datetime | None = None, note: str = "") -> Order:
    """The customer accepts the quote — in their portal, or as recorded by staff (who and
    when are kept) — and the order is placed, numbered ORD-YYYY-NNNN."""
    quote = _locked_quote(quote)
    _refuse_unless_sent(quote)
    user = _user(actor)
    at = _decision_time(quote, at, user)
    quote.accepted_at, quote.decided_by, quote.decision_note = at, user, note.strip()
    quote._history_user = user
    quote.save()
    order = Order(
        number=_next_number(ORDER_PREFIX, at.astimezone(BEIJING).year),
        quote=quote,
        organisation_id=quote.organisation_id,
        ordered_at=at,
        ordered_by=user,
    )
    order._history_user = user
    order.save()
    return order


@transaction.atomic
def quote_decline(quote: Quote, *, actor, at: datetime | None = None, note: str = "") -> Quote:
    """The customer declines the quote, saying why in `note` (or staff record that they
    did, and the reason they gave): the integrator needs the reason to quote again."""
    quote = _locked_quote(quote)
    _refuse_unless_sent(quote)
    if not note.strip():
        raise ValidationError({"note": [_("Say why the quote is declined.")]})
    user = _user(actor)
    at = _decision_time(quote, at, user)
    quote.declined_at, quote.decided_by, quote.decision_note = at, user, note.strip()
    quote._history_user = user
    quote.save()
    return quote
