from datetime import date

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, ModelSchema, Query, Router, Schema

from vcdesk.accounts.permissions import may_edit_contracts
from vcdesk.assets.selectors import device_visible
from vcdesk.contracts import filters, selectors, services
from vcdesk.contracts.entitlement import Charge
from vcdesk.contracts.models import Contract
from vcdesk.core.api import ErrorOut, Input, crud_routes, get_visible_or_404

router = Router(tags=["contracts"])

SLA_FIELDS = [
    "response_minutes",
    "onsite_extra_minutes",
    "fix_on_site_minutes",
    "spare_ship_hours",
    "spare_arrival_working_days",
    "restore_hours",
]


class ContractOut(ModelSchema):
    class Meta:
        model = Contract
        fields = [
            "id",
            "number",
            "organisation",
            "signed_on",
            "accepted_on",
            "warranty_years",
            "warranty_ends_on",
            "inspections_per_year",
            "assurance_visits_per_year",
            "free_upgrades",
            *SLA_FIELDS,
        ]


class ContractIn(Input):
    number: str = Field(min_length=1, max_length=50)
    organisation: int
    signed_on: date
    accepted_on: date
    warranty_years: int = Field(3, ge=0, le=50)
    inspections_per_year: int = Field(1, ge=0, le=52)
    assurance_visits_per_year: int = Field(4, ge=0, le=365)
    free_upgrades: bool = True
    response_minutes: int = Field(60, ge=1)
    onsite_extra_minutes: int = Field(60, ge=0)
    fix_on_site_minutes: int = Field(120, ge=1)
    spare_ship_hours: int = Field(24, ge=1)
    spare_arrival_working_days: int = Field(2, ge=1, le=60)
    restore_hours: int = Field(24, ge=1)


class ContractPatch(Input):
    number: str = Field(None, min_length=1, max_length=50)
    signed_on: date = None
    accepted_on: date = None
    warranty_years: int = Field(None, ge=0, le=50)
    inspections_per_year: int = Field(None, ge=0, le=52)
    assurance_visits_per_year: int = Field(None, ge=0, le=365)
    free_upgrades: bool = None
    response_minutes: int = Field(None, ge=1)
    onsite_extra_minutes: int = Field(None, ge=0)
    fix_on_site_minutes: int = Field(None, ge=1)
    spare_ship_hours: int = Field(None, ge=1)
    spare_arrival_working_days: int = Field(None, ge=1, le=60)
    restore_hours: int = Field(None, ge=1)


crud_routes(
    router,
    path="/contracts",
    name="contracts",
    out=ContractOut,
    create_in=ContractIn,
    patch_in=ContractPatch,
    filters=filters.ContractFilter,
    visible=selectors.contract_visible,
    may_write=may_edit_contracts,
    create=services.contract_create,
    update=services.contract_update,
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
    device = get_visible_or_404(device_visible(user=request.auth), device_id)
    return selectors.device_entitlement(device=device, on=query.on or timezone.localdate())
