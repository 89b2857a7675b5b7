from django.apps import AppConfig
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


def _seed_calendar(*, using: str = DEFAULT_DB_ALIAS, apps=None, **kwargs) -> None:
    # vcdesk has one database. `apps` is the migration state: when the calendar tables are
    # not there (the app was migrated backwards) there is nothing to seed. `flush` (a
    # transaction test's teardown) sends no `apps`: the tables are there, emptied.
    if using != DEFAULT_DB_ALIAS:
        return
    if apps is not None:
        try:
            apps.get_model("calendars", "CalendarDay")
            apps.get_model("calendars", "CalendarYear")
        except LookupError:
            return
    from vcdesk.calendars.services import calendar_seed

    calendar_seed()


def _forget_work_calendar(**kwargs) -> None:
    from vcdesk.calendars.selectors import work_calendar_forget

    work_calendar_forget()


class CalendarsConfig(AppConfig):
    name = "vcdesk.calendars"
    verbose_name = _("Work calendar")

    def ready(self) -> None:
        # A fresh database gets the calendar at `migrate`; a newer `holidays` package adds its
        # years at the next `migrate`. Days an administrator edited are kept.
        post_migrate.connect(_seed_calendar, sender=self, dispatch_uid="vcdesk_calendar_seed")
        # Another process sees a change through the selector's version check; this process
        # (and a test that rolled back its days) must not keep a calendar built before it.
        day = self.get_model("CalendarDay")
        post_save.connect(_forget_work_calendar, sender=day, dispatch_uid="vcdesk_calendar_saved")
        post_delete.connect(
            _forget_work_calendar, sender=day, dispatch_uid="vcdesk_calendar_deleted"
        )
