from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from vcdesk.contracts.models import Contract


@admin.register(Contract)
class ContractAdmin(SimpleHistoryAdmin):
    list_display = ["number", "organisation", "accepted_on", "warranty_ends_on", "warranty_years"]
    search_fields = ["number", "organisation__name"]
    list_select_related = ["organisation"]
    readonly_fields = ["warranty_ends_on"]
    autocomplete_fields = ["organisation"]
