"""Preventive inspections (巡检, R5): plans per contract year, the inspections in them, the
filled checklists, findings turned into service records, training given, and the archived
report.

Facts are stored (due date, start and completion times, each answer, each event); the status
is derived from them. Two deadlines are stored and indexed, like a clock's: `remind_at`
(N days before the due date) and `overdue_at` (the day after it), each with the time the
sweep told people (`reminded_at`, `overdue_notified_at`); vcdesk.inspections.sweep marks them
with conditional UPDATEs so two workers never tell twice.

An inspection is open until it is completed or cancelled (`OPEN_Q`): only open ones are
reminded of, overdue, or on an engineer's and a customer's list of visits to come.
"""

import uuid
from datetime import date
from pathlib import PurePath

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from vcdesk.core.models import TimeStampedModel
from vcdesk.inspections.choices import (
    CheckArea,
    ChecklistScope,
    InspectionEventType,
    InspectionMethod,
    InspectionStatus,
    ItemResult,
)


def _in_ui_language(chinese: str, english: str) -> str:
    language = translation.get_language() or settings.LANGUAGE_CODE
    if language.lower().startswith("zh") or not english:
        return chinese
    return english


class ChecklistItemTemplate(TimeStampedModel):
    """One question of the checklist for a device kind or a site (R5.2). Editable in the
    admin; an inspection copies the active items' text when it starts, so later edits
    change future inspections only."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    scope = models.CharField(_("asked of"), max_length=20, choices=ChecklistScope.choices)
    area = models.CharField(_("area"), max_length=20, choices=CheckArea.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    label_zh = models.CharField(_("label (Chinese)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        ordering = ["scope", "position", "id"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return _in_ui_language(self.label_zh, self.label_en)


class InspectionPlan(TimeStampedModel):
    """The inspections of one contract year (year 1 starts on the contract's acceptance)."""

    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("contract"),
        on_delete=models.PROTECT,
        related_name="inspection_plans",
    )
    organisation = models.ForeignKey(
        "customers.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="inspection_plans",
        editable=False,
    )
    year = models.PositiveSmallIntegerField(_("contract year"), validators=[MinValueValidator(1)])
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    inspections_planned = models.PositiveSmallIntegerField(
        _("inspections planned"), validators=[MaxValueValidator(52)]
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("inspection plan")
        verbose_name_plural = _("inspection plans")
        ordering = ["contract_id", "year"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "year"], name="inspection_plan_unique_year")
        ]
        indexes = [
            models.Index(fields=["contract", "ends_on"], name="inspection_plan_current_idx"),
            models.Index(fields=["organisation", "starts_on"], name="inspection_plan_org_idx"),
        ]

    def __str__(self) -> str:
        return _("%(contract)s, year %(year)s") % {"contract": self.contract, "year": self.year}


class InspectionQuerySet(models.QuerySet):
    def with_status(self, status: InspectionStatus | str) -> "InspectionQuerySet":
        return self.filter(STATUS_Q[InspectionStatus(status)])

    def open(self) -> "InspectionQuerySet":
        """Neither completed nor cancelled: still to be done."""
        return self.filter(OPEN_Q)

    def overdue_on(self, day: date) -> "InspectionQuerySet":
        return self.filter(overdue_q(day))


# Still to be done. The sweep's partial indexes have the same condition (see Inspection.Meta).
OPEN_Q = Q(completed_at__isnull=True, cancelled_at__isnull=True)

STATUS_Q = {
    InspectionStatus.PLANNED: Q(started_at__isnull=True, cancelled_at__isnull=True),
    InspectionStatus.IN_PROGRESS: Q(started_at__isnull=False) & OPEN_Q,
    InspectionStatus.COMPLETED: Q(completed_at__isnull=False),
    InspectionStatus.CANCELLED: Q(cancelled_at__isnull=False),
}


def overdue_q(day: date) -> Q:
    """Open and due before `day` (Beijing's today)."""
    return OPEN_Q & Q(due_on__lt=day)


