from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from vcdesk.rma.models import Order, Quote, QuoteLine, Rma, RmaEvent, RmaPart, RmaProduct


class RmaProductInline(admin.TabularInline):
    model = RmaProduct
    extra = 0
    raw_id_fields = ["device"]


class RmaPartInline(admin.TabularInline):
    model = RmaPart
    extra = 0
    raw_id_fields = ["reservation"]


class RmaEventInline(admin.TabularInline):
    model = RmaEvent
    extra = 0
    readonly_fields = ["type", "at", "note", "actor", "recorded_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # steps are recorded through the RMA's page or the API


@admin.register(Rma)
class RmaAdmin(SimpleHistoryAdmin):
    """For looking things up; RMAs change through their pages and the API (the services)."""

    list_display = ["number", "organisation", "date", "status", "owed_since"]
    list_filter = ["status"]
    search_fields = ["number", "organisation__name", "products__serial"]
    readonly_fields = ["number", "status", "owed_since"]
    raw_id_fields = ["service_record", "organisation", "filler"]
    inlines = [RmaProductInline, RmaPartInline, RmaEventInline]


class QuoteLineInline(admin.TabularInline):
    model = QuoteLine
    extra = 0


@admin.register(Quote)
class QuoteAdmin(SimpleHistoryAdmin):
    list_display = ["number", "organisation", "repair_number", "sent_at", "accepted_at"]
    search_fields = ["number", "organisation__name"]
    readonly_fields = ["number"]
    raw_id_fields = ["organisation", "device", "rma", "service_record"]
    inlines = [QuoteLineInline]


@admin.register(Order)
class OrderAdmin(SimpleHistoryAdmin):
    list_display = ["number", "organisation", "quote", "ordered_at"]
    search_fields = ["number", "organisation__name"]
    raw_id_fields = ["quote", "organisation"]
