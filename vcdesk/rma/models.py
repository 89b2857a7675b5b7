"""RMA repairs (设备维修申请表, R4.3), advance replacement (R4.4) and post-warranty quotes and
orders (R11).

Facts are stored: an RMA's events (one row per step, with who and when), its product and
replacement-part lines with their times, a quote's sent / accepted / declined times. Status
is derived from them. Two derived columns are stored on the RMA because lists filter by
them: `status` (the last step of the flow recorded) and `owed_since` (an advance
replacement shipped while the faulty unit is not yet received). They are written only by
vcdesk.rma.services, in the same transaction as the events.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from vcdesk.calendars.workdays import BEIJING
from vcdesk.core.models import TimeStampedModel
from vcdesk.rma.choices import QuoteLineKind, QuoteStatus, RmaEventType, RmaStatus

post_code_validator = RegexValidator(r"^[0-9]{6}\Z", _("A post code is six digits."))


class DocumentNumberSequence(models.Model):
    """The last number given to a kind of document in one year (`key` = "RMA-2026");
    locked to hand out the next."""

    key = models.CharField(max_length=20, primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}: {self.last}"


class Rma(TimeStampedModel):
    """A repair through the vendor: the plan's form 设备维修申请表, field for field."""

    number = models.CharField(_("RMA number"), max_length=20, unique=True)
    filler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("filled in by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    service_record = models.ForeignKey(
        "service.ServiceRecord",
        verbose_name=_("service record"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rmas",
    )
    date = models.DateField(_("date"))
    requested_at = models.DateTimeField(_("repair requested at"))
    # The customer (用户资料)
    organisation = models.ForeignKey(
        "customers.Organisation",
        verbose_name=_("customer unit"),
        on_delete=models.PROTECT,
        related_name="rmas",
    )
    contact_name = models.CharField(_("contact person"), max_length=100)
    phone = models.CharField(_("phone"), max_length=50)
    fax = models.CharField(_("fax"), max_length=50, blank=True)
    consignee = models.CharField(_("consignee"), max_length=100)
    address = models.CharField(_("consignee's full address"), max_length=300)
    post_code = models.CharField(_("post code"), max_length=6, validators=[post_code_validator])
    fault_symptom = models.TextField(_("fault symptom"))
    cause_and_measures = models.TextField(_("cause analysis and measures"), blank=True)

    status = models.CharField(
        _("status"), max_length=20, choices=RmaStatus.choices, default=RmaStatus.REQUESTED
    )
    owed_since = models.DateTimeField(_("faulty unit owed since"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("RMA")
        verbose_name_plural = _("RMAs")
        ordering = ["-requested_at", "-id"]
        indexes = [
            models.Index(fields=["-requested_at", "-id"], name="rma_requested_idx"),
            models.Index(fields=["organisation", "-requested_at"], name="rma_organisation_idx"),
            models.Index(fields=["status", "-requested_at"], name="rma_status_idx"),
            models.Index(
                fields=["owed_since"], name="rma_owed_idx", condition=Q(owed_since__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def service_number(self) -> str:
        return self.service_record.number if self.service_record_id else ""

    def owed_days_at(self, now: datetime) -> int | None:
        """Whole days (Beijing calendar) the faulty unit has been owed, or None."""
        if self.owed_since is None:
            return None
        since: date = self.owed_since.astimezone(BEIJING).date()
        return (now.astimezone(BEIJING).date() - since).days


class RmaProduct(models.Model):
    """A line of 维修产品情况: the faulty unit (usually one), linked to the device when known."""

    rma = models.ForeignKey(Rma, on_delete=models.CASCADE, related_name="products")
    device = models.ForeignKey(
        "assets.Device",
        verbose_name=_("device"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rma_lines",
    )
    device_model = models.CharField(_("device model"), max_length=200)
    serial = models.CharField(_("serial number"), max_length=100)
    quantity = models.PositiveIntegerField(
        _("quantity"), default=1, validators=[MinValueValidator(1)]
    )
    received_at = models.DateTimeField(_("unit received at"), null=True, blank=True)
    returned_to_bonded_at = models.DateTimeField(
        _("returned to the bonded warehouse at"), null=True, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("RMA product line")
        verbose_name_plural = _("RMA product lines")
        ordering = ["rma_id", "id"]
        indexes = [models.Index(fields=["serial"], name="rma_product_serial_idx")]

    def __str__(self) -> str:
        return f"{self.device_model} #{self.serial}"


class RmaPart(models.Model):
    """A line of 更换零备件记录: a replacement part. An advance replacement (先行发货) is one
    shipped from a warehouse, through the spares services, before the faulty unit came in."""

    rma = models.ForeignKey(Rma, on_delete=models.CASCADE, related_name="parts")
    part_model = models.ForeignKey(
        "spares.PartModel",
        verbose_name=_("spare-part model"),
        on_delete=models.PROTECT,
        related_name="rma_lines",
    )
    serial = models.CharField(_("serial number"), max_length=100, blank=True)
    quantity = models.PositiveIntegerField(
        _("quantity"), default=1, validators=[MinValueValidator(1)]
    )
    arrived_at = models.DateTimeField(_("part arrived at"), null=True, blank=True)
    returned_to_user_at = models.DateTimeField(_("returned to the user at"), null=True, blank=True)
    advance = models.BooleanField(_("advance replacement"), default=False)
    warehouse = models.ForeignKey(
        "spares.Warehouse",
        verbose_name=_("shipped from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reservation = models.OneToOneField(
        "spares.Reservation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rma_part",
    )
    shipped_at = models.DateTimeField(_("replacement shipped at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("RMA replacement part")
        verbose_name_plural = _("RMA replacement parts")
        ordering = ["rma_id", "id"]

    def __str__(self) -> str:
        return f"{self.part_model_id} #{self.serial}"


class RmaEvent(models.Model):
    """One step of an RMA. Immutable: corrections are new events."""

    rma = models.ForeignKey(Rma, on_delete=models.CASCADE, related_name="events")
    type = models.CharField(_("event"), max_length=20, choices=RmaEventType.choices)
    at = models.DateTimeField(_("time"))
    note = models.TextField(_("note"), blank=True)
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
        verbose_name = _("RMA event")
        verbose_name_plural = _("RMA events")
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["rma", "at", "id"], name="rma_event_idx")]

    def __str__(self) -> str:
        return f"{self.rma_id} {self.type} {self.at:%Y-%m-%d %H:%M}"


class Quote(TimeStampedModel):
    """A post-warranty repair's price (R11): labour free, each part at no more than its
    market price. Draft → sent → accepted (an order follows) or declined."""

    number = models.CharField(_("quote number"), max_length=20, unique=True)
    organisation = models.ForeignKey(
        "customers.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="quotes",
    )
    device = models.ForeignKey(
        "assets.Device", verbose_name=_("device"), on_delete=models.PROTECT, related_name="quotes"
    )
    rma = models.ForeignKey(
        Rma,
        verbose_name=_("RMA"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quotes",
    )
    service_record = models.ForeignKey(
        "service.ServiceRecord",
        verbose_name=_("service record"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quotes",
    )
    repair_on = models.DateField(_("repair date"))
    warranty_ends_on = models.DateField(_("warranty ends on"))
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("prepared by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    accepted_at = models.DateTimeField(_("customer accepted at"), null=True, blank=True)
    declined_at = models.DateTimeField(_("customer declined at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decision recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision_note = models.TextField(_("decision note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rma__isnull=True, service_record__isnull=False)
                | Q(rma__isnull=False, service_record__isnull=True),
                name="quote_for_one_repair",
            ),
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(declined_at__isnull=True),
                name="quote_one_decision",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "-created_at"], name="quote_org_idx")]

    def __str__(self) -> str:
        return self.number

    @property
    def status(self) -> QuoteStatus:
        if self.accepted_at:
            return QuoteStatus.ACCEPTED
        if self.declined_at:
            return QuoteStatus.DECLINED
        if self.sent_at:
            return QuoteStatus.SENT
        return QuoteStatus.DRAFT

    def get_status_display(self) -> str:
        return str(self.status.label)

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines.all()), Decimal("0.00"))

    @property
    def last_warranty_day(self) -> date:
        return self.warranty_ends_on - timedelta(days=1)

    @property
    def repair_number(self) -> str:
        return self.rma.number if self.rma_id else self.service_record.number


class QuoteLine(models.Model):
    """Labour (always free: 人工费全免) or a part at a unit price no higher than its market
    price. The price cap is checked by the services when the quote is written."""

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(_("line"))
    kind = models.CharField(_("kind"), max_length=10, choices=QuoteLineKind.choices)
    part_model = models.ForeignKey(
        "spares.PartModel",
        verbose_name=_("spare-part model"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="quote_lines",
    )
    description = models.CharField(_("description"), max_length=300)
    quantity = models.PositiveIntegerField(
        _("quantity"), default=1, validators=[MinValueValidator(1)]
    )
    unit_price = models.DecimalField(
        _("unit price (CNY)"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    market_price = models.DecimalField(
        _("market price when quoted (CNY)"), max_digits=12, decimal_places=2, null=True
    )

    class Meta:
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")
        ordering = ["quote_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["quote", "position"], name="quote_line_position"),
            models.CheckConstraint(
                condition=~Q(kind=QuoteLineKind.LABOUR) | Q(unit_price=0),
                name="quote_labour_free",
            ),
            models.CheckConstraint(
                condition=~Q(kind=QuoteLineKind.PART)
                | Q(part_model__isnull=False, unit_price__lte=models.F("market_price")),
                name="quote_part_at_most_market_price",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quote_id}/{self.position}"

    @property
    def amount(self) -> Decimal:
        return self.unit_price * self.quantity


class Order(TimeStampedModel):
    """The paid repair ordered when the customer accepted a quote."""

    number = models.CharField(_("order number"), max_length=20, unique=True)
    quote = models.OneToOneField(
        Quote, verbose_name=_("quote"), on_delete=models.PROTECT, related_name="order"
    )
    organisation = models.ForeignKey(
        "customers.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="orders",
    )
    ordered_at = models.DateTimeField(_("ordered at"))
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-ordered_at", "-id"]
        indexes = [models.Index(fields=["organisation", "-ordered_at"], name="order_org_idx")]

    def __str__(self) -> str:
        return self.number

    @property
    def total(self) -> Decimal:
        return self.quote.total
