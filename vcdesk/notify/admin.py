from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from vcdesk.notify.models import Notification, Team


@admin.register(Team)
class TeamAdmin(SimpleHistoryAdmin):
    list_display = ["name", "webhook_kind", "email", "is_head_of_service"]
    list_filter = ["webhook_kind", "is_head_of_service"]
    search_fields = ["name", "email"]
    filter_horizontal = ["members"]
    fieldsets = (
        (None, {"fields": ("name", "members", "email", "is_head_of_service")}),
        (_("Group-chat robot"), {"fields": ("webhook_kind", "webhook_url", "webhook_secret")}),
    )


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only: the record of who was told what and when, and how delivery went."""

    list_display = ["created_at", "channel", "recipient", "subject", "sent_at", "attempts"]
    list_filter = ["channel", ("sent_at", admin.EmptyFieldListFilter)]
    search_fields = ["=recipient", "subject", "=record__number"]
    show_full_result_count = False
    raw_id_fields = ["clock", "record", "team"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