class Inspection(TimeStampedModel):
    """One preventive inspection: on site or by phone, due on a date, by one engineer."""

    number = models.CharField(_("inspection number"), max_length=80, unique=True)
    plan = models.ForeignKey(
        InspectionPlan,
        verbose_name=_("inspection plan"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("contract"),
        on_delete=models.PROTECT,
        related_name="inspections",
        editable=False,
    )
    # The contract's organisation, copied so that a customer's list is one index range.
    organisation = models.ForeignKey(
        "customers.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="inspections",
        editable=False,
    )
    sequence = models.PositiveSmallIntegerField(_("number in the year"))
    method = models.CharField(_("method"), max_length=20, choices=InspectionMethod.choices)
    due_on = models.DateField(_("due on"))
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("engineer"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    summary = models.TextField(_("conclusion"), blank=True)
    customer_representative = models.CharField(
        _("customer representative"), max_length=100, blank=True
    )
    # Cancelled: this visit of the contract year is not done (planning never recreates it).
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelled by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    # Deadlines, stored so that the sweep is one indexed query; written by the services.
    remind_at = models.DateTimeField(_("reminder due at"), editable=False)
    reminded_at = models.DateTimeField(_("reminded at"), null=True, blank=True, editable=False)
    overdue_at = models.DateTimeField(_("overdue from"), editable=False)
    overdue_notified_at = models.DateTimeField(
        _("overdue notice sent at"), null=True, blank=True, editable=False
    )
    history = HistoricalRecords(excluded_fields=["reminded_at", "overdue_notified_at"])

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "sequence"], name="inspection_unique_sequence"),
        ]
        indexes = [
            models.Index(fields=["due_on", "id"], name="inspection_due_idx"),
            models.Index(fields=["organisation", "due_on", "id"], name="inspection_org_due_idx"),
            models.Index(fields=["engineer", "due_on"], name="inspection_engineer_idx"),
            # What the sweep reads: open inspections not yet told about (sweep._notices).
            models.Index(
                fields=["remind_at"],
                name="inspection_remind_idx",
                condition=Q(reminded_at__isnull=True) & OPEN_Q,
            ),
            models.Index(
                fields=["overdue_at"],
                name="inspection_overdue_idx",
                condition=Q(overdue_notified_at__isnull=True) & OPEN_Q,
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def status(self) -> InspectionStatus:
        if self.cancelled_at is not None:
            return InspectionStatus.CANCELLED
        if self.completed_at is not None:
            return InspectionStatus.COMPLETED
        if self.started_at is not None:
            return InspectionStatus.IN_PROGRESS
        return InspectionStatus.PLANNED

    def get_status_display(self) -> str:
        return str(self.status.label)

    @property
    def is_open(self) -> bool:
        """Neither completed nor cancelled (OPEN_Q)."""
        return self.completed_at is None and self.cancelled_at is None

    def is_overdue_on(self, day: date) -> bool:
        return self.is_open and self.due_on < day

    def days_to_due(self, day: date) -> int:
        return (self.due_on - day).days


class InspectionEvent(models.Model):
    """One step of an inspection, with who, when and why. Immutable."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(_("event"), max_length=20, choices=InspectionEventType.choices)
    at = models.DateTimeField(_("time"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True)
    due_on_before = models.DateField(_("due before"), null=True, blank=True)
    due_on_after = models.DateField(_("due after"), null=True, blank=True)
    method_before = models.CharField(
        _("method before"), max_length=20, choices=InspectionMethod.choices, blank=True
    )
    method_after = models.CharField(
        _("method after"), max_length=20, choices=InspectionMethod.choices, blank=True
    )
    engineer_before = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("engineer before"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    engineer_after = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("engineer after"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("inspection event")
        verbose_name_plural = _("inspection events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.inspection} {self.get_type_display()}"


def attachment_path(instance: "ChecklistAnswer", filename: str) -> str:
    """MEDIA_ROOT/inspections/<inspection id>/<random>.<ext>: no user-chosen name on disk."""
    suffix = PurePath(filename).suffix.lower()
    return f"inspections/{instance.inspection_id}/{uuid.uuid4().hex}{suffix}"


class ChecklistAnswer(models.Model):
    """One line of an inspection's filled checklist: a question about one device or one
    site, with its text copied from the template when the inspection started."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="answers", verbose_name=_("inspection")
    )
    template_item = models.ForeignKey(
        ChecklistItemTemplate,
        verbose_name=_("checklist item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    site = models.ForeignKey(
        "customers.Site", verbose_name=_("site"), on_delete=models.PROTECT, related_name="+"
    )
    device = models.ForeignKey(
        "assets.Device",
        verbose_name=_("device"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty for the site's environment checks."),
    )
    position = models.PositiveIntegerField(_("position"))
    scope = models.CharField(_("asked of"), max_length=20, choices=ChecklistScope.choices)
    area = models.CharField(_("area"), max_length=20, choices=CheckArea.choices)
    label_zh = models.CharField(_("label (Chinese)"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200, blank=True)
    result = models.CharField(_("result"), max_length=20, choices=ItemResult.choices, blank=True)
    note = models.TextField(_("note"), blank=True)
    attachment = models.FileField(
        _("photo or file"), upload_to=attachment_path, max_length=200, blank=True
    )
    attachment_name = models.CharField(_("file name"), max_length=200, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("checklist answer")
        verbose_name_plural = _("checklist answers")
        ordering = ["inspection_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["inspection", "position"], name="checklist_answer_unique_position"
            )
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return _in_ui_language(self.label_zh, self.label_en)

    @property
    def is_image(self) -> bool:
        return self.attachment_name.lower().rsplit(".", 1)[-1] in {"jpg", "jpeg", "png", "webp"}


class Finding(models.Model):
    """A problem found during an inspection that could not be fixed on the spot: it became
    a service record with a fault class (R5.3). Immutable; the record carries it on."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.PROTECT, related_name="findings", verbose_name=_("inspection")
    )
    answer = models.ForeignKey(
        ChecklistAnswer,
        verbose_name=_("checklist item"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="findings",
    )
    device = models.ForeignKey(
        "assets.Device", verbose_name=_("device"), on_delete=models.PROTECT, related_name="+"
    )
    service_record = models.OneToOneField(
        "service.ServiceRecord",
        verbose_name=_("service record"),
        on_delete=models.PROTECT,
        related_name="inspection_finding",
    )
    description = models.TextField(_("description"))
    found_at = models.DateTimeField(_("found at"))
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("found by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["found_at", "id"]

    def __str__(self) -> str:
        return f"{self.inspection} → {self.service_record}"


class Training(models.Model):
    """User training given during the visit (R5.4): topic, who attended, how long."""

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="trainings", verbose_name=_("inspection")
    )
    topic = models.CharField(_("topic"), max_length=200)
    attendees = models.TextField(_("attendees"), help_text=_("Names, one per line or comma."))
    attendee_count = models.PositiveSmallIntegerField(
        _("number of attendees"), validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), validators=[MinValueValidator(1), MaxValueValidator(24 * 60)]
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("training")
        verbose_name_plural = _("trainings")
        ordering = ["recorded_at", "id"]

    def __str__(self) -> str:
        return self.topic


class InspectionReport(models.Model):
    """The inspection report (巡检报告) as printed when the inspection was completed, kept
    as it was (R5.5): written once, never changed; `sha256` proves the file unaltered."""

    inspection = models.OneToOneField(
        Inspection, on_delete=models.PROTECT, related_name="report", verbose_name=_("inspection")
    )
    pdf = models.FileField(_("PDF"), upload_to="inspections/reports/", max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("size (bytes)"))
    archived_at = models.DateTimeField(_("archived at"))

    class Meta:
        verbose_name = _("inspection report")
        verbose_name_plural = _("inspection reports")

    def __str__(self) -> str:
        return str(self.inspection)
