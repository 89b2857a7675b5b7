"""Meeting assurance (会议保障, R6): a customer's important meeting, guarded by senior
engineers.

A `Booking` is the request: who, which sites, when, how important. Stored facts: the times
it was booked, cancelled, and its outcome recorded; the contract year it counts in and
whether it was beyond the year's quota (`extra`), both fixed by vcdesk.assurance.services
at booking time under the contract's row lock. Derived: its status, and whether it is
staffed (`engineers_required` is fixed by the service from importance and site count).

An `Assignment` puts one senior engineer on one booking. It carries a copy of the booking's
times so that "is this engineer free?" is one indexed range query and, on PostgreSQL, an
exclusion constraint (migration 0002) refuses two overlapping live assignments of one
engineer even if a code path forgot the lock.

Checks (device check per site, rehearsal) are immutable rows; the latest per site counts.
The spare kit is a set of stock reservations made through vcdesk.spares.services.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from vcdesk.assurance.choices import (
    BookingStatus,
    CheckKind,
    CheckResult,
    Importance,
    Outcome,
    Staffing,
)
from vcdesk.core.models import TimeStampedModel

# Kept, where simple-history would discard it, so that the services can write a booking's
# history row once its sites are set as well (services._save_with_sites).
BOOKING_HISTORY = HistoricalRecords(m2m_fields=["sites"])


class Booking(TimeStampedModel):
    """A meeting assurance request (会议保障申请)."""

    title = models.CharField(_("meeting title"), max_length=200)
    organisation = models.ForeignKey(
        "customers.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="assurance_bookings",
    )
    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("contract"),
        on_delete=models.PROTECT,
        related_name="assurance_bookings",
    )
    sites = models.ManyToManyField(
        "customers.Site", verbose_name=_("participating sites"), related_name="+"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    importance = models.CharField(
        _("importance"), max_length=20, choices=Importance.choices, default=Importance.NORMAL
    )
    expected_participants = models.PositiveIntegerField(
        _("expected participants"),
        validators=[MinValueValidator(1), MaxValueValidator(100_000)],
    )
    contact_name = models.CharField(_("contact person"), max_length=100)
    contact_phone = models.CharField(_("contact phone"), max_length=50)
    notes = models.TextField(_("notes"), blank=True, max_length=5000)

    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("booked by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    booked_at = models.DateTimeField(_("booked at"))
    # Fixed by the service under the contract's row lock (see vcdesk.assurance.services).
    contract_year = models.PositiveSmallIntegerField(_("contract year"))
    extra = models.BooleanField(
        _("beyond the quota"),
        default=False,
        help_text=_("Booked when the contract year's included meeting assurances were used up."),
    )
    engineers_required = models.PositiveSmallIntegerField(_("engineers required"), default=1)

    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)

    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(_("outcome note"), blank=True, max_length=5000)
    outcome_recorded_at = models.DateTimeField(_("outcome recorded at"), null=True, blank=True)
    outcome_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("outcome recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    history = BOOKING_HISTORY

    class Meta:
        verbose_name = _("meeting assurance booking")
        verbose_name_plural = _("meeting assurance bookings")
        ordering = ["-starts_at", "-id"]
        indexes = [
            models.Index(fields=["starts_at", "ends_at"], name="booking_time_idx"),
            models.Index(fields=["organisation", "-starts_at"], name="booking_organisation_idx"),
            models.Index(fields=["contract", "contract_year"], name="booking_contract_year_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="booking_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def status(self) -> BookingStatus:
        if self.cancelled_at:
            return BookingStatus.CANCELLED
        if self.outcome_recorded_at:
            return BookingStatus.DONE
        if any(a.checked_in_at for a in self.live_assignments):
            return BookingStatus.UNDER_WAY
        return BookingStatus.BOOKED

    @property
    def live_assignments(self) -> list["Assignment"]:
        """Assignments not released, from the prefetched rows when the selector loaded them."""
        return [a for a in self.assignments.all() if a.released_at is None]

    @property
    def staffing(self) -> Staffing:
        if len(self.live_assignments) >= self.engineers_required:
            return Staffing.STAFFED
        return Staffing.UNDERSTAFFED

    @property
    def is_open(self) -> bool:
        """Neither cancelled nor finished: the steps before and during the meeting apply."""
        return self.cancelled_at is None and self.outcome_recorded_at is None


class Assignment(models.Model):
    """One senior engineer guarding one booking. `starts_at`/`ends_at` copy the booking's
    times (kept in step by the services) so that availability is a range query on this
    table alone; a released assignment keeps its row."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="assignments")
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("engineer"),
        on_delete=models.PROTECT,
        related_name="assurance_assignments",
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    assigned_at = models.DateTimeField(_("assigned at"))
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    released_at = models.DateTimeField(_("released at"), null=True, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("released by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("engineer assignment")
        verbose_name_plural = _("engineer assignments")
        ordering = ["booking_id", "assigned_at", "id"]
        indexes = [
            models.Index(
                fields=["engineer", "starts_at", "ends_at"],
                name="assignment_engineer_time_idx",
                condition=Q(released_at__isnull=True),
            )
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["booking", "engineer"],
                condition=Q(released_at__isnull=True),
                name="assignment_one_live_per_engineer",
            ),
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="assignment_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.engineer} @ {self.booking_id}"


class Check(models.Model):
    """A device check of one site, or a rehearsal of the meeting flow. Immutable: a check
    done again is another row, and the latest one counts."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="checks")
    kind = models.CharField(_("kind"), max_length=20, choices=CheckKind.choices)
    site = models.ForeignKey(
        "customers.Site",
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    result = models.CharField(_("result"), max_length=20, choices=CheckResult.choices)
    note = models.TextField(_("note"), blank=True, max_length=5000)
    checked_at = models.DateTimeField(_("checked at"))
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("checked by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("pre-meeting check")
        verbose_name_plural = _("pre-meeting checks")
        ordering = ["booking_id", "checked_at", "id"]
        constraints = [
            # A device check is of one site; a rehearsal is of the whole meeting.
            models.CheckConstraint(
                condition=(
                    Q(kind=CheckKind.DEVICE_CHECK, site__isnull=False)
                    | Q(kind=CheckKind.REHEARSAL, site__isnull=True)
                ),
                name="check_site_matches_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.result} @ {self.booking_id}"


class KitItem(models.Model):
    """A part of the spare kit held for the meeting: one stock reservation made through
    vcdesk.spares.services (purpose `meeting-assurance:<booking id>`), optionally for the
    site where the rehearsal found a fault. Released when the booking is cancelled or its
    outcome recorded."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="kit")
    reservation = models.OneToOneField(
        "spares.Reservation", on_delete=models.PROTECT, related_name="assurance_kit_item"
    )
    site = models.ForeignKey(
        "customers.Site",
        verbose_name=_("for site"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("spare kit item")
        verbose_name_plural = _("spare kit items")
        ordering = ["booking_id", "id"]

    def __str__(self) -> str:
        return f"{self.reservation} for {self.booking_id}"


class Incident(TimeStampedModel):
    """Something that went wrong before or during the meeting; it can open a service record
    (linked) so the fault is handled with its clocks."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="incidents")
    site = models.ForeignKey(
        "customers.Site",
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    device = models.ForeignKey(
        "assets.Device",
        verbose_name=_("device"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    occurred_at = models.DateTimeField(_("occurred at"))
    description = models.TextField(_("description"), max_length=5000)
    service_record = models.OneToOneField(
        "service.ServiceRecord",
        verbose_name=_("service record"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assurance_incident",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["booking_id", "occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.booking_id}: {self.description[:40]}"
