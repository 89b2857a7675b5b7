from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _grant_role_permissions(**kwargs) -> None:
    from vcdesk.accounts.services import role_permissions_grant

    role_permissions_grant()


class AccountsConfig(AppConfig):
    name = "vcdesk.accounts"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        # Permissions exist only once every app has migrated; grant them then, every time.
        post_migrate.connect(_grant_role_permissions, dispatch_uid="vcdesk_role_permissions")
