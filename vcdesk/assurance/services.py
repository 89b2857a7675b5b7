"""Every change to meeting assurance bookings goes through these functions.

Quota. A booking counts in the contract year of its meeting's (Beijing) start date. It is
`extra` when, at booking time, the year's non-cancelled bookings within the quota already
fill `Contract.assurance_visits_per_year`. That count is taken while holding the contract's
row lock, so two bookings made at once cannot both take the last included slot. A cancelled
booking counts no more, nor does one moved into another contract year: the slot it frees goes
to the year's earliest-booked extra booking, which then counts within the quota (the customer
pays for meetings beyond the quota, not for the order they were booked in); with no extra
booking left the slot waits for the next booking.

Staffing. A meeting needs `engineers_required` senior field engineers (vcdesk.assurance.quota
decides 1 or 2); an engineer is never on two live assignments whose times overlap. Whether an
engineer is free is asked while holding the engineers' user rows locked, so two assignments
of one engineer at once queue and the second sees the first. On PostgreSQL an exclusion
constraint backs this up (migration 0002).

Lock order, everywhere, so that no two transactions wait for each other: booking (the one
changed, then the extra bookings of its contract year, by id) → users (by id) → contract →
spares (reservation → stock level). Every lock is FOR NO KEY UPDATE of the queried table's
rows only: a plain FOR UPDATE would also block inserts whose foreign key
refers to the row (a new booking of the contract, an assignment of the engineer).

Refusals: bad input raises ValidationError naming the field (422); a step that cannot
happen now raises BookingRefused with the reason (409). Either way nothing is written.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Model, Q, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from vcdesk.accounts.models import User
from vcdesk.assets.models import Device
from vcdesk.assurance import quota
from vcdesk.assurance.choices import CheckKind, CheckResult, Importance, Outcome
from vcdesk.assurance.models import (
    BOOKING_HISTORY,
    Assignment,
    Booking,
    Check,
    Incident,
    KitItem,
)
from vcdesk.assurance.selectors import busy_assignments, senior_engineers
from vcdesk.calendars.workdays import BEIJING
from vcdesk.contracts.models import Contract
from vcdesk.customers.models import Organisation, Site
from vcdesk.service.choices import FaultClass
from vcdesk.service.services import service_record_open
from vcdesk.spares.models import PartModel, Warehouse
from vcdesk.spares.services import stock_release, stock_reserve

# An engineer may check in this long before the meeting starts (they come early to set up).
CHECK_IN_OPENS_BEFORE = timedelta(hours=4)
# How far ahead of the server's clock a recorded time may be (clock skew).
FUTURE_TOLERANCE = timedelta(minutes=5)

BOOKING_FIELDS = (
    "title",
    "sites",
    "starts_at",
    "ends_at",
    "importance",
    "expected_participants",
    "contact_name",
    "contact_phone",
    "notes",
)
# What can no longer change once the meeting has started.
PLAN_FIELDS = frozenset({"sites", "starts_at", "ends_at", "importance"})


class BookingRefused(Exception):
    """The step cannot happen now (409); nothing was written."""


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _locking(queryset: QuerySet) -> QuerySet:
    """The queryset's own rows, locked FOR NO KEY UPDATE until the transaction ends."""
    return queryset.select_for_update(no_key=True, of=("self",))


def aware(moment: datetime | None) -> datetime | None:
    """A naive time is Beijing time."""
    if moment is not None and timezone.is_naive(moment):
        return timezone.make_aware(moment, BEIJING)
    return moment


def _when(moment: datetime) -> str:
    return formats.date_format(moment.astimezone(BEIJING), "Y-m-d H:i")


def _resolve(model: type[Model], value, field: str, errors: dict, message: str):
    """`value` as an instance of `model` (given as one, or by primary key); None when absent;
    an error on `field` when there is no such row."""
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


def _second_engineer_sites() -> int:
    return settings.VCDESK_ASSURANCE_SECOND_ENGINEER_SITES


def _locked(booking: Booking) -> Booking:
    return _locking(Booking.objects).get(pk=booking.pk)


