"""Every change to device models and devices goes through these functions."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vcdesk.assets.models import Device, DeviceModel, FirmwareChange
from vcdesk.core.services import validated_save
from vcdesk.customers.models import Site


@transaction.atomic
def device_model_create(*, actor, **fields) -> DeviceModel:
    return validated_save(DeviceModel(), actor=actor, changes=fields)


@transaction.atomic
def device_model_update(device_model: DeviceModel, *, actor, **changes) -> DeviceModel:
    device_model = DeviceModel.objects.select_for_update().get(pk=device_model.pk)
    device_model = validated_save(device_model, actor=actor, changes=changes)
    if "vendor" in changes:
        # Keep the copy that makes "serial unique per vendor" a database constraint; a
        # vendor that already has one of these serials is refused before the UPDATE fails.
        devices = Device.objects.filter(model=device_model)
        clash = Device.objects.filter(
            vendor=device_model.vendor, serial__in=devices.values("serial")
        ).exclude(model=device_model)
        if clash.exists():
            raise ValidationError(
                {
                    "vendor": _(
                        "This vendor already has a device with the serial number of a "
                        "device of this model."
                    )
                }
            )
        devices.update(vendor=device_model.vendor)
    return device_model


def _validated_device_save(device: Device, *, actor, changes: dict) -> Device:
    if "serial" in changes and isinstance(changes["serial"], str):
        changes["serial"] = changes["serial"].strip()
    if "model" in changes:
        model = DeviceModel.objects.filter(pk=getattr(changes["model"], "pk", changes["model"]))
        device.vendor = model.values_list("vendor", flat=True).first() or ""
    if "site" in changes:
        site = Site.objects.filter(pk=getattr(changes["site"], "pk", changes["site"]))
        device.organisation_id = site.values_list("organisation_id", flat=True).first()
    return validated_save(device, actor=actor, changes=changes)


@transaction.atomic
def device_create(*, actor, **fields) -> Device:
    device = _validated_device_save(Device(), actor=actor, changes=fields)
    if device.firmware_version:
        FirmwareChange.objects.create(
            device=device,
            to_version=device.firmware_version,
            changed_at=timezone.now(),
            changed_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
    return device


@transaction.atomic
def device_update(device: Device, *, actor, note: str = "", **changes) -> Device:
    device = Device.objects.select_for_update().get(pk=device.pk)
    old_firmware = device.firmware_version
    device = _validated_device_save(device, actor=actor, changes=changes)
    if device.firmware_version != old_firmware:
        FirmwareChange.objects.create(
            device=device,
            from_version=old_firmware,
            to_version=device.firmware_version,
            changed_at=timezone.now(),
            changed_by=actor if getattr(actor, "is_authenticated", False) else None,
            note=note,
        )
    return device
