"""Reads of the installed base, scoped to what the user may see (tenancy)."""

from django.db.models import QuerySet

from vcdesk.assets.models import Device, DeviceModel, FirmwareChange
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
