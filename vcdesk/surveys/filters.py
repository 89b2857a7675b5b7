"""The lists' filters: one definition each for the pages and the API."""

from datetime import date
from typing import Annotated

from django.db.models import Q
from django.utils import timezone
from ninja import FilterLookup

from vcdesk.core.api import Filters
from vcdesk.surveys.choices import InvitationState, InvitationTrigger, ResultGrouping


class InvitationFilter(Filters):
    organisation: Annotated[int | None, FilterLookup("organisation_id")] = None
    state: InvitationState | None = None
    trigger: InvitationTrigger | None = None
    service_record: Annotated[int | None, FilterLookup("service_record_id")] = None
    contract: Annotated[int | None, FilterLookup("contract_id")] = None
    engineer: Annotated[int | None, FilterLookup("engineers")] = None

    def filter_state(self, value: InvitationState | None) -> Q:
        """pending: waiting for an answer; answered; expired: unanswered past its link's end."""
        if not value:
            return Q()
        now = timezone.now()
        if value == InvitationState.ANSWERED:
            return Q(answered_at__isnull=False)
        if value == InvitationState.EXPIRED:
            return Q(answered_at__isnull=True, expires_at__lte=now)
        return Q(answered_at__isnull=True, expires_at__gt=now)


class ResultFilter(Filters):
    """Which answers the scores roll up, and how (`group_by`). Dates are Beijing calendar
    days of the answer, both ends included."""

    group_by: ResultGrouping | None = None
    survey: Annotated[int | None, FilterLookup("invitation__survey_id")] = None
    organisation: Annotated[int | None, FilterLookup("invitation__organisation_id")] = None
    engineer: Annotated[int | None, FilterLookup("invitation__engineers")] = None
    trigger: Annotated[InvitationTrigger | None, FilterLookup("invitation__trigger")] = None
    answered_from: Annotated[date | None, FilterLookup("invitation__answered_at__date__gte")] = None
    answered_to: Annotated[date | None, FilterLookup("invitation__answered_at__date__lte")] = None

    def filter_group_by(self, value) -> Q:
        return Q()  # how to group, not what to keep
