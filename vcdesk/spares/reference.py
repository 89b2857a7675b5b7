"""Writes of the spares reference data: warehouses and part models.

Stock, reservations and spare requests change through vcdesk.spares.services; these are the
plain create/update services of the two catalogues the API (and later the admin) edits.
"""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from vcdesk.assets.models import DeviceModel
from vcdesk.core.services import validated_save
from vcdesk.spares.models import PartModel, StockMovement, Warehouse


@transaction.atomic
def warehouse_create(*, actor, **fields) -> Warehouse:
    return validated_save(Warehouse(), actor=actor, changes=fields)


@transaction.atomic
def warehouse_update(warehouse: Warehouse, *, actor, **changes) -> Warehouse:
    warehouse = Warehouse.objects.select_for_update().get(pk=warehouse.pk)
    return validated_save(warehouse, actor=actor, changes=changes)


def _device_models(ids: Iterable[int | DeviceModel]) -> list[DeviceModel]:
    ids = {getattr(i, "pk", i) for i in ids}
    found = list(DeviceModel.objects.filter(pk__in=ids))
    missing = sorted(ids - {m.pk for m in found})
    if missing:
        raise ValidationError(
            {
                "device_models": [
                    _("No such device model: %(ids)s.") % {"ids": ", ".join(map(str, missing))}
                ]
            }
        )
    return found


@transaction.atomic
def part_model_create(*, actor, device_models: Iterable[int] = (), **fields) -> PartModel:
    models = _device_models(device_models)
    part_model = validated_save(PartModel(), actor=actor, changes=fields)
    part_model.device_models.set(models)
    return part_model


@transaction.atomic
def part_model_update(
    part_model: PartModel, *, actor, device_models: Iterable[int] | None = None, **changes
) -> PartModel:
    models = None if device_models is None else _device_models(device_models)
    part_model = PartModel.objects.select_for_update().get(pk=part_model.pk)
    if (
        "serialised" in changes
        and changes["serialised"] != part_model.serialised
        and StockMovement.objects.filter(part_model=part_model).exists()
    ):
        # Stock counted by serial (or not) would no longer add up.
        raise ValidationError(
            {"serialised": [_("This part model has stock movements; it stays as it is.")]}
        )
    if changes:
        part_model = validated_save(part_model, actor=actor, changes=changes)
    if models is not None:
        part_model.device_models.set(models)
    return part_model
