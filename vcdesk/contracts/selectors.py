"""Reads of contracts, scoped to what the user may see (tenancy)."""

from django.db.models import QuerySet

from vcdesk.contracts.models import Contract
from vcdesk.core.tenancy import scope_to_user


def contract_visible(*, user) -> QuerySet[Contract]:
    return scope_to_user(
        Contract.objects.select_related("organisation"),
        user=user,
        organisation_path="organisation_id",
    )
