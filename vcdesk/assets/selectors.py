"""Reads of the installed base, scoped to what the user may see (tenancy)."""

from datetime import date
from functools import cache

from django.db import connection
from django.db.models import QuerySet

from vcdesk.assets.models import Device, DeviceModel, FirmwareChange
from vcdesk.contracts.entitlement import Entitlement, entitlement_on
from vcdesk.contracts.models import Contract
from vcdesk.core.rawsql import instances_from_row, select_list
from vcdesk.core.tenancy import scope_to_user, sees_every_organisation
from vcdesk.customers.models import Site


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


def device_with_site_and_contract(*, user, pk: int) -> Device | None:
    """The device `pk` if `user` may see it, with its site and contract loaded: what a new
    service record needs (every hotline call reads it). The same answer as
    `device_visible(user=user).select_related("site", "contract").filter(pk=pk).first()`,
    in a statement written once (vcdesk.core.rawsql)."""
    if sees_every_organisation(user):
        sql, params = _device_sql(scoped=False), [pk]
    elif getattr(user, "is_active", False) and getattr(user, "organisation_id", None):
        sql, params = _device_sql(scoped=True), [pk, user.organisation_id]
    else:
        return None  # signed out, deactivated, or a contact without an organisation
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    (device, site, contract), _end = instances_from_row(row, Device, Site, Contract)
    device.site, device.contract = site, contract
    return device


@cache
def _device_sql(*, scoped: bool) -> str:
    q = connection.ops.quote_name
    d, s, c = (model._meta for model in (Device, Site, Contract))
    sql = (
        f"SELECT {select_list('d', Device)}, {select_list('s', Site)}, "
        f"{select_list('c', Contract)} FROM {q(d.db_table)} d "
        f"JOIN {q(s.db_table)} s ON s.{q(s.pk.column)} = d.{q(d.get_field('site').column)} "
        f"JOIN {q(c.db_table)} c ON c.{q(c.pk.column)} = d.{q(d.get_field('contract').column)} "
        f"WHERE d.{q(d.pk.column)} = %s"
    )
    if scoped:
        sql += f" AND d.{q(d.get_field('organisation').column)} = %s"
    return sql


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
