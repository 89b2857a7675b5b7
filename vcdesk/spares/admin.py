from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from vcdesk.spares.models import (
    PartModel,
    Reservation,
    SpareRequest,
    StockLevel,
    StockMovement,
    Warehouse,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Stock, reservations and spare requests change only through vcdesk.spares.services
    (the pages and the API), so that every change is a movement and the clocks follow."""

    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Warehouse)
class WarehouseAdmin(SimpleHistoryAdmin):
    list_display = ["name", "city", "kind", "address", "active"]
    list_filter = ["kind", "active", "city"]
    search_fields = ["name", "city"]


@admin.register(PartModel)
class PartModelAdmin(SimpleHistoryAdmin):
    list_display = [
        "part_number",
        "name",
        "vendor",
        "serialised",
        "market_price",
        "low_stock_threshold",
    ]
    list_filter = ["vendor", "serialised"]
    search_fields = ["part_number", "name"]
    filter_horizontal = ["device_models"]

    def get_readonly_fields(self, request, obj=None):
        # Stock counted by serial (or not) would no longer add up.
        if obj is not None and obj.movements.exists():
            return ["serialised"]
        return []


@admin.register(StockLevel)
class StockLevelAdmin(ReadOnlyAdmin):
    list_display = ["warehouse", "part_model", "on_hand", "reserved"]
    list_filter = ["warehouse"]
    search_fields = ["part_model__part_number", "part_model__name"]
    list_select_related = ["warehouse", "part_model"]


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdmin):
    list_display = ["at", "kind", "warehouse", "part_model", "quantity", "serial", "actor"]
    list_filter = ["kind", "warehouse"]
    search_fields = ["=serial", "part_model__part_number"]
    list_select_related = ["warehouse", "part_model", "actor"]
    date_hierarchy = "at"


@admin.register(Reservation)
class ReservationAdmin(ReadOnlyAdmin):
    list_display = [
        "created_at",
        "warehouse",
        "part_model",
        "quantity",
        "service_record",
        "purpose",
        "released_at",
        "shipped_at",
    ]
    list_filter = ["warehouse"]
    search_fields = ["purpose", "service_record__number"]
    list_select_related = ["warehouse", "part_model", "service_record"]


@admin.register(SpareRequest)
class SpareRequestAdmin(ReadOnlyAdmin):
    list_display = [
        "service_record",
        "part_model",
        "quantity",
        "requested_at",
        "carrier",
        "tracking_number",
        "shipped_at",
        "arrived_at",
    ]
    search_fields = ["=service_record__number", "=tracking_number", "=serial"]
    list_select_related = ["service_record", "part_model"]
