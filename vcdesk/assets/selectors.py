"""Reads of the installed base, scoped to what the user may see (tenancy)."""

from datetime import date

from django.db.models import QuerySet

from vcdesk.assets.models import Device, DeviceModel, FirmwareChange
from vcdesk.contracts.entitlement import Entitlement, entitlement_on
from vcdesk.core.tenancy import scope_to_user, sees_every_organisation


def device_model_visible(*, user) -> QuerySet[DeviceModel]:
    """Staff see the whole catalogue; a customer contact sees the models they own."""
    if sees_every_organisation(user):
        return DeviceModel.objects.all()
    owned = scope_to_user(
        Device.objects.all(), user=user, organisation_path="organisation_id"
    ).values("model_id")
    return DeviceModel.objects.filter(pk__in=owned)


def device_visible(*, user) -> QuerySet[Device]:
    return scope_to_user(
        Device.objects.select_related("model", "site", "organisation", "contract"),
        user=user,
        organisation_path="organisation_id",
    )


def device_firmware_history(*, device: Device) -> QuerySet[FirmwareChange]:
    return device.firmware_changes.select_related("changed_by")


def device_entitlement(*, device: Device, on: date) -> Entitlement:
    """What `device` is owed on `on`, from its contract and its model."""
    contract = device.contract
    return entitlement_on(
        on=on,
        accepted_on=contract.accepted_on,
        warranty_years=contract.warranty_years,
        repair_until=device.model.repair_until,
        free_upgrades=contract.free_upgrades,
    )
