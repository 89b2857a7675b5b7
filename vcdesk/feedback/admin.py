"""Issue and feedback records are looked up here; they change through their pages and the
API (the services), which number them, alert and arm the overdue notice."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from vcdesk.feedback.models import FeedbackRecord, IssueAttachment, IssueRecord, SupervisionEntry


class SupervisionInline(admin.TabularInline):
    model = SupervisionEntry
    extra = 0
    can_delete = False
    readonly_fields = ["period_from", "period_to", "resolution", "recorded_by", "recorded_at"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class AttachmentInline(admin.TabularInline):
    model = IssueAttachment
    extra = 0
    can_delete = False
    readonly_fields = ["name", "size", "content_type", "uploaded_by", "uploaded_at"]
    exclude = ["file"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(IssueRecord)
class IssueRecordAdmin(SimpleHistoryAdmin):
    list_display = ["number", "organisation", "received_on", "kind", "urgency", "resolved_on"]
    list_filter = ["kind", "urgency"]
    search_fields = ["number", "organisation__name", "contact_name"]
    readonly_fields = ["number", "resolved_on", "overdue_notified_at", "managers_alerted_at"]
    raw_id_fields = ["organisation", "service_record", "recorder", "specialist"]
    inlines = [SupervisionInline, AttachmentInline]

    def has_add_permission(self, request) -> bool:
        return False  # numbered and alerted by the services: record issues on their page


@admin.register(FeedbackRecord)
class FeedbackRecordAdmin(SimpleHistoryAdmin):
    list_display = ["issue", "department", "resolved_on", "customer_opinion_at"]
    raw_id_fields = ["issue", "customer_opinion_by"]
    readonly_fields = ["customer_opinion_at", "customer_opinion_by"]
