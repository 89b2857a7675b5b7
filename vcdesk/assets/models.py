from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from vcdesk.assets.choices import DeviceKind, DeviceStatus
from vcdesk.core.dates import add_years
from vcdesk.core.models import TimeStampedModel

# Repair is promised for discontinued models until this many years after end of production
# (service plan 1.4).
REPAIR_YEARS_AFTER_END_OF_PRODUCTION = 3


class DeviceModel(TimeStampedModel):
    """A product of a vendor: Polycom RMX 2000, Huawei TE40, …"""

    vendor = models.CharField(_("vendor"), max_length=100)
    name = models.CharField(_("model"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=DeviceKind.choices)
    end_of_production = models.DateField(_("end of production"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("device model")
        verbose_name_plural = _("device models")
        ordering = ["vendor", "name"]
        constraints = [
            models.UniqueConstraint(fields=["vendor", "name"], name="device_model_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.vendor} {self.name}"

    @property
    def repair_until(self):
        """Last day repair is promised; None means for life."""
        if self.end_of_production is None:
            return None
        return add_years(self.end_of_production, REPAIR_YEARS_AFTER_END_OF_PRODUCTION)


class Device(TimeStampedModel):
    """One installed unit, identified by its vendor and serial number."""

    model = models.ForeignKey(
        DeviceModel, verbose_name=_("model"), on_delete=models.PROTECT, related_name="devices"
    )
    # Copied from the model so that "serial unique per vendor" is a database constraint;
    # kept equal by the services (device_model_update rewrites it).
    vendor = models.CharField(_("vendor"), max_length=100, editable=False)
    serial = models.CharField(_("serial number"), max_length=100)
    site = models.ForeignKey(
        "customers.Site", verbose_name=_("site"), on_delete=models.PROTECT, related_name="devices"
    )
    # The site's organisation, copied so that a customer's device list is one index range
    # (organisation, id) instead of a walk over every device joined to its site; set by the
    # services from the site, and sites never move between organisations.
    organisation = models.ForeignKey(
        "customers.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="devices",
        editable=False,
        blank=True,
    )
    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("contract"),
        on_delete=models.PROTECT,
        related_name="devices",
    )
    firmware_version = models.CharField(_("firmware version"), max_length=100, blank=True)
    installed_on = models.DateField(_("installed on"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=DeviceStatus.choices, default=DeviceStatus.ACTIVE
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["vendor", "serial"], name="device_unique_serial")
        ]
        indexes = [
            models.Index(fields=["serial"], name="device_serial_idx"),
            models.Index(fields=["organisation", "id"], name="device_organisation_idx"),
            models.Index(fields=["site", "id"], name="device_site_idx"),
            models.Index(fields=["contract", "id"], name="device_contract_idx"),
            models.Index(fields=["model", "id"], name="device_model_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.model.name} #{self.serial}"

    def clean(self) -> None:
        # A device sits at a site of the organisation that holds its contract.
        Site = self._meta.get_field("site").related_model
        Contract = self._meta.get_field("contract").related_model
        site_org = Site.objects.filter(pk=self.site_id).values_list("organisation_id", flat=True)
        contract_org = Contract.objects.filter(pk=self.contract_id).values_list(
            "organisation_id", flat=True
        )
        if site_org and contract_org and site_org[0] != contract_org[0]:
            # Either may be the one to correct, so both are named.
            message = _("The site and the contract belong to different organisations.")
            raise ValidationError({"site": message, "contract": message})


class FirmwareChange(models.Model):
    """One change of the firmware a device runs (R7: which version, since when)."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="firmware_changes")
    from_version = models.CharField(_("from version"), max_length=100, blank=True)
    to_version = models.CharField(_("to version"), max_length=100)
    changed_at = models.DateTimeField(_("changed at"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("firmware change")
        verbose_name_plural = _("firmware changes")
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["device", "-changed_at"], name="firmware_device_idx")]

    def __str__(self) -> str:
        return f"{self.from_version or '—'} → {self.to_version}"
