from datetime import date

from ninja import Field, ModelSchema, Router

from vcdesk.accounts.permissions import may_edit_contracts
from vcdesk.contracts import filters, selectors, services
from vcdesk.contracts.models import SLA_FIELDS, Contract
from vcdesk.core.api import Input, crud_routes

router = Router(tags=["contracts"])


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
