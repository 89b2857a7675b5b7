"""The lists' filters: one definition each for the pages and the API."""

import datetime as dt
from typing import Annotated

from django.db.models import Q
from django.utils import timezone
from ninja import FilterLookup

from vcdesk.calendars.workdays import BEIJING
from vcdesk.core.api import Filters
from vcdesk.inspections.choices import InspectionMethod, InspectionStatus
from vcdesk.inspections.models import STATUS_Q, overdue_q


class InspectionFilter(Filters):
    status: InspectionStatus | None = None
    overdue: bool | None = None
    method: InspectionMethod | None = None
    organisation: Annotated[int | None, FilterLookup("organisation_id")] = None
    contract: Annotated[int | None, FilterLookup("contract_id")] = None
    plan: Annotated[int | None, FilterLookup("plan_id")] = None
    engineer: Annotated[int | None, FilterLookup("engineer_id")] = None
    due_from: Annotated[dt.date | None, FilterLookup("due_on__gte")] = None
    due_to: Annotated[dt.date | None, FilterLookup("due_on__lte")] = None
    q: str | None = None

    def filter_status(self, value: InspectionStatus | None) -> Q:
        return STATUS_Q[value] if value else Q()

    def filter_overdue(self, value: bool | None) -> Q:
        """Open (neither completed nor cancelled) and past its due date (Beijing's today)."""
        if value is None:
            return Q()
        late = overdue_q(timezone.now().astimezone(BEIJING).date())
        return late if value else ~late

    def filter_q(self, value: str | None) -> Q:
        """The search box: an inspection or contract number."""
        if not value or not value.strip():
            return Q()
        value = value.strip().upper()
        return Q(number=value) | Q(contract__number=value)


class InspectionPlanFilter(Filters):
    organisation: Annotated[int | None, FilterLookup("organisation_id")] = None
    contract: Annotated[int | None, FilterLookup("contract_id")] = None
    year: int | None = None


class FindingFilter(Filters):
    inspection: Annotated[int | None, FilterLookup("inspection_id")] = None
    organisation: Annotated[int | None, FilterLookup("inspection__organisation_id")] = None
    service_record: Annotated[int | None, FilterLookup("service_record_id")] = None
