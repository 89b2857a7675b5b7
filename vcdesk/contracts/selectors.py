"""Reads of contracts and entitlement, scoped to what the user may see (tenancy)."""

from datetime import date

from django.db.models import QuerySet

from vcdesk.assets.models import Device
from vcdesk.contracts.entitlement import Entitlement, entitlement_on
from vcdesk.contracts.models import Contract
from vcdesk.core.tenancy import scope_to_user


def contract_visible(*, user) -> QuerySet[Contract]:
    return scope_to_user(
        Contract.objects.select_related("organisation"),
        user=user,
        organisation_path="organisation_id",
    )


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
