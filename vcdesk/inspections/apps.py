from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


def _plan_after_commit(sender, instance, raw: bool = False, **kwargs) -> None:
    """A contract created or changed (its acceptance date, its years) gets its inspection
    plans once the transaction commits; the contracts app knows nothing of inspections."""
    if raw:  # loaddata: the fixture brings its own rows
        return
    from django.db import transaction

    from vcdesk.inspections.services import inspection_plans_ensure

    contract_id = instance.pk
    transaction.on_commit(lambda: inspection_plans_ensure(contract=contract_id, actor=None))


class InspectionsConfig(AppConfig):
    name = "vcdesk.inspections"
    verbose_name = _("Inspections")

    def ready(self) -> None:
        post_save.connect(
            _plan_after_commit,
            sender="contracts.Contract",
            dispatch_uid="vcdesk_inspection_plans_for_contract",
        )