def _refuse_unless_open(booking: Booking) -> None:
    if booking.cancelled_at is not None:
        raise BookingRefused(_("The booking is cancelled."))
    if booking.outcome_recorded_at is not None:
        raise BookingRefused(_("The meeting is over: its outcome is recorded."))


# --- booking ----------------------------------------------------------------------------------


def _sites(organisation: Organisation | None, values, errors: dict) -> list[Site]:
    """The participating sites, each once, all of the booking's organisation."""
    values = list(values or [])
    if not values:
        errors["sites"] = [_("Choose at least one participating site.")]
        return []
    ids = [v.pk if isinstance(v, Site) else v for v in values]
    if not all(isinstance(i, int) for i in ids):
        errors["sites"] = [_("No such site.")]
        return []
    found = {s.pk: s for s in Site.objects.filter(pk__in=ids)}
    unique_ids = list(dict.fromkeys(ids))
    if any(i not in found for i in unique_ids):
        errors["sites"] = [_("No such site.")]
        return []
    sites = [found[i] for i in unique_ids]
    if organisation is not None and any(s.organisation_id != organisation.pk for s in sites):
        errors["sites"] = [_("Every site must belong to the booking's organisation.")]
    return sites


def _check_contract_covers(contract: Contract, sites: list[Site], errors: dict) -> None:
    """The contract covers a site when a device there is under it."""
    if not sites or "sites" in errors:
        return
    covered = set(
        Device.objects.filter(contract=contract, site__in=sites)
        .values_list("site_id", flat=True)
        .distinct()
    )
    uncovered = [s for s in sites if s.pk not in covered]
    if uncovered:
        errors["contract"] = [
            _("The contract covers no device at %(sites)s.")
            % {"sites": "、".join(s.name for s in uncovered)}
        ]


def _check_times(
    starts_at: datetime | None,
    ends_at: datetime | None,
    *,
    contract: Contract | None,
    actor,
    errors: dict,
) -> None:
    if starts_at is None or ends_at is None:
        return
    if ends_at <= starts_at:
        errors["ends_at"] = [_("The meeting must end after it starts.")]
    if getattr(actor, "is_customer_contact", False) and starts_at < timezone.now():
        errors["starts_at"] = [_("The meeting cannot start in the past.")]
    if contract is not None and starts_at.astimezone(BEIJING).date() < contract.accepted_on:
        errors["starts_at"] = [
            _("The meeting is before the contract's acceptance on %(day)s.")
            % {"day": contract.accepted_on.isoformat()}
        ]


