"""Reads of meeting assurance bookings, scoped to what the user may see (tenancy).

Staff see every organisation's bookings; a customer contact only their own organisation's,
and another organisation's booking is simply not there (404).
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from vcdesk.accounts.choices import Role
from vcdesk.accounts.models import User
from vcdesk.assurance import quota
from vcdesk.assurance.models import Assignment, Booking, Check, Incident, KitItem
from vcdesk.calendars.workdays import BEIJING
from vcdesk.contracts.models import Contract
from vcdesk.contracts.selectors import contract_visible
from vcdesk.core.tenancy import scope_to_user


def booking_visible(*, user) -> QuerySet[Booking]:
    """Bookings, latest meeting first, with their sites and engineers in two more queries."""
    return scope_to_user(
        Booking.objects.select_related("organisation", "contract").prefetch_related(
            "sites",
            Prefetch(
                "assignments",
                queryset=Assignment.objects.select_related(
                    "engineer", "assigned_by", "released_by"
                ).order_by("assigned_at", "id"),
            ),
        ),
        user=user,
        organisation_path="organisation_id",
    )


def booking_detail(*, user, pk: int) -> Booking | None:
    """One booking with everything its page and the API's detail show."""
    return (
        booking_visible(user=user)
        .select_related("booked_by", "cancelled_by", "outcome_recorded_by")
        .prefetch_related(
            Prefetch(
                "checks",
                queryset=Check.objects.select_related("site", "checked_by").order_by(
                    "checked_at", "id"
                ),
            ),
            Prefetch(
                "kit",
                queryset=KitItem.objects.select_related(
                    "reservation__part_model", "reservation__warehouse", "site"
                ),
            ),
            Prefetch(
                "incidents",
                queryset=Incident.objects.select_related(
                    "site", "device__model", "service_record", "recorded_by"
                ),
            ),
        )
        .filter(pk=pk)
        .first()
    )


def bookings_between(*, user, start: datetime, end: datetime) -> QuerySet[Booking]:
    """The bookings `user` may see whose meeting overlaps [start, end), earliest first;
    cancelled bookings left out. For calendars (the manager's calendar of inspections and
    bookings)."""
    return (
        booking_visible(user=user)
        .filter(starts_at__lt=end, ends_at__gt=start, cancelled_at__isnull=True)
        .order_by("starts_at", "id")
    )


def senior_engineers() -> QuerySet[User]:
    """Who may guard a meeting: active field engineers marked senior."""
    return (
        User.objects.filter(
            is_active=True,
            is_senior=True,
            organisation__isnull=True,
            groups__name=Role.FIELD_ENGINEER.value,
        )
        .distinct()
        .order_by("full_name", "username")
    )


def busy_assignments(*, start: datetime, end: datetime) -> QuerySet[Assignment]:
    """Live assignments overlapping [start, end)."""
    return Assignment.objects.filter(released_at__isnull=True, starts_at__lt=end, ends_at__gt=start)


def engineers_free(*, start: datetime, end: datetime, exclude_booking: int | None = None):
    """Senior engineers with no live assignment overlapping [start, end) (on another
    booking than `exclude_booking`)."""
    busy = busy_assignments(start=start, end=end)
    if exclude_booking is not None:
        busy = busy.exclude(booking_id=exclude_booking)
    return senior_engineers().exclude(pk__in=busy.values("engineer_id"))


@dataclass(frozen=True)
class QuotaUse:
    """A contract year's meeting assurances: `included` by the contract, `in_quota` booked
    against it, `extra` booked beyond it (cancelled bookings count in neither)."""

    contract: Contract
    contract_year: int
    starts_on: date
    ends_on: date  # exclusive: the next contract year's first day
    included: int
    in_quota: int
    extra: int

    @property
    def used(self) -> int:
        return self.in_quota + self.extra

    @property
    def remaining(self) -> int:
        return max(self.included - self.in_quota, 0)


def quota_use(*, contract: Contract, on: date | None = None) -> QuotaUse | None:
    """The use of `contract`'s meeting assurance quota in the contract year containing `on`
    (today, Beijing time, by default); None before the contract's acceptance."""
    on = on or timezone.localdate(timezone=BEIJING)
    if on < contract.accepted_on:
        return None
    year = quota.contract_year_of(contract.accepted_on, on)
    starts_on, ends_on = quota.contract_year_bounds(contract.accepted_on, year)
    live = Booking.objects.filter(
        contract=contract, contract_year=year, cancelled_at__isnull=True
    ).values_list("extra", flat=True)
    flags = list(live)
    return QuotaUse(
        contract=contract,
        contract_year=year,
        starts_on=starts_on,
        ends_on=ends_on,
        included=contract.assurance_visits_per_year,
        in_quota=flags.count(False),
        extra=flags.count(True),
    )


def quota_overview(
    *, user, organisation_id: int | None = None, on: date | None = None
) -> list[QuotaUse]:
    """The current contract year's quota use of every accepted contract `user` may see (a
    customer contact: their organisation's), or of one organisation's."""
    on = on or timezone.localdate(timezone=BEIJING)
    contracts = contract_visible(user=user).filter(accepted_on__lte=on).order_by("number")
    if organisation_id is not None:
        contracts = contracts.filter(organisation_id=organisation_id)
    return [use for c in contracts if (use := quota_use(contract=c, on=on)) is not None]


def bookable_contracts(*, user, organisation_id: int | None = None) -> QuerySet[Contract]:
    contracts = contract_visible(user=user)
    if organisation_id is not None:
        contracts = contracts.filter(organisation_id=organisation_id)
    return contracts.order_by("-accepted_on", "number")


def bookings_of_engineer(*, engineer: User, since: datetime) -> QuerySet[Booking]:
    """The live bookings an engineer guards that have not ended before `since`."""
    return (
        Booking.objects.filter(
            Q(assignments__engineer=engineer, assignments__released_at__isnull=True),
            ends_at__gt=since,
            cancelled_at__isnull=True,
        )
        .select_related("organisation")
        .prefetch_related("sites", "assignments__engineer")
        .distinct()
        .order_by("starts_at")
    )
