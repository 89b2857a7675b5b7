"""Every change to service records goes through these functions.

A record changes only by events. `service_record_event_add` locks the record, folds its
events to check that the new one can happen now (else `EventRefused`, answered 409), writes
the event, starts / meets / pauses / resumes / cancels clocks, and stores the derived
status and queue position — all in one transaction.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vcdesk.accounts.choices import Role
from vcdesk.assets.choices import DeviceStatus
from vcdesk.assets.models import Device
from vcdesk.calendars.workdays import BEIJING
from vcdesk.core.numbers import next_number
from vcdesk.core.rawsql import insert_instances
from vcdesk.service import clocks, escalation, process
from vcdesk.service.choices import (
    PAUSABLE_CLOCKS,
    RESTORE_FAULT_CLASSES,
    ClockKind,
    EventType,
    FaultClass,
)
from vcdesk.service.models import (
    QUEUE_END,
    Clock,
    Dispatch,
    HistoryEntry,
    RecordNumberSequence,
    ServiceEvent,
    ServiceRecord,
)
from vcdesk.service.signals import service_event_recorded

# How far ahead of the server's clock a reported or event time may be (clock skew).
FUTURE_TOLERANCE = timedelta(minutes=5)


class EventRefused(Exception):
    """The event cannot happen now (409); nothing was written."""


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _warning_share() -> float:
    return getattr(settings, "VCDESK_CLOCK_WARNING_SHARE", clocks.DEFAULT_WARNING_SHARE)


def _calendar():
    from vcdesk.calendars.selectors import work_calendar

    return work_calendar()


def _promise(record: ServiceRecord) -> clocks.Promise:
    contract = record.device.contract
    return clocks.Promise(
        response_minutes=contract.response_minutes,
        onsite_extra_minutes=contract.onsite_extra_minutes,
        travel_minutes=record.site.travel_minutes,
        fix_on_site_minutes=contract.fix_on_site_minutes,
        spare_ship_hours=contract.spare_ship_hours,
        spare_arrival_working_days=contract.spare_arrival_working_days,
        restore_hours=contract.restore_hours,
    )


def _next_number(day) -> str:
    """SR-YYYYMMDD-NNNN, numbered per Beijing day (the plan's time zone, whatever the
    process's current one). Call inside a transaction: the day's row stays locked until it
    ends, so concurrent calls queue for the next number."""
    last = next_number(RecordNumberSequence, day)
    return f"SR-{day:%Y%m%d}-{last:04d}"


def _clock_new(
    record: ServiceRecord,
    kind: ClockKind,
    at: datetime,
    promise,
    *,
    on_hold: bool = False,
    levels: list | None = None,
) -> Clock:
    """An unsaved clock of `kind` started at `at`. One that a hold pauses starts paused
    while the record is on hold: the customer asked to wait before the promise began."""
    calendar = _calendar() if kind == ClockKind.SPARE_ARRIVAL else None
    due = clocks.due_at(kind, start=at, promise=promise, calendar=calendar)
    clock = Clock(
        record=record,
        kind=kind,
        started_at=at,
        due_at=due,
        warn_at=clocks.warn_at(start=at, due=due, share=_warning_share()),
    )
    if on_hold and kind in PAUSABLE_CLOCKS:
        clock.paused_at = at
    else:
        clock.next_escalation_at = escalation.next_escalation_at(clock, levels)
    return clock


def _clock_start(
    record: ServiceRecord, kind: ClockKind, at: datetime, promise, *, on_hold: bool = False
) -> Clock:
    clock = _clock_new(record, kind, at, promise, on_hold=on_hold)
    clock.save()
    return clock


DERIVED_FIELDS = ["status", "queue_key", "has_breach", "updated_at"]
ASSIGNEE_FIELDS = ["duty_officer", "support_staff"]


def _refresh_derived(
    record: ServiceRecord, state: process.ProcessState, *, assignees_changed: bool
) -> None:
    """Store status, queue position and the breach flag derived from events and clocks.

    No change-history row for these alone: the event just written says who did what and
    when, and they follow from the events and clocks (the history does not keep them). A
    new duty officer or support staff is a real change of the form, kept with its author."""
    open_clocks = record.clocks.filter(
        met_at__isnull=True, cancelled_at__isnull=True, paused_at__isnull=True
    )
    next_due = min(open_clocks.values_list("due_at", flat=True), default=None)
    record.status = process.status(state)
    record.queue_key = next_due or QUEUE_END
    record.has_breach = record.clocks.filter(breached_at__isnull=False).exists()
    if assignees_changed:
        record.save(update_fields=DERIVED_FIELDS + ASSIGNEE_FIELDS)
        return
    record.skip_history_when_saving = True  # simple-history checks that the attribute exists
    try:
        record.save(update_fields=DERIVED_FIELDS)
    finally:
        del record.skip_history_when_saving


def service_record_open(
    *,
    device: Device | int,
    fault_class: FaultClass | str,
    description: str,
    caller_name: str,
    caller_phone: str,
    reported_at: datetime | None = None,
    caller_fax: str = "",
    caller_email: str = "",
    actor,
) -> ServiceRecord:
    """Open a record for a hotline call or a customer's report; starts the response clock
    and, for hardware damage, the restore clock.

    Everything that needs no database (checks, clocks, escalation times) is done before the
    transaction, which holds the day's number (and on SQLite the write lock) only for the
    four writes: the number, the record, its history row, its clocks."""
    now = timezone.now()
    reported_at = reported_at or now
    if isinstance(device, int):
        device = Device.objects.select_related("site", "contract").filter(pk=device).first()
    errors = {}
    if device is None:
        errors["device"] = [_("No such device.")]
    elif device.status == DeviceStatus.RETIRED:
        errors["device"] = [_("The device is retired.")]
    if timezone.is_naive(reported_at):
        reported_at = timezone.make_aware(reported_at)
    if reported_at > now + FUTURE_TOLERANCE:
        errors["reported_at"] = [_("The reported time is in the future.")]
    if errors:
        raise ValidationError(errors)
    user = _user(actor)
    record = ServiceRecord(
        device=device,
        organisation_id=device.organisation_id,
        site=device.site,
        caller_name=caller_name,
        caller_phone=caller_phone,
        caller_fax=caller_fax,
        caller_email=caller_email,
        duty_officer=user if user and user.has_role(Role.DUTY_OFFICER) else None,
        fault_class=fault_class,
        description=description,
        reported_at=reported_at,
    )
    # Device, organisation, site and duty officer are already resolved objects.
    record.full_clean(
        exclude=["number", "device", "organisation", "site", "duty_officer", "support_staff"]
    )
    promise = _promise(record)
    kinds = [ClockKind.RESPONSE]
    if FaultClass(fault_class) in RESTORE_FAULT_CLASSES:
        kinds.append(ClockKind.RESTORE)
    levels = escalation.active_levels()
    new_clocks = [_clock_new(record, kind, reported_at, promise, levels=levels) for kind in kinds]
    # A new record has only running clocks: its queue position is the earliest due time.
    record.queue_key = min(clock.due_at for clock in new_clocks)
    with transaction.atomic():
        record.number = _next_number(reported_at.astimezone(BEIJING).date())
        # The hotline's busiest write, in statements written once (vcdesk.core.rawsql): the
        # record, its first history row (what save() would have django-simple-history write)
        # and its clocks.
        insert_instances([record])
        insert_instances([_creation_history(record, user)])
        for clock in new_clocks:
            clock.record = record
        insert_instances(new_clocks)
    # The answer shows the clocks: these are they (with their ids), no need to read them back.
    # Stored as prefetch_related would: `record.clocks.all()` answers them, a further
    # `.filter()` still queries.
    prefetched = record.clocks.get_queryset()
    prefetched._result_cache, prefetched._prefetch_done = new_clocks, True
    record._prefetched_objects_cache = {"clocks": prefetched}
    return record


def _creation_history(record: ServiceRecord, user):
    """The change-history row of a new record, as django-simple-history builds it
    (HistoryManager.bulk_history_create): every tracked field, "+" for created."""
    history = ServiceRecord.history.model
    return history(
        history_date=timezone.now(),
        history_user=user,
        history_change_reason="",
        history_type="+",
        **{field.attname: getattr(record, field.attname) for field in history.tracked_fields},
    )


def _state_of(record: ServiceRecord) -> process.ProcessState:
    state = process.ProcessState()
    for event_type, at in record.events.order_by("at", "id").values_list("type", "at"):
        state = process.fold(state, EventType(event_type), at)
    return state


def _end_hold(clock: Clock, at: datetime) -> None:
    """End the clock's hold at `at`, if it is held: the time held is kept, and the clock
    falls due later by as much."""
    if clock.paused_at is None:
        return
    held = at - clock.paused_at
    clock.held_seconds += int(held.total_seconds())
    clock.due_at += held
    clock.warn_at += held
    clock.paused_at = None


def _mark_late(clock: Clock, at: datetime) -> None:
    """A clock still unmet at `at`, past its due time, was broken at its due time."""
    if at > clock.due_at and clock.breached_at is None:
        clock.breached_at = clock.due_at


def _meet(record: ServiceRecord, kinds: set[ClockKind], at: datetime) -> None:
    for clock in record.clocks.filter(
        kind__in=kinds, met_at__isnull=True, cancelled_at__isnull=True
    ):
        _end_hold(clock, at)  # met while paused: the hold ends with it
        _mark_late(clock, at)
        clock.met_at = at
        clock.next_escalation_at = None
        clock.save()


def _pause(record: ServiceRecord, at: datetime) -> None:
    for clock in record.clocks.filter(
        kind__in=PAUSABLE_CLOCKS,
        met_at__isnull=True,
        cancelled_at__isnull=True,
        paused_at__isnull=True,
    ):
        _mark_late(clock, at)  # it broke before the hold began
        clock.paused_at = at
        clock.next_escalation_at = None
        clock.save()


def _resume(record: ServiceRecord, at: datetime) -> None:
    for clock in record.clocks.filter(
        paused_at__isnull=False, met_at__isnull=True, cancelled_at__isnull=True
    ):
        _end_hold(clock, at)
        clock.next_escalation_at = escalation.next_escalation_at(clock)
        clock.save()


def _cancel(record: ServiceRecord, at: datetime, kinds: set[ClockKind] | None = None) -> None:
    """Cancel the open clocks (of `kinds`, default all): their event will not come. One
    already past due stays breached; a hold in progress ends, its time kept."""
    open_clocks = record.clocks.filter(met_at__isnull=True, cancelled_at__isnull=True)
    if kinds is not None:
        open_clocks = open_clocks.filter(kind__in=kinds)
    for clock in open_clocks:
        _end_hold(clock, at)
        _mark_late(clock, at)
        clock.cancelled_at = at
        clock.next_escalation_at = None
        clock.save()


def _started_kinds(record: ServiceRecord) -> set[str]:
    return set(record.clocks.values_list("kind", flat=True))


@transaction.atomic
def service_record_event_add(
    record: ServiceRecord,
    *,
    type: EventType | str,
    at: datetime | None = None,
    note: str = "",
    engineer=None,
    actor,
) -> ServiceEvent:
    """Record one step of the process and move the clocks it drives. Raises EventRefused
    (nothing written) when the step cannot happen now; ValidationError on bad input."""
    event_type = EventType(type)
    now = timezone.now()
    at = at or now
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    record = (
        ServiceRecord.objects.select_for_update(no_key=True, of=("self",))
        .select_related("site", "device__contract")
        .get(pk=record.pk)
    )
    if at > now + FUTURE_TOLERANCE:
        raise ValidationError({"at": [_("The time is in the future.")]})
    if event_type == EventType.CUSTOMER_HOLD and not note.strip():
        raise ValidationError({"note": [_("Say why the customer asks to wait.")]})
    state = _state_of(record)
    reason = process.refusal(state, event_type, at, reported_at=record.reported_at)
    if reason:
        raise EventRefused(reason)

    user = _user(actor)
    event = ServiceEvent.objects.create(
        record=record, type=event_type, at=at, note=note, engineer=engineer, actor=user
    )
    promise = _promise(record)
    started = _started_kinds(record)
    e, k = EventType, ClockKind
    if event_type == e.RESPONDED:
        _meet(record, {k.RESPONSE}, at)
    elif event_type in (e.REMOTE_FAILED, e.DISPATCHED):
        if k.ONSITE not in started:
            _clock_start(record, k.ONSITE, at, promise, on_hold=state.on_hold)
        if event_type == e.DISPATCHED and engineer is not None:
            Dispatch.objects.get_or_create(
                record=record, engineer=engineer, defaults={"assigned_at": at}
            )
    elif event_type == e.ARRIVED:
        _meet(record, {k.ONSITE}, at)
        if k.FIX_ON_SITE not in started:
            _clock_start(record, k.FIX_ON_SITE, at, promise, on_hold=state.on_hold)
    elif event_type == e.SPARE_REQUESTED:
        _clock_start(record, k.SPARE_SHIP, at, promise)
        _clock_start(record, k.SPARE_ARRIVAL, at, promise)
    elif event_type == e.SPARE_SHIPPED:
        _meet(record, {k.SPARE_SHIP}, at)
    elif event_type == e.SPARE_ARRIVED:
        _meet(record, {k.SPARE_ARRIVAL}, at)
    elif event_type == e.SPARE_CANCELLED:
        _cancel(record, at, {k.SPARE_SHIP, k.SPARE_ARRIVAL})
    elif event_type == e.CUSTOMER_HOLD:
        _pause(record, at)
    elif event_type == e.CUSTOMER_RELEASE:
        _resume(record, at)
    elif event_type == e.RESOLVED:
        _meet(record, {k.FIX_ON_SITE, k.RESTORE}, at)
        # Fixed before anyone arrived (remotely, by the customer): nobody need go on site.
        _cancel(record, at, {k.ONSITE})
    elif event_type == e.CLOSED:
        _cancel(record, at)
    # The form's duty officer and support staff: whoever of those roles first handles it.
    assignees_changed = False
    if user is not None and record.duty_officer_id is None and user.has_role(Role.DUTY_OFFICER):
        record.duty_officer = user
        assignees_changed = True
    if (
        user is not None
        and record.support_staff_id is None
        and user.has_role(Role.SUPPORT_ENGINEER)
    ):
        record.support_staff = user
        assignees_changed = True
    record._history_user = user
    _refresh_derived(
        record, process.fold(state, event_type, at), assignees_changed=assignees_changed
    )
    transaction.on_commit(
        lambda: service_event_recorded.send(sender=ServiceEvent, record=record, event=event)
    )
    return event


def field_engineer_or_error(user_id: int):
    """The active field engineer with this id, else a ValidationError on `engineer`."""
    from vcdesk.accounts.models import User

    engineer = User.objects.filter(
        pk=user_id, is_active=True, groups__name=Role.FIELD_ENGINEER
    ).first()
    if engineer is None:
        raise ValidationError({"engineer": [_("No such field engineer.")]})
    return engineer


@transaction.atomic
def history_entry_add(
    record: ServiceRecord, *, symptom: str, action: str, at: datetime | None = None, actor
) -> HistoryEntry:
    """Add a line to the record's history (time, symptom, action or solution)."""
    if not (symptom.strip() or action.strip()):
        raise ValidationError({"symptom": [_("Write the symptom, the action, or both.")]})
    return HistoryEntry.objects.create(
        record=record, at=at or timezone.now(), symptom=symptom, action=action, author=_user(actor)
    )
