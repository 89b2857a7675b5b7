"""Service records (售后服务记录), their events, and the clocks that prove each promise.

Facts are stored (events with their times, each clock's start, due, met, pause and cancel
times); status and clock state are derived from them. Three derived columns are stored on
the record because lists filter and sort by them over hundreds of thousands of rows:
`status`, `queue_key` (the next due time of a running clock) and `has_breach`. They are
written only by vcdesk.service.services, in the same transaction as the facts.
"""

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from vcdesk.core.models import TimeStampedModel
from vcdesk.service.choices import (
    HANDLING_RULES,
    ClockKind,
    ClockState,
    EventType,
    FaultClass,
    RecordStatus,
)

# Sort key of records with no running clock: after every real due time.
QUEUE_END = datetime(9999, 12, 31, tzinfo=UTC)


class ServiceRecord(TimeStampedModel):
    number = models.CharField(_("service number"), max_length=20, unique=True)
    # Indexed by record_device_idx and record_org_queue_idx, which lead with them: a second,
    # single-column index would only cost every new record another write.
    device = models.ForeignKey(
        "assets.Device",
        verbose_name=_("device"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    organisation = models.ForeignKey(
        "customers.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="service_records",
        db_index=False,
    )
    site = models.ForeignKey(
        "customers.Site", verbose_name=_("site"), on_delete=models.PROTECT, related_name="+"
    )
    caller_name = models.CharField(_("caller"), max_length=100)
    caller_phone = models.CharField(_("caller phone"), max_length=50)
    caller_fax = models.CharField(_("caller fax"), max_length=50, blank=True)
    caller_email = models.EmailField(_("caller e-mail"), blank=True)
    duty_officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("duty officer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    support_staff = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("support staff"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    fault_class = models.CharField(_("fault class"), max_length=20, choices=FaultClass.choices)
    description = models.TextField(_("fault description"))
    reported_at = models.DateTimeField(_("reported at"))

    status = models.CharField(
        _("status"), max_length=20, choices=RecordStatus.choices, default=RecordStatus.NEW
    )
    queue_key = models.DateTimeField(_("next due"), default=QUEUE_END)
    has_breach = models.BooleanField(_("a promise was broken"), default=False)
    # Status, queue position and breach flag follow from the events and clocks, which are
    # kept for good (who, when, what); the change history keeps the form's own fields.
    # The history is read per record (by `id`, kept indexed), never by these: no index on
    # them in the history table, which every new record and every change writes to.
    history = HistoricalRecords(
        excluded_fields=["status", "queue_key", "has_breach"],
        no_db_index=["number", "device", "organisation", "site", "duty_officer", "support_staff"],
    )

    class Meta:
        verbose_name = _("service record")
        verbose_name_plural = _("service records")
        ordering = ["queue_key", "id"]
        indexes = [
            models.Index(fields=["queue_key", "id"], name="record_queue_idx"),
            models.Index(fields=["organisation", "queue_key", "id"], name="record_org_queue_idx"),
            models.Index(fields=["status", "queue_key", "id"], name="record_status_queue_idx"),
            models.Index(fields=["has_breach", "queue_key", "id"], name="record_breach_queue_idx"),
            # The open records only (the queue's backlog, not the history): the queue's page
            # and its count, for staff or a customer, read the backlog alone. `status` and
            # `has_breach` are key columns, not `include=` (SQLite ignores it), so SQLite
            # answers from the index: it re-checks the bound `NOT status = %s` term. The
            # condition must stay what `ServiceRecordFilter.filter_open` writes.
            models.Index(
                fields=["queue_key", "id", "status", "has_breach"],
                condition=~models.Q(status=RecordStatus.CLOSED),
                name="record_open_queue_idx",
            ),
            models.Index(
                fields=["organisation", "queue_key", "id", "status", "has_breach"],
                condition=~models.Q(status=RecordStatus.CLOSED),
                name="record_org_open_queue_idx",
            ),
            models.Index(fields=["device", "-reported_at"], name="record_device_idx"),
            models.Index(fields=["caller_phone"], name="record_caller_phone_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    # Labels read by every row of the queue: the enum's label, where get_FOO_display() would
    # rebuild the field's choices on each call.
    @property
    def status_label(self) -> str:
        return RecordStatus(self.status).label

    @property
    def fault_class_label(self) -> str:
        return FaultClass(self.fault_class).label

    @property
    def handling_rule(self) -> str:
        return str(HANDLING_RULES[FaultClass(self.fault_class)])

    @property
    def next_due_at(self) -> datetime | None:
        return None if self.queue_key == QUEUE_END else self.queue_key


class RecordNumberSequence(models.Model):
    """The last service number given on one (Beijing) day; locked to hand out the next."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.day}: {self.last}"


class ServiceEvent(models.Model):
    """One step of the fault-handling process. Immutable: corrections are new events."""

    record = models.ForeignKey(
        ServiceRecord, on_delete=models.CASCADE, related_name="events", db_index=False
    )  # indexed by event_record_idx
    type = models.CharField(_("event"), max_length=20, choices=EventType.choices)
    at = models.DateTimeField(_("time"))
    note = models.TextField(_("note"), blank=True)
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("engineer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("service event")
        verbose_name_plural = _("service events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["record", "at", "id"], name="event_record_idx")]

    def __str__(self) -> str:
        return f"{self.record_id} {self.type} {self.at:%Y-%m-%d %H:%M}"


class HistoryEntry(models.Model):
    """A line of the form's history: time, symptom, action or solution."""

    record = models.ForeignKey(
        ServiceRecord, on_delete=models.CASCADE, related_name="history_entries", db_index=False
    )  # indexed by history_entry_record_idx
    at = models.DateTimeField(_("time"))
    symptom = models.TextField(_("symptom"), blank=True)
    action = models.TextField(_("action or solution"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("history entry")
        verbose_name_plural = _("history entries")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["record", "at"], name="history_entry_record_idx")]

    def __str__(self) -> str:
        return f"{self.record_id} {self.at:%Y-%m-%d %H:%M}"


class Dispatch(models.Model):
    """A field engineer sent to the site for a record (R3), and how the visit went."""

    record = models.ForeignKey(ServiceRecord, on_delete=models.CASCADE, related_name="dispatches")
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("field engineer"),
        on_delete=models.PROTECT,
        related_name="dispatches",
    )
    assigned_at = models.DateTimeField(_("assigned at"))
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    set_out_at = models.DateTimeField(_("set out at"), null=True, blank=True)
    arrived_at = models.DateTimeField(_("arrived at"), null=True, blank=True)
    departed_at = models.DateTimeField(_("departed at"), null=True, blank=True)
    report = models.TextField(_("on-site report"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dispatch")
        verbose_name_plural = _("dispatches")
        ordering = ["assigned_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["record", "engineer"], name="dispatch_unique_engineer")
        ]
        indexes = [models.Index(fields=["engineer", "departed_at"], name="dispatch_engineer_idx")]

    def __str__(self) -> str:
        return f"{self.record_id} → {self.engineer_id}"


class EscalationTrigger(models.TextChoices):
    WARNING = "warning", _("Warning")
    BREACH = "breach", _("Breach")


class EscalationAudience(models.TextChoices):
    ASSIGNEES = "assignees", _("The record's assignees")
    SERVICE_MANAGER = "service_manager", _("Service managers")
    HEAD_OF_SERVICE = "head_of_service", _("Head of service")


class EscalationLevel(models.Model):
    """Who is told when a clock nears or passes its due time: data, not code.

    A level fires `delay_minutes` after the clock's warning time (trigger warning) or due
    time (trigger breach). Defaults: warning → assignees; breach → service managers;
    breach + 2 h → head of service.
    """

    name = models.CharField(_("name"), max_length=100)
    trigger = models.CharField(_("trigger"), max_length=10, choices=EscalationTrigger.choices)
    delay_minutes = models.PositiveIntegerField(_("minutes after the trigger"), default=0)
    audience = models.CharField(_("who is told"), max_length=20, choices=EscalationAudience.choices)
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("escalation level")
        verbose_name_plural = _("escalation levels")
        ordering = ["trigger", "delay_minutes", "id"]

    def __str__(self) -> str:
        return self.name


class Clock(models.Model):
    """One promise of the plan on one record: started, due, and met (or not) in time.

    `due_at` is computed once at start by a pure function and stored; a customer hold moves
    it by the time held. `next_escalation_at` is when the sweep must next act on it (warn,
    notify a breach, escalate further); NULL when nothing is pending.
    """

    record = models.ForeignKey(
        ServiceRecord, on_delete=models.CASCADE, related_name="clocks", db_index=False
    )  # indexed by clock_record_idx
    kind = models.CharField(_("clock"), max_length=20, choices=ClockKind.choices)
    started_at = models.DateTimeField(_("started at"))
    due_at = models.DateTimeField(_("due at"))
    warn_at = models.DateTimeField(_("warning from"))
    met_at = models.DateTimeField(_("met at"), null=True, blank=True)
    breached_at = models.DateTimeField(_("breached at"), null=True, blank=True)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    held_seconds = models.PositiveIntegerField(_("held (seconds)"), default=0)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    warned_at = models.DateTimeField(_("warned at"), null=True, blank=True)
    escalation_step = models.PositiveSmallIntegerField(default=0)
    next_escalation_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("clock")
        verbose_name_plural = _("clocks")
        ordering = ["started_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["record", "kind"],
                condition=models.Q(met_at__isnull=True, cancelled_at__isnull=True),
                name="clock_one_open_per_kind",
            )
        ]
        indexes = [
            models.Index(fields=["record", "kind"], name="clock_record_idx"),
            models.Index(
                fields=["next_escalation_at"],
                name="clock_sweep_idx",
                condition=models.Q(next_escalation_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.record_id} {self.kind}"

    @property
    def kind_label(self) -> str:
        return ClockKind(self.kind).label

    @property
    def is_open(self) -> bool:
        return self.met_at is None and self.cancelled_at is None

    def state_at(self, now: datetime) -> ClockState:
        if self.met_at is not None:
            return ClockState.MET if self.met_at <= self.due_at else ClockState.BREACHED
        if self.breached_at is not None:
            return ClockState.BREACHED  # once broken, a promise stays broken
        if self.cancelled_at is not None:
            return ClockState.CANCELLED
        if self.paused_at is not None:
            return ClockState.PAUSED
        return ClockState.BREACHED if now > self.due_at else ClockState.RUNNING

    def warning_at(self, now: datetime) -> bool:
        return self.state_at(now) == ClockState.RUNNING and now >= self.warn_at

    def held_minutes_at(self, now: datetime) -> int:
        held = timedelta(seconds=self.held_seconds)
        if self.paused_at is not None and self.is_open:
            held += max(now - self.paused_at, timedelta(0))
        return int(held.total_seconds() // 60)
