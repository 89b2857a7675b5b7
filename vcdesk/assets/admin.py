from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from vcdesk.assets.models import Device, DeviceModel, FirmwareChange


@admin.register(DeviceModel)
class DeviceModelAdmin(SimpleHistoryAdmin):
    list_display = ["vendor", "name", "kind", "end_of_production"]
    list_filter = ["vendor", "kind"]
    search_fields = ["vendor", "name"]


class FirmwareChangeInline(admin.TabularInline):
    model = FirmwareChange
    extra = 0
    readonly_fields = ["from_version", "to_version", "changed_at", "changed_by", "note"]
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Device)
class DeviceAdmin(SimpleHistoryAdmin):
    """Read-mostly: devices change through the pages and API so their rules apply."""

    list_display = ["serial", "model", "site", "contract", "firmware_version", "status"]
    list_filter = ["status", "model__kind", "model__vendor"]
    search_fields = ["=serial"]
    list_select_related = ["model", "site", "site__organisation", "contract"]
    readonly_fields = ["vendor"]
    raw_id_fields = ["site", "contract"]
    inlines = [FirmwareChangeInline]
    show_full_result_count = False
