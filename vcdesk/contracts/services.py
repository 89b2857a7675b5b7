"""Every change to contracts goes through these functions."""

from django.db import transaction

from vcdesk.contracts.models import Contract
from vcdesk.core.services import validated_save


@transaction.atomic
def contract_create(*, actor, **fields) -> Contract:
    return validated_save(Contract(), actor=actor, changes=fields)


@transaction.atomic
def contract_update(contract: Contract, *, actor, **changes) -> Contract:
    contract = Contract.objects.select_for_update().get(pk=contract.pk)
    return validated_save(contract, actor=actor, changes=changes)
