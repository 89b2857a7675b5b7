from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from vcdesk.core.dates import add_years
from vcdesk.core.models import TimeStampedModel

# The service-level durations of a contract, in the order forms and the API show them.
SLA_FIELDS = (
    "response_minutes",
    "onsite_extra_minutes",
    "fix_on_site_minutes",
    "spare_ship_hours",
    "spare_arrival_working_days",
    "restore_hours",
)


class Contract(TimeStampedModel):
    """The signed service plan with one organisation, and the promises it makes.

    The service-level durations default to the plan's words: respond within 1 hour, on site
    within travel time + 1 hour, fixed within 2 hours of arrival or a spare ships within 24
    hours and arrives within 2 working days, outage no longer than 24 hours.
    """

    number = models.CharField(_("contract number"), max_length=50, unique=True)
    organisation = models.ForeignKey(
        "customers.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="contracts",
    )
    signed_on = models.DateField(_("signed on"))
    accepted_on = models.DateField(_("accepted on"), help_text=_("Warranty counts from here."))
    warranty_years = models.PositiveSmallIntegerField(
        _("warranty (years)"), default=3, validators=[MinValueValidator(0), MaxValueValidator(50)]
    )
    # Derived from accepted_on + warranty_years in save(), stored so that "in warranty on D"
    # is an indexed range query over hundreds of thousands of devices.
    warranty_ends_on = models.DateField(_("warranty ends on"), editable=False, db_index=True)
    inspections_per_year = models.PositiveSmallIntegerField(
        _("inspections per year"), default=1, validators=[MaxValueValidator(52)]
    )
    assurance_visits_per_year = models.PositiveSmallIntegerField(
        _("meeting assurances per year"), default=4, validators=[MaxValueValidator(365)]
    )
    free_upgrades = models.BooleanField(_("free software upgrades"), default=True)

    response_minutes = models.PositiveIntegerField(
        _("response time (minutes)"), default=60, validators=[MinValueValidator(1)]
    )
    onsite_extra_minutes = models.PositiveIntegerField(
        _("on site: minutes beyond travel time"), default=60
    )
    fix_on_site_minutes = models.PositiveIntegerField(
        _("fix on site (minutes)"), default=120, validators=[MinValueValidator(1)]
    )
    spare_ship_hours = models.PositiveIntegerField(
        _("spare ships within (hours)"), default=24, validators=[MinValueValidator(1)]
    )
    spare_arrival_working_days = models.PositiveSmallIntegerField(
        _("spare arrives within (working days)"), default=2, validators=[MinValueValidator(1)]
    )
    restore_hours = models.PositiveIntegerField(
        _("outage no longer than (hours)"), default=24, validators=[MinValueValidator(1)]
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-accepted_on", "number"]
        indexes = [models.Index(fields=["organisation", "accepted_on"], name="contract_org_idx")]

    def __str__(self) -> str:
        return self.number

    def clean(self) -> None:
        if self.accepted_on is not None and self.warranty_years is not None:
            try:
                add_years(self.accepted_on, self.warranty_years)
            except ValueError:
                raise ValidationError(
                    {"accepted_on": _("The warranty would end after the year 9999.")}
                ) from None

    def save(self, *args, **kwargs):
        # A pure derivation of two stored fields; doing it here keeps admin, services and
        # fixtures from ever storing an end date that disagrees with them.
        if self.accepted_on is not None and self.warranty_years is not None:
            self.warranty_ends_on = add_years(self.accepted_on, self.warranty_years)
            fields = kwargs.get("update_fields")
            if fields is not None and {"accepted_on", "warranty_years"} & set(fields):
                kwargs["update_fields"] = {*fields, "warranty_ends_on"}
        super().save(*args, **kwargs)

    @property
    def response_duration(self) -> timedelta:
        return timedelta(minutes=self.response_minutes)
