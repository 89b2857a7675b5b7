"""Customer issue records (客户问题记录, R9.2) and issue feedback records (客户问题回馈记录,
R9.3), field for field as the plan's forms.

An issue record's supervision log (问题督办过程记录) is a list of immutable rows. Two derived
columns are stored because the sweep and lists filter by them, and are written only by
vcdesk.feedback.services in the same transaction as the facts: `resolved_on` (the feedback
record's resolution date) and `overdue_at` (when the expected resolution date will have
passed unresolved; NULL once resolved or once the sweep has told the service managers).
"""

from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from vcdesk.calendars.workdays import BEIJING
from vcdesk.core.models import TimeStampedModel
from vcdesk.feedback.choices import IssueKind, IssueStatus, Urgency


def overdue_deadline(expected_on: date) -> datetime:
    """An expected resolution date has passed at the end of that day in Beijing."""
    return datetime.combine(expected_on + timedelta(days=1), time.min, tzinfo=BEIJING)


class IssueNumberSequence(models.Model):
    """The last issue number given on one Beijing day (`key` = "CI-20260310")."""

    key = models.CharField(max_length=20, primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}: {self.last}"


class IssueRecord(TimeStampedModel):
    """A customer's request or complaint, as the plan's form 客户问题记录."""

    number = models.CharField(_("record number"), max_length=20, unique=True)
    received_on = models.DateField(_("received on"))
    recorder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "customers.Organisation",
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="issue_records",
    )
    contact_name = models.CharField(_("contact person"), max_length=100)
    contact_phone = models.CharField(_("contact phone"), max_length=50, blank=True)
    contact_fax = models.CharField(_("contact fax"), max_length=50, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    details = models.TextField(_("details of the issue"))
    kind = models.CharField(
        _("type of issue"), max_length=20, choices=IssueKind.choices, default=IssueKind.REQUEST
    )
    urgency = models.CharField(
        _("urgency"), max_length=20, choices=Urgency.choices, default=Urgency.NORMAL
    )
    service_record = models.ForeignKey(
        "service.ServiceRecord",
        verbose_name=_("service record"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="issue_records",
    )
    passed_to = models.CharField(_("passed to (department or person)"), max_length=100, blank=True)
    passed_on = models.DateField(_("passed on"), null=True, blank=True)
    # Filled by the department the issue belongs to.
    expected_resolution_on = models.DateField(_("expected resolution date"), null=True, blank=True)
    planned_measures = models.TextField(_("planned measures"), blank=True)
    responsible_person = models.CharField(_("responsible person"), max_length=100, blank=True)
    specialist = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issue-handling specialist"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    resolved_on = models.DateField(_("resolved on"), null=True, blank=True, editable=False)
    overdue_at = models.DateTimeField(null=True, blank=True, editable=False)
    overdue_notified_at = models.DateTimeField(
        _("overdue notice sent at"), null=True, blank=True, editable=False
    )
    managers_alerted_at = models.DateTimeField(
        _("service managers alerted at"), null=True, blank=True, editable=False
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("customer issue record")
        verbose_name_plural = _("customer issue records")
        ordering = ["-received_on", "-id"]
        indexes = [
            models.Index(fields=["-received_on", "-id"], name="issue_received_idx"),
            models.Index(
                fields=["organisation", "-received_on", "-id"], name="issue_organisation_idx"
            ),
            models.Index(
                fields=["overdue_at"],
                name="issue_overdue_idx",
                condition=Q(overdue_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def status(self) -> IssueStatus:
        feedback = getattr(self, "feedback", None)
        if feedback is not None and feedback.customer_opinion_at is not None:
            return IssueStatus.CLOSED
        if self.resolved_on is not None:
            return IssueStatus.RESOLVED
        if self.passed_to or self.passed_on:
            return IssueStatus.PASSED
        return IssueStatus.NEW

    def get_status_display(self) -> str:
        return str(self.status.label)

    def is_overdue_on(self, today: date) -> bool:
        return (
            self.resolved_on is None
            and self.expected_resolution_on is not None
            and self.expected_resolution_on < today
        )

    @property
    def alerts_managers(self) -> bool:
        """A complaint or a very urgent issue is told to the service managers at once."""
        return self.kind == IssueKind.COMPLAINT or self.urgency == Urgency.VERY_URGENT

    @property
    def contact_numbers(self) -> str:
        """联系电话(传真、E-mail) as the form prints it."""
        return " / ".join(
            n for n in (self.contact_phone, self.contact_fax, self.contact_email) if n
        )


class IssueAttachment(models.Model):
    """A file that goes with the issue's details: the customer's fax, letter or a photo."""

    record = models.ForeignKey(IssueRecord, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="issues/%Y/%m/")
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["record_id", "uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name


class SupervisionEntry(models.Model):
    """A line of the supervision log (问题督办过程记录): from … to …, degree of resolution.
    Immutable: a later entry says how things went on."""

    record = models.ForeignKey(IssueRecord, on_delete=models.CASCADE, related_name="supervision")
    period_from = models.DateField(_("from"))
    period_to = models.DateField(_("to"))
    resolution = models.TextField(_("degree of resolution"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("supervision entry")
        verbose_name_plural = _("supervision entries")
        ordering = ["record_id", "period_from", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_to__gte=models.F("period_from")),
                name="supervision_period_in_order",
            )
        ]

    def __str__(self) -> str:
        return f"{self.record_id} {self.period_from}–{self.period_to}"


class FeedbackRecord(TimeStampedModel):
    """How an issue was handled and what the customer thinks of it (客户问题回馈记录)."""

    issue = models.OneToOneField(
        IssueRecord,
        verbose_name=_("customer issue record"),
        on_delete=models.PROTECT,
        related_name="feedback",
    )
    department = models.CharField(_("department the issue belongs to"), max_length=100)
    result = models.TextField(_("result of handling"))
    responsible_person = models.CharField(_("person responsible for handling"), max_length=100)
    department_head = models.CharField(_("head of department"), max_length=100, blank=True)
    department_head_opinion = models.TextField(_("opinion of the head of department"), blank=True)
    resolved_on = models.DateField(_("resolution date"), null=True, blank=True)
    customer_opinion = models.TextField(_("customer's opinion of the resolution"), blank=True)
    customer_opinion_at = models.DateTimeField(
        _("customer's opinion given at"), null=True, blank=True
    )
    customer_opinion_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("customer's opinion recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("issue feedback record")
        verbose_name_plural = _("issue feedback records")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.issue.number}"
