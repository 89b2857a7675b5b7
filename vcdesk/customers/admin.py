from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from vcdesk.customers.models import Contact, Organisation, Site


class SiteInline(admin.TabularInline):
    model = Site
    extra = 0
    fields = ["name", "city", "address", "travel_minutes"]


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    list_display = ["name", "short_name", "industry"]
    list_filter = ["industry"]
    search_fields = ["name", "short_name"]
    inlines = [SiteInline]


@admin.register(Site)
class SiteAdmin(SimpleHistoryAdmin):
    list_display = ["name", "organisation", "city", "travel_minutes"]
    list_filter = ["city"]
    search_fields = ["name", "organisation__name"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation"]


@admin.register(Contact)
class ContactAdmin(SimpleHistoryAdmin):
    list_display = ["name", "organisation", "role", "phone", "email"]
    search_fields = ["name", "phone", "organisation__name"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation"]
