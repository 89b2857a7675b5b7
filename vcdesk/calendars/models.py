from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from vcdesk.calendars.choices import CalendarDayKind, CalendarDaySource
from vcdesk.core.models import TimeStampedModel


class CalendarDay(TimeStampedModel):
    """An exception to the Monday–Friday rule: a public holiday, or a day worked in its place.

    Only exceptions are stored. A holiday on a weekend is stored too when the State Council
    names it (harmless); an adjusted working day (调休上班) is a Saturday or Sunday. An
    administrator may also mark a weekday as a working day, which undoes a holiday the
    package gives, and keeps it undone when the calendar is seeded again.
    """

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=CalendarDayKind.choices)
    name = models.CharField(_("name"), max_length=200, blank=True)
    source = models.CharField(
        _("source"),
        max_length=20,
        choices=CalendarDaySource.choices,
        default=CalendarDaySource.EDITED,
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}".rstrip()


class CalendarYear(models.Model):
    """A year whose days were seeded from the `holidays` package, and when."""

    year = models.PositiveSmallIntegerField(_("year"), unique=True)
    seeded_at = models.DateTimeField(_("seeded at"))

    class Meta:
        verbose_name = _("calendar year")
        verbose_name_plural = _("calendar years")
        ordering = ["year"]

    def __str__(self) -> str:
        return str(self.year)