def _model_errors(booking: Booking) -> dict:
    try:
        booking.full_clean(
            exclude=[
                "organisation",
                "contract",
                "booked_by",
                "contract_year",
                "cancelled_by",
                "outcome_recorded_by",
            ],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as exc:
        return exc.message_dict
    return {}


def _extras_to_promote(booking: Booking) -> list[Booking]:
    """The live extra bookings of `booking`'s contract year, locked (by id, right after the
    booking itself) in case `booking` frees its included slot; none when it holds no slot."""
    if booking.extra or booking.cancelled_at is not None:
        return []
    extras = Booking.objects.filter(
        contract_id=booking.contract_id,
        contract_year=booking.contract_year,
        cancelled_at__isnull=True,
        extra=True,
    ).exclude(pk=booking.pk)
    return list(_locking(extras).order_by("pk"))


def _promote_extras(contract: Contract, contract_year: int, extras: list[Booking], actor) -> None:
    """Give the year's free included slots to its earliest-booked extra bookings. Takes the
    contract's row lock, as a new booking's count does; `extras` come from
    `_extras_to_promote`, locked before."""
    if not extras:
        return
    _locking(Contract.objects.only("pk")).get(pk=contract.pk)
    in_quota = Booking.objects.filter(
        contract=contract, contract_year=contract_year, cancelled_at__isnull=True, extra=False
    ).count()
    free = contract.assurance_visits_per_year - in_quota
    for promoted in sorted(extras, key=lambda b: (b.booked_at, b.pk))[: max(free, 0)]:
        promoted.extra = False
        promoted._history_user = _user(actor)
        promoted.save(update_fields=["extra", "updated_at"])


def _count_against_quota(booking: Booking, contract: Contract) -> None:
    """Fix the booking's contract year and extra flag. Takes the contract's row lock: the
    count and the new booking's row commit together, so parallel bookings queue here."""
    _locking(Contract.objects.only("pk")).get(pk=contract.pk)
    day = booking.starts_at.astimezone(BEIJING).date()
    booking.contract_year = quota.contract_year_of(contract.accepted_on, day)
    in_quota = (
        Booking.objects.filter(
            contract=contract,
            contract_year=booking.contract_year,
            cancelled_at__isnull=True,
            extra=False,
        )
        .exclude(pk=booking.pk)
        .count()
    )
    booking.extra = in_quota >= contract.assurance_visits_per_year


@transaction.atomic
def booking_create(
    *,
    contract: Contract | int,
    sites: Iterable[Site | int],
    title: str,
    starts_at: datetime,
    ends_at: datetime,
    expected_participants: int,
    contact_name: str,
    contact_phone: str,
    importance: Importance | str = Importance.NORMAL,
    notes: str = "",
    organisation: Organisation | int | None = None,
    actor,
) -> Booking:
    """Book a meeting assurance. The organisation is the contract's (a customer contact's
    own); beyond the contract year's quota the booking is still made, flagged `extra`."""
    errors: dict = {}
    contract = _resolve(Contract, contract, "contract", errors, _("No such contract."))
    organisation = _resolve(
        Organisation, organisation, "organisation", errors, _("No such organisation.")
    )
    if contract is not None:
        if organisation is not None and organisation.pk != contract.organisation_id:
            errors["contract"] = [_("The contract is another organisation's.")]
        organisation = contract.organisation
    elif "contract" not in errors:
        errors["contract"] = [_("Choose the contract.")]
    user = _user(actor)
    if user is not None and user.is_customer_contact and organisation is not None:
        if organisation.pk != user.organisation_id:
            errors["organisation"] = [_("You may book only for your own organisation.")]
    site_list = _sites(organisation, sites, errors)
    if contract is not None and "contract" not in errors:
        _check_contract_covers(contract, site_list, errors)
    starts_at, ends_at = aware(starts_at), aware(ends_at)
    _check_times(starts_at, ends_at, contract=contract, actor=actor, errors=errors)
    booking = Booking(
        title=(title or "").strip(),
        organisation=organisation,
        contract=contract,
        starts_at=starts_at,
        ends_at=ends_at,
        importance=importance,
        expected_participants=expected_participants,
        contact_name=(contact_name or "").strip(),
        contact_phone=(contact_phone or "").strip(),
        notes=(notes or "").strip(),
        booked_by=user,
        booked_at=timezone.now(),
        contract_year=1,
    )
    for field, messages in _model_errors(booking).items():
        errors.setdefault(field, messages)
    _raise(errors)
    booking.engineers_required = quota.engineers_required(
        importance=booking.importance,
        site_count=len(site_list),
        many_sites=_second_engineer_sites(),
    )
    _count_against_quota(booking, contract)
    booking._history_user = user
    _save_with_sites(booking, site_list)
    return booking


def _save_with_sites(booking: Booking, sites: list[Site] | None) -> None:
    """Save the booking and, when given, its sites, then write its one history row ("created"
    or "changed", sites included). Left to itself simple-history writes a row on the save
    and one more on each change of the sites (removed, added): the history would show one
    change by the same person in the same minute as two or three."""
    history_type = "+" if booking._state.adding else "~"
    booking.skip_history_when_saving = True
    try:
        booking.save()
        if sites is not None:
            booking.sites.set(sites)
    finally:
        del booking.skip_history_when_saving
    BOOKING_HISTORY.create_historical_record(booking, history_type)


@transaction.atomic
def booking_update(booking: Booking, *, actor, **changes) -> Booking:
    """Change a booking before its meeting: a start moved into another contract year is
    counted there afresh (its included slot in the old year goes to an extra booking there);
    new times must suit the engineers already assigned."""
    unknown = set(changes) - set(BOOKING_FIELDS)
    if unknown:
        raise ValidationError({f: [_("This cannot be changed.")] for f in sorted(unknown)})
    booking = _locked(booking)
    _refuse_unless_open(booking)
    extras = _extras_to_promote(booking) if "starts_at" in changes else []
    now = timezone.now()
    if PLAN_FIELDS & set(changes) and booking.starts_at <= now:
        raise BookingRefused(_("The meeting has started: its sites, times and importance stay."))
    errors: dict = {}
    contract = booking.contract
    site_list = None
    if "sites" in changes:
        site_list = _sites(booking.organisation, changes.pop("sites"), errors)
        _check_contract_covers(contract, site_list, errors)
    old_start, old_end = booking.starts_at, booking.ends_at
    for field in ("starts_at", "ends_at"):
        if field in changes:
            changes[field] = aware(changes[field])
    for field, value in changes.items():
        if isinstance(value, str):
            value = value.strip()
        setattr(booking, field, value)
    times_changed = (booking.starts_at, booking.ends_at) != (old_start, old_end)
    if times_changed:
        _check_times(
            booking.starts_at, booking.ends_at, contract=contract, actor=actor, errors=errors
        )
    for field, messages in _model_errors(booking).items():
        errors.setdefault(field, messages)
    _raise(errors)
    site_count = len(site_list) if site_list is not None else booking.sites.count()
    booking.engineers_required = quota.engineers_required(
        importance=booking.importance, site_count=site_count, many_sites=_second_engineer_sites()
    )
    if times_changed:
        _move_assignments(booking)
        old_year, was_extra = booking.contract_year, booking.extra
        new_day = booking.starts_at.astimezone(BEIJING).date()
        if quota.contract_year_of(contract.accepted_on, new_day) != old_year:
            _count_against_quota(booking, contract)
    booking._history_user = _user(actor)
    _save_with_sites(booking, site_list)
    if times_changed and booking.contract_year != old_year and not was_extra:
        _promote_extras(contract, old_year, extras, actor)
    return booking


def _move_assignments(booking: Booking) -> None:
    """Give the booking's live assignments its new times, if every engineer is free then."""
    live = list(booking.assignments.filter(released_at__isnull=True))
    if not live:
        return
    engineers = _lock_engineers([a.engineer_id for a in live])
    _refuse_if_busy(booking, engineers)
    for assignment in live:
        assignment.starts_at, assignment.ends_at = booking.starts_at, booking.ends_at
        assignment._history_user = None
        assignment.save(update_fields=["starts_at", "ends_at"])


@transaction.atomic
def booking_cancel(booking: Booking, *, actor, reason: str = "") -> Booking:
    """Cancel before the meeting starts: its engineers and spare kit are freed, and its
    included slot goes to the year's earliest-booked extra booking, if any."""
    booking = _locked(booking)
    if booking.cancelled_at is not None:
        raise BookingRefused(_("The booking is already cancelled."))
    now = timezone.now()
    if booking.starts_at <= now:
        raise BookingRefused(_("The meeting has started; it can no longer be cancelled."))
    extras = _extras_to_promote(booking)
    user = _user(actor)
    for assignment in booking.assignments.filter(released_at__isnull=True):
        _release(assignment, user, now)
    _release_kit(booking, actor)
    booking.cancelled_at, booking.cancelled_by = now, user
    booking.cancel_reason = (reason or "").strip()[:300]
    booking._history_user = user
    booking.save()
    _promote_extras(booking.contract, booking.contract_year, extras, actor)
    return booking


# --- staffing ---------------------------------------------------------------------------------


def _lock_engineers(ids: Iterable[int]) -> list[User]:
    """The users with these ids, locked in id order (the one order every caller uses)."""
    return list(_locking(User.objects).filter(pk__in=set(ids)).order_by("pk"))


def _refuse_if_busy(booking: Booking, engineers: list[User]) -> None:
    """Refuse when one of `engineers` guards another meeting at an overlapping time. Call
    while holding their rows locked."""
    clashes = (
        busy_assignments(start=booking.starts_at, end=booking.ends_at)
        .filter(engineer__in=engineers)
        .exclude(booking=booking)
        .select_related("booking", "engineer")
        .order_by("starts_at")
    )
    clash = clashes.first()
    if clash is not None:
        raise BookingRefused(
            _("%(engineer)s already guards “%(meeting)s” from %(start)s to %(end)s.")
            % {
                "engineer": clash.engineer,
                "meeting": clash.booking.title,
                "start": _when(clash.starts_at),
                "end": _when(clash.ends_at),
            }
        )


def _engineers_given(values: Iterable, errors: dict) -> list[User]:
    ids = [v.pk if isinstance(v, User) else v for v in values]
    if not all(isinstance(i, int) for i in ids):
        errors["engineers"] = [_("No such engineer.")]
        return []
    ids = list(dict.fromkeys(ids))
    seniors = {u.pk: u for u in senior_engineers().filter(pk__in=ids)}
    others = {u.pk: u for u in User.objects.filter(pk__in=set(ids) - set(seniors))}
    messages = []
    for i in ids:
        if i in seniors:
            continue
        if i in others:
            messages.append(_("%(user)s is not a senior field engineer.") % {"user": others[i]})
        else:
            messages.append(_("No such engineer."))
    if messages:
        errors["engineers"] = messages
    return [seniors[i] for i in ids if i in seniors]


def _assign(booking: Booking, engineer: User, user, now: datetime) -> Assignment:
    assignment = Assignment(
        booking=booking,
        engineer=engineer,
        starts_at=booking.starts_at,
        ends_at=booking.ends_at,
        assigned_at=now,
        assigned_by=user,
    )
    assignment._history_user = user
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError:  # PostgreSQL's exclusion constraint: a path that skipped the lock
        raise BookingRefused(
            _("%(engineer)s already guards another meeting at that time.") % {"engineer": engineer}
        ) from None
    return assignment


def _release(assignment: Assignment, user, now: datetime) -> None:
    assignment.released_at, assignment.released_by = now, user
    assignment._history_user = user
    assignment.save(update_fields=["released_at", "released_by"])


@transaction.atomic
def booking_assign(
    booking: Booking, *, actor, engineers: Iterable[User | int] | None = None
) -> list[Assignment]:
    """Put senior engineers on the booking: the ones named, or, with none named, as many
    free ones as it still needs (the least busy first). Refuses an engineer who guards
    another meeting at an overlapping time, more engineers than the meeting needs, and says
    so when nobody suitable is free."""
    booking = _locked(booking)
    _refuse_unless_open(booking)
    now = timezone.now()
    if booking.ends_at <= now:
        raise BookingRefused(_("The meeting is over."))
    live = list(booking.assignments.filter(released_at__isnull=True))
    on_it = {a.engineer_id for a in live}
    needed = booking.engineers_required - len(live)
    user = _user(actor)
    named = list(engineers or [])
    if named:
        errors: dict = {}
        chosen = _engineers_given(named, errors)
        _raise(errors)
        chosen = [e for e in chosen if e.pk not in on_it]
        if not chosen:
            raise BookingRefused(_("These engineers already guard this meeting."))
        if needed <= 0:
            raise BookingRefused(_("The meeting already has the senior engineers it needs."))
        if len(chosen) > needed:
            raise BookingRefused(
                ngettext(
                    "The meeting needs only %(needed)d more senior engineer.",
                    "The meeting needs only %(needed)d more senior engineers.",
                    needed,
                )
                % {"needed": needed}
            )
        locked = _lock_engineers([e.pk for e in chosen])
        _refuse_if_busy(booking, locked)
    else:
        if needed <= 0:
            raise BookingRefused(_("The meeting already has the senior engineers it needs."))
        # Lock every senior engineer (a handful) in id order, then look for free ones: a
        # concurrent assignment of any of them waits, so no one is picked twice.
        candidates = _lock_engineers(senior_engineers().values_list("pk", flat=True))
        free = _least_busy_free(booking, [c for c in candidates if c.pk not in on_it], now)
        if not free:
            raise BookingRefused(
                _("No senior field engineer is free from %(start)s to %(end)s.")
                % {"start": _when(booking.starts_at), "end": _when(booking.ends_at)}
            )
        if len(free) < needed:
            raise BookingRefused(
                ngettext(
                    "Only %(free)d senior field engineer is free from %(start)s to %(end)s; "
                    "the meeting needs %(needed)d. Assign them by name.",
                    "Only %(free)d senior field engineers are free from %(start)s to %(end)s; "
                    "the meeting needs %(needed)d. Assign them by name.",
                    len(free),
                )
                % {
                    "free": len(free),
                    "needed": needed,
                    "start": _when(booking.starts_at),
                    "end": _when(booking.ends_at),
                }
            )
        locked = free[:needed]
    return [_assign(booking, engineer, user, now) for engineer in locked]


def _least_busy_free(booking: Booking, candidates: list[User], now: datetime) -> list[User]:
    """Of `candidates`, those free during the booking, fewest meetings in the coming 30 days
    first."""
    busy = set(
        busy_assignments(start=booking.starts_at, end=booking.ends_at)
        .exclude(booking=booking)
        .values_list("engineer_id", flat=True)
    )
    free_ids = [c.pk for c in candidates if c.pk not in busy]
    load = dict(
        User.objects.filter(pk__in=free_ids)
        .annotate(
            n=Count(
                "assurance_assignments",
                filter=Q(
                    assurance_assignments__released_at__isnull=True,
                    assurance_assignments__ends_at__gt=now,
                    assurance_assignments__starts_at__lt=now + timedelta(days=30),
                ),
            )
        )
        .values_list("pk", "n")
    )
    return sorted((c for c in candidates if c.pk in load), key=lambda c: (load[c.pk], str(c), c.pk))


@transaction.atomic
def booking_release_engineer(booking: Booking, *, engineer: User | int, actor) -> Assignment:
    """Take an engineer off the booking (before they check in)."""
    booking = _locked(booking)
    _refuse_unless_open(booking)
    engineer_id = engineer.pk if isinstance(engineer, User) else engineer
    assignment = booking.assignments.filter(
        engineer_id=engineer_id, released_at__isnull=True
    ).first()
    if assignment is None:
        raise ValidationError({"engineer": [_("This engineer does not guard the meeting.")]})
    if assignment.checked_in_at is not None:
        raise BookingRefused(_("The engineer has checked in; they stay on the meeting."))
    _release(assignment, _user(actor), timezone.now())
    return assignment


# --- before the meeting: checks and the spare kit --------------------------------------------


@transaction.atomic
def check_record(
    booking: Booking,
    *,
    kind: CheckKind | str,
    result: CheckResult | str,
    site: Site | int | None = None,
    note: str = "",
    checked_at: datetime | None = None,
    actor,
) -> Check:
    """Record a device check of a participating site, or a rehearsal of the meeting flow."""
    booking = _locked(booking)
    _refuse_unless_open(booking)
    now = timezone.now()
    errors: dict = {}
    kind = CheckKind(kind)
    checked_at = aware(checked_at) or now
    if checked_at > now + FUTURE_TOLERANCE:
        errors["checked_at"] = [_("The time is in the future.")]
    if result not in CheckResult.values:
        errors["result"] = [_("Choose a result.")]
    site = _resolve(Site, site, "site", errors, _("No such site."))
    if kind == CheckKind.DEVICE_CHECK:
        if site is None and "site" not in errors:
            errors["site"] = [_("Choose the site checked.")]
        elif site is not None and not booking.sites.filter(pk=site.pk).exists():
            errors["site"] = [_("The site does not take part in the meeting.")]
    elif site is not None:
        errors["site"] = [_("A rehearsal is of the whole meeting, not of one site.")]
    _raise(errors)
    check = Check(
        booking=booking,
        kind=kind,
        site=site,
        result=result,
        note=(note or "").strip(),
        checked_at=checked_at,
        checked_by=_user(actor),
    )
    errors = {}
    try:
        check.full_clean(exclude=["booking", "site", "checked_by"], validate_constraints=False)
    except ValidationError as exc:
        errors = exc.message_dict
    _raise(errors)
    check.save()
    return check


def _booking_site(booking: Booking, site, errors: dict) -> Site | None:
    site = _resolve(Site, site, "site", errors, _("No such site."))
    if site is not None and not booking.sites.filter(pk=site.pk).exists():
        errors["site"] = [_("The site does not take part in the meeting.")]
    return site


@transaction.atomic
def kit_item_reserve(
    booking: Booking,
    *,
    warehouse: Warehouse | int,
    part_model: PartModel | int,
    quantity: int = 1,
    site: Site | int | None = None,
    actor,
) -> KitItem:
    """Hold a spare for the meeting (the plan: a spare kit for the point where the
    rehearsal found a fault), through the spares reservation."""
    booking = _locked(booking)
    _refuse_unless_open(booking)
    errors: dict = {}
    warehouse = _resolve(Warehouse, warehouse, "warehouse", errors, _("No such warehouse."))
    part_model = _resolve(PartModel, part_model, "part_model", errors, _("No such part model."))
    site = _booking_site(booking, site, errors)
    if warehouse is not None and not warehouse.active:
        errors["warehouse"] = [_("This warehouse is not in use.")]
    _raise(errors)
    reservation = stock_reserve(
        warehouse=warehouse,
        part_model=part_model,
        quantity=quantity,
        actor=actor,
        purpose=f"meeting-assurance:{booking.pk}",
    )
    item = KitItem(booking=booking, reservation=reservation, site=site)
    item._history_user = _user(actor)
    item.save()
    return item


def _release_kit(booking: Booking, actor) -> None:
    for item in booking.kit.select_related("reservation"):
        if item.reservation.is_open:
            stock_release(item.reservation, actor=actor)


@transaction.atomic
def kit_item_release(item: KitItem, *, actor) -> KitItem:
    """Give a kit part back to the warehouse's available stock."""
    _locked(item.booking)
    item = KitItem.objects.select_related("reservation").get(pk=item.pk)
    if not item.reservation.is_open:
        raise BookingRefused(_("The spare was already released or shipped."))
    stock_release(item.reservation, actor=actor)
    item.refresh_from_db()
    return item


# --- during and after the meeting -------------------------------------------------------------


@transaction.atomic
def booking_check_in(
    booking: Booking, *, engineer: User | int, actor, at: datetime | None = None
) -> Assignment:
    """An assigned engineer is at the meeting (from CHECK_IN_OPENS_BEFORE its start until
    its end)."""
    booking = _locked(booking)
    _refuse_unless_open(booking)
    now = timezone.now()
    at = aware(at) or now
    if at > now + FUTURE_TOLERANCE:
        raise ValidationError({"at": [_("The time is in the future.")]})
    engineer_id = engineer.pk if isinstance(engineer, User) else engineer
    assignment = booking.assignments.filter(
        engineer_id=engineer_id, released_at__isnull=True
    ).first()
    if assignment is None:
        raise ValidationError({"engineer": [_("This engineer does not guard the meeting.")]})
    if assignment.checked_in_at is not None:
        raise BookingRefused(
            _("Already checked in at %(time)s.") % {"time": _when(assignment.checked_in_at)}
        )
    if at < booking.starts_at - CHECK_IN_OPENS_BEFORE or at > booking.ends_at:
        raise BookingRefused(
            _("Check-in is open from %(opens)s until the meeting ends at %(end)s.")
            % {
                "opens": _when(booking.starts_at - CHECK_IN_OPENS_BEFORE),
                "end": _when(booking.ends_at),
            }
        )
    assignment.checked_in_at = at
    assignment._history_user = _user(actor)
    assignment.save(update_fields=["checked_in_at"])
    return assignment


@transaction.atomic
def booking_outcome(booking: Booking, *, outcome: Outcome | str, note: str = "", actor) -> Booking:
    """Record how the meeting went, once it has started; a correction is recorded again
    (history keeps both). The spare kit still held goes back to stock."""
    booking = _locked(booking)
    if booking.cancelled_at is not None:
        raise BookingRefused(_("The booking is cancelled."))
    now = timezone.now()
    if booking.starts_at > now:
        raise BookingRefused(_("The meeting has not started yet."))
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": [_("Choose an outcome.")]})
    user = _user(actor)
    if booking.outcome_recorded_at is None:
        _release_kit(booking, actor)
    booking.outcome = outcome
    booking.outcome_note = (note or "").strip()
    booking.outcome_recorded_at, booking.outcome_recorded_by = now, user
    errors = _model_errors(booking)
    _raise(errors)
    booking._history_user = user
    booking.save()
    return booking


def _incident_device(booking: Booking, device, errors: dict) -> Device | None:
    device = _resolve(Device, device, "device", errors, _("No such device."))
    if device is not None and not booking.sites.filter(pk=device.site_id).exists():
        errors["device"] = [_("The device is not at a site of the meeting.")]
    return device


def _open_record(incident: Incident, booking: Booking, fault_class, actor) -> None:
    errors: dict = {}
    if incident.device is None:
        errors["device"] = [_("Name the faulty device to open a service record.")]
    if not fault_class:
        errors["fault_class"] = [_("Choose the fault class.")]
    elif fault_class not in FaultClass.values:
        errors["fault_class"] = [_("No such fault class.")]
    _raise(errors)
    incident.service_record = service_record_open(
        device=incident.device,
        fault_class=fault_class,
        description=_("Meeting assurance “%(meeting)s”: %(description)s")
        % {"meeting": booking.title, "description": incident.description},
        caller_name=booking.contact_name,
        caller_phone=booking.contact_phone,
        reported_at=incident.occurred_at,
        actor=actor,
    )


@transaction.atomic
def incident_record(
    booking: Booking,
    *,
    description: str,
    occurred_at: datetime | None = None,
    site: Site | int | None = None,
    device: Device | int | None = None,
    open_service_record: bool = False,
    fault_class: FaultClass | str | None = None,
    actor,
) -> Incident:
    """Record an incident of the meeting; with `open_service_record` it opens a service
    record for the device (its clocks start at the incident's time), linked both ways."""
    booking = _locked(booking)
    if booking.cancelled_at is not None:
        raise BookingRefused(_("The booking is cancelled."))
    now = timezone.now()
    errors: dict = {}
    occurred_at = aware(occurred_at) or now
    if occurred_at > now + FUTURE_TOLERANCE:
        errors["occurred_at"] = [_("The time is in the future.")]
    if not (description or "").strip():
        errors["description"] = [_("Describe the incident.")]
    site = _booking_site(booking, site, errors)
    device = _incident_device(booking, device, errors)
    if site is not None and device is not None and device.site_id != site.pk:
        errors["device"] = [_("The device is at another site.")]
    _raise(errors)
    incident = Incident(
        booking=booking,
        site=site or (device.site if device else None),
        device=device,
        occurred_at=occurred_at,
        description=description.strip(),
        recorded_by=_user(actor),
    )
    if open_service_record:
        _open_record(incident, booking, fault_class, actor)
    incident._history_user = _user(actor)
    incident.save()
    return incident


@transaction.atomic
def incident_open_service_record(
    incident: Incident,
    *,
    fault_class: FaultClass | str,
    device: Device | int | None = None,
    actor,
) -> Incident:
    """Open the service record of an incident recorded without one."""
    booking = _locked(incident.booking)
    incident = _locking(Incident.objects).get(pk=incident.pk)
    if incident.service_record_id is not None:
        raise BookingRefused(_("The incident already has a service record."))
    if device is not None:
        errors: dict = {}
        incident.device = _incident_device(booking, device, errors)
        _raise(errors)
        incident.site = incident.device.site
    _open_record(incident, booking, fault_class, actor)
    incident._history_user = _user(actor)
    incident.save()
    return incident
