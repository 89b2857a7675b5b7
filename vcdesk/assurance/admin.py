from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from vcdesk.assurance.models import Assignment, Booking, Check, Incident, KitItem


class ReadOnlyInline(admin.TabularInline):
    """Bookings change through their pages and the API (the services, which hold the
    locks that keep quota and staffing right); the admin only shows them."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class AssignmentInline(ReadOnlyInline):
    model = Assignment
    fields = ["engineer", "assigned_at", "assigned_by", "checked_in_at", "released_at"]


class CheckInline(ReadOnlyInline):
    model = Check
    fields = ["kind", "site", "result", "note", "checked_at", "checked_by"]


class KitItemInline(ReadOnlyInline):
    model = KitItem
    fields = ["reservation", "site"]


class IncidentInline(ReadOnlyInline):
    model = Incident
    fields = ["occurred_at", "site", "device", "description", "service_record"]


@admin.register(Booking)
class BookingAdmin(SimpleHistoryAdmin):
    """For looking bookings up; they change through their pages and the API."""

    list_display = [
        "title",
        "organisation",
        "starts_at",
        "importance",
        "contract_year",
        "extra",
        "cancelled_at",
        "outcome",
    ]
    list_filter = ["importance", "extra", "outcome"]
    search_fields = ["title", "organisation__name", "contact_name"]
    date_hierarchy = "starts_at"
    inlines = [AssignmentInline, CheckInline, KitItemInline, IncidentInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
