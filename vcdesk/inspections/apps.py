from django.apps import AppConfig
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_migrate, post_save
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


def _ensure_checklist(*, using: str = DEFAULT_DB_ALIAS, apps=None, **kwargs) -> None:
    # A database whose checklist table is empty (a test run's flush) gets the defaults
    # again. `migrate` passes its migration state: when the table is not in it (migrated
    # backwards) there is nothing to seed; `flush` passes none, and the tables are there.
    if using != DEFAULT_DB_ALIAS:
        return
    if apps is not None:
        try:
            apps.get_model("inspections", "ChecklistItemTemplate")
        except LookupError:
            return
    from vcdesk.inspections.defaults import default_checklist_ensure

    default_checklist_ensure()


class InspectionsConfig(AppConfig):
    name = "vcdesk.inspections"
    verbose_name = _("Inspections")

    def ready(self) -> None:
        post_migrate.connect(
            _ensure_checklist, sender=self, dispatch_uid="vcdesk_inspection_checklist"
        )
        post_save.connect(
            _plan_after_commit,
            sender="contracts.Contract",
            dispatch_uid="vcdesk_inspection_plans_for_contract",
        )
