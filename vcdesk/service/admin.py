from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from vcdesk.service.models import Clock, EscalationLevel, ServiceEvent, ServiceRecord


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ClockInline(ReadOnlyInline):
    model = Clock
    fields = ["kind", "started_at", "due_at", "met_at", "breached_at", "paused_at", "cancelled_at"]


class EventInline(ReadOnlyInline):
    model = ServiceEvent
    fields = ["type", "at", "note", "engineer", "actor", "recorded_at"]


@admin.register(ServiceRecord)
class ServiceRecordAdmin(SimpleHistoryAdmin):
    """Read-only: records change only by events (pages and API), so the clocks follow."""

    list_display = ["number", "organisation", "fault_class", "status", "reported_at", "queue_key"]
    list_filter = ["status", "fault_class", "has_breach"]
    search_fields = ["=number", "=caller_phone", "=device__serial"]
    list_select_related = ["organisation"]
    inlines = [ClockInline, EventInline]
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(EscalationLevel)
class EscalationLevelAdmin(SimpleHistoryAdmin):
    list_display = ["name", "trigger", "delay_minutes", "audience", "active"]
    list_editable = ["active"]
