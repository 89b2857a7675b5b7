from django.contrib import admin
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from vcdesk.calendars.models import CalendarDay, CalendarYear
from vcdesk.calendars.services import calendar_day_delete, calendar_day_set


class YearFilter(admin.SimpleListFilter):
    title = _("year")
    parameter_name = "year"

    def lookups(self, request, model_admin):
        years = CalendarDay.objects.dates("date", "year", order="DESC")
        return [(str(day.year), str(day.year)) for day in years]

    def queryset(self, request, queryset):
        if (year := self.value() or "").isdigit():
            return queryset.filter(date__year=int(year))
        return queryset


@admin.register(CalendarDay)
class CalendarDayAdmin(SimpleHistoryAdmin):
    """Days are corrected here for next year's announcement; every save goes through the
    service, which marks the day edited so that seeding never overwrites it."""

    list_display = ["date", "weekday", "kind", "name", "source"]
    list_editable = ["kind", "name"]
    list_filter = [YearFilter, "kind", "source"]
    search_fields = ["name"]
    fields = ["date", "kind", "name", "source"]
    readonly_fields = ["source"]
    ordering = ["-date"]

    @admin.display(description=_("weekday"))
    def weekday(self, day: CalendarDay) -> str:
        return WEEKDAYS[day.date.weekday()]

    def get_readonly_fields(self, request, obj=None):
        # A day is its date: to move an exception, set the new day and remove the old one.
        return [*self.readonly_fields, "date"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        saved = calendar_day_set(day=obj.date, kind=obj.kind, name=obj.name, actor=request.user)
        obj.pk, obj._state.adding = saved.pk, False
        obj.refresh_from_db()

    def delete_model(self, request, obj):
        calendar_day_delete(day=obj.date, actor=request.user)

    def delete_queryset(self, request, queryset):
        for day in queryset.values_list("date", flat=True):
            calendar_day_delete(day=day, actor=request.user)


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ["year", "seeded_at"]
    ordering = ["-year"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
