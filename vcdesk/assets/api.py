from datetime import date

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, ModelSchema, Query, Router, Schema

from vcdesk.accounts.permissions import may_edit_installed_base
from vcdesk.assets import filters, selectors, services
from vcdesk.assets.choices import DeviceKind, DeviceStatus
from vcdesk.assets.models import Device, DeviceModel
from vcdesk.contracts.entitlement import Charge
from vcdesk.core.api import ErrorOut, Input, crud_routes, get_visible_or_404

router = Router(tags=["installed base"])


class DeviceModelOut(ModelSchema):
    class Meta:
        model = DeviceModel
        fields = ["id", "vendor", "name", "kind", "end_of_production"]


class DeviceModelIn(Input):
    vendor: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=100)
    kind: DeviceKind
    end_of_production: date | None = None


class DeviceModelPatch(Input):
    vendor: str = Field(None, min_length=1, max_length=100)
    name: str = Field(None, min_length=1, max_length=100)
    kind: DeviceKind = None
    end_of_production: date | None = None


class DeviceOut(ModelSchema):
    organisation: int

    class Meta:
        model = Device
        fields = [
            "id",
            "model",
            "serial",
            "site",
            "contract",
            "firmware_version",
            "installed_on",
            "status",
        ]

    @staticmethod
    def resolve_organisation(obj: Device) -> int:
        return obj.organisation_id


class DeviceIn(Input):
    model: int
    serial: str = Field(min_length=1, max_length=100)
    site: int
    contract: int
    firmware_version: str = Field("", max_length=100)
    installed_on: date | None = None
    status: DeviceStatus = DeviceStatus.ACTIVE


class DevicePatch(Input):
    model: int = None
    serial: str = Field(None, min_length=1, max_length=100)
    site: int = None
    contract: int = None
    firmware_version: str = Field(None, max_length=100)
    installed_on: date | None = None
    status: DeviceStatus = None


crud_routes(
    router,
    path="/device-models",
    name="device_models",
    out=DeviceModelOut,
    create_in=DeviceModelIn,
    patch_in=DeviceModelPatch,
    filters=filters.DeviceModelFilter,
    visible=selectors.device_model_visible,
    may_write=may_edit_installed_base,
    create=services.device_model_create,
    update=services.device_model_update,
)
crud_routes(
    router,
    path="/devices",
    name="devices",
    out=DeviceOut,
    create_in=DeviceIn,
    patch_in=DevicePatch,
    filters=filters.DeviceFilter,
    visible=selectors.device_visible,
    may_write=may_edit_installed_base,
    create=services.device_create,
    update=services.device_update,
)


class EntitlementOut(Schema):
    in_warranty: bool
    warranty_ends_on: date
    repair_until: date | None
    repair_available: bool
    parts: Charge
    labour: Charge
    remote_support: Charge
    upgrades: Charge


class EntitlementQuery(Schema):
    on: date | None = None


@router.get(
    "/devices/{int:device_id}/entitlement",
    response={200: EntitlementOut, 404: ErrorOut},
    operation_id="devices_entitlement",
    tags=["installed base"],
)
def device_entitlement(request: HttpRequest, device_id: int, query: Query[EntitlementQuery]):
    """What the device is owed on a date (default: today in Asia/Shanghai)."""
    device = get_visible_or_404(selectors.device_visible(user=request.auth), device_id)
    return selectors.device_entitlement(device=device, on=query.on or timezone.localdate())
