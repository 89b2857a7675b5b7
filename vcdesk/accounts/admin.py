from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from vcdesk.accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin, SimpleHistoryAdmin):
    """Staff accounts and customer contacts; the role is the user's group."""

    list_display = ["username", "full_name", "organisation", "is_senior", "is_active", "is_staff"]
    list_filter = ["groups", "is_senior", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "email"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("vcdesk"), {"fields": ("full_name", "organisation", "is_senior")}),
    )
    autocomplete_fields = ["organisation"]
