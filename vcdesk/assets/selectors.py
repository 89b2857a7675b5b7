"""Reads of the installed base, scoped to what the user may see (tenancy)."""

from django.db.models import QuerySet

from vcdesk.assets.models import Device, DeviceModel, FirmwareChange
from vcdesk.core.tenancy import scope_to_user, visible_organisation_id


def device_model_visible(*, user) -> QuerySet[DeviceModel]:
    """Staff see the whole catalogue; a customer contact sees the models they own."""
    queryset = DeviceModel.objects.all()
    if not user or not user.is_authenticated or not user.is_active:
        return queryset.none()
    organisation_id = visible_organisation_id(user)
    if organisation_id is None:
        return queryset
    owned = Device.objects.filter(site__organisation_id=organisation_id).values("model_id")
    return queryset.filter(pk__in=owned)


def device_visible(*, user) -> QuerySet[Device]:
    return scope_to_user(
        Device.objects.select_related("model", "site", "site__organisation", "contract"),
        user=user,
        organisation_path="site__organisation_id",
    )


def device_firmware_history(*, device: Device) -> QuerySet[FirmwareChange]:
    return device.firmware_changes.select_related("changed_by")
