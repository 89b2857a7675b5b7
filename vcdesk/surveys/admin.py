"""The survey definitions are data, edited here; invitations and answers are looked up
here and change only through the pages and the API (the services)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from vcdesk.surveys.models import (
    ContractSurveySchedule,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyItem,
    SurveySection,
)


class SurveySectionInline(admin.TabularInline):
    model = SurveySection
    extra = 0
    show_change_link = True


@admin.register(Survey)
class SurveyAdmin(SimpleHistoryAdmin):
    list_display = ["key", "title_zh", "title_en", "is_default", "active"]
    inlines = [SurveySectionInline]


class SurveyItemInline(admin.TabularInline):
    model = SurveyItem
    extra = 0


@admin.register(SurveySection)
class SurveySectionAdmin(SimpleHistoryAdmin):
    list_display = ["survey", "position", "key", "title_zh", "title_en"]
    list_filter = ["survey"]
    inlines = [SurveyItemInline]


class SurveyAnswerInline(admin.TabularInline):
    model = SurveyAnswer
    extra = 0
    can_delete = False
    readonly_fields = ["item", "score", "comment"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False  # answers come from the customer's link or the portal


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(SimpleHistoryAdmin):
    list_display = ["sent_at", "organisation", "trigger", "recipient_email", "answered_at"]
    list_filter = ["trigger"]
    search_fields = ["organisation__name", "recipient_email", "service_record__number"]
    raw_id_fields = ["organisation", "service_record", "contract", "recipient_user"]
    readonly_fields = ["sent_at", "sent_by", "expires_at", "answered_at", "answered_by"]
    filter_horizontal = ["engineers"]
    inlines = [SurveyAnswerInline]


@admin.register(ContractSurveySchedule)
class ContractSurveyScheduleAdmin(admin.ModelAdmin):
    list_display = ["contract", "kind", "next_on"]
    raw_id_fields = ["contract"]
