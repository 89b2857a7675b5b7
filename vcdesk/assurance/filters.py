"""The booking list's filters: one definition for the pages and the API."""

from datetime import date, datetime, time
from typing import Annotated

from django.db.models import Count, F, Q
from ninja import FilterLookup

from vcdesk.assurance.choices import BookingStatus, Importance, Staffing
from vcdesk.assurance.models import Assignment, Booking
from vcdesk.calendars.workdays import BEIJING
from vcdesk.core.api import Filters

_LIVE = Q(assignments__released_at__isnull=True)

_OPEN = Q(cancelled_at__isnull=True, outcome_recorded_at__isnull=True)


def status_q(status: BookingStatus) -> Q:
    """Status is derived from the booking's timestamps and its engineers' check-ins."""
    checked_in = Q(
        pk__in=Assignment.objects.filter(
            released_at__isnull=True, checked_in_at__isnull=False
        ).values("booking_id")
    )
    return {
        BookingStatus.CANCELLED: Q(cancelled_at__isnull=False),
        BookingStatus.DONE: Q(cancelled_at__isnull=True, outcome_recorded_at__isnull=False),
        BookingStatus.UNDER_WAY: _OPEN & checked_in,
        BookingStatus.BOOKED: _OPEN & ~checked_in,
    }[status]


def _beijing_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=BEIJING)


class BookingFilter(Filters):
    organisation: Annotated[int | None, FilterLookup("organisation_id")] = None
    contract: Annotated[int | None, FilterLookup("contract_id")] = None
    importance: Importance | None = None
    extra: bool | None = None
    status: BookingStatus | None = None
    staffing: Staffing | None = None
    engineer: int | None = None
    starts_from: date | None = None
    starts_until: date | None = None
    q: str | None = None

    def filter_status(self, value: BookingStatus | None) -> Q:
        return status_q(value) if value else Q()

    def filter_staffing(self, value: Staffing | None) -> Q:
        """Understaffed: fewer live assignments than the meeting needs (cancelled and
        finished bookings are neither)."""
        if not value:
            return Q()
        short = Booking.objects.annotate(n=Count("assignments", filter=_LIVE)).filter(
            n__lt=F("engineers_required")
        )
        understaffed = Q(pk__in=short.values("pk"))
        return _OPEN & (understaffed if value == Staffing.UNDERSTAFFED else ~understaffed)

    def filter_engineer(self, value: int | None) -> Q:
        if value is None:
            return Q()
        return Q(
            pk__in=Assignment.objects.filter(engineer_id=value, released_at__isnull=True).values(
                "booking_id"
            )
        )

    def filter_starts_from(self, value: date | None) -> Q:
        """Meetings starting on this Beijing day or later."""
        return Q(starts_at__gte=_beijing_midnight(value)) if value else Q()

    def filter_starts_until(self, value: date | None) -> Q:
        """Meetings starting on this Beijing day or earlier."""
        if not value:
            return Q()
        return Q(starts_at__lt=_beijing_midnight(date.fromordinal(value.toordinal() + 1)))

    def filter_q(self, value: str | None) -> Q:
        """The search box: the meeting's title or its contact person."""
        if not value or not value.strip():
            return Q()
        value = value.strip()
        return Q(title__icontains=value) | Q(contact_name__icontains=value)
