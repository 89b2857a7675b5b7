from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from vcdesk.inspections.models import (
    ChecklistAnswer,
    ChecklistItemTemplate,
    Finding,
    Inspection,
    InspectionEvent,
    InspectionPlan,
    InspectionReport,
    Training,
)


@admin.register(ChecklistItemTemplate)
class ChecklistItemTemplateAdmin(SimpleHistoryAdmin):
    """The checklist's questions are data: edit, reorder, add or deactivate them here. An
    inspection copies the text when it starts, so edits change future inspections only."""

    list_display = ["label_zh", "label_en", "scope", "area", "position", "active"]
    list_editable = ["position", "active"]
    list_filter = ["scope", "area", "active"]
    search_fields = ["code", "label_zh", "label_en"]


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # inspections change through their pages and the API (the services)

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class InspectionEventInline(ReadOnlyInline):
    model = InspectionEvent
    fields = ["type", "at", "actor", "reason", "due_on_before", "due_on_after"]
    readonly_fields = fields


class ChecklistAnswerInline(ReadOnlyInline):
    model = ChecklistAnswer
    fields = ["position", "site", "device", "label_zh", "result", "note", "attachment_name"]
    readonly_fields = fields


class FindingInline(ReadOnlyInline):
    model = Finding
    fields = ["service_record", "device", "description", "found_at"]
    readonly_fields = fields


class TrainingInline(ReadOnlyInline):
    model = Training
    fields = ["topic", "attendee_count", "duration_minutes", "recorded_at"]
    readonly_fields = fields


@admin.register(Inspection)
class InspectionAdmin(SimpleHistoryAdmin):
    """For looking things up; inspections change through their pages and the API."""

    list_display = [
        "number",
        "organisation",
        "method",
        "due_on",
        "engineer",
        "completed_at",
        "cancelled_at",
    ]
    list_filter = ["method"]
    search_fields = ["number", "organisation__name", "contract__number"]
    readonly_fields = [f.name for f in Inspection._meta.fields]
    inlines = [ChecklistAnswerInline, FindingInline, TrainingInline, InspectionEventInline]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(InspectionPlan)
class InspectionPlanAdmin(SimpleHistoryAdmin):
    list_display = ["contract", "year", "starts_on", "ends_on", "inspections_planned"]
    search_fields = ["contract__number", "organisation__name"]
    readonly_fields = [f.name for f in InspectionPlan._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(InspectionReport)
class InspectionReportAdmin(admin.ModelAdmin):
    """Archived reports are never changed."""

    list_display = ["inspection", "archived_at", "size", "sha256"]
    search_fields = ["inspection__number"]
    readonly_fields = ["inspection", "pdf", "sha256", "size", "archived_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
