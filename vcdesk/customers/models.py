from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from vcdesk.core.models import TimeStampedModel
from vcdesk.customers.choices import Industry


class Organisation(TimeStampedModel):
    """A customer (甲方) that signed a service plan."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    industry = models.CharField(
        _("industry"), max_length=20, choices=Industry.choices, default=Industry.OTHER
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.short_name or self.name


class Site(TimeStampedModel):
    """A meeting room or equipment room; `travel_minutes` drives the on-site promise."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="sites"
    )
    name = models.CharField(_("name"), max_length=200)
    city = models.CharField(_("city"), max_length=50)
    address = models.CharField(_("address"), max_length=300, blank=True)
    travel_minutes = models.PositiveIntegerField(
        _("travel time (minutes)"),
        validators=[MinValueValidator(0)],
        help_text=_("Travel time from the nearest service base."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("site")
        verbose_name_plural = _("sites")
        ordering = ["organisation_id", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="site_unique_name"),
            models.CheckConstraint(
                condition=models.Q(travel_minutes__gte=0), name="site_travel_minutes_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} · {self.name}"


class Contact(TimeStampedModel):
    """A person at the customer: caller, consignee, meeting organiser."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="contacts",
    )
    name = models.CharField(_("name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    fax = models.CharField(_("fax"), max_length=50, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    role = models.CharField(_("role"), max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        # Names repeat within an organisation; the id keeps pages from overlapping.
        ordering = ["organisation_id", "name", "id"]
        indexes = [models.Index(fields=["phone"], name="contact_phone_idx")]

    def __str__(self) -> str:
        return self.name
