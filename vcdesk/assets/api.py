from datetime import date

from ninja import Field, ModelSchema, Router

from vcdesk.accounts.permissions import may_edit_installed_base
from vcdesk.assets import filters, selectors, services
from vcdesk.assets.choices import DeviceKind, DeviceStatus
from vcdesk.assets.models import Device, DeviceModel
from vcdesk.core.api import Input, crud_routes

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
