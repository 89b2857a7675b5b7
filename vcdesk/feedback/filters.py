"""The lists' filters: one definition each for the pages and the API."""

from datetime import date
from typing import Annotated

from django.db.models import Q
from django.utils import timezone
from ninja import FilterLookup

from vcdesk.calendars.workdays import BEIJING
from vcdesk.core.api import Filters
from vcdesk.feedback.choices import IssueKind, IssueStatus, Urgency

# An issue's status is derived from its fields and its feedback record.
ISSUE_STATUS_Q = {
    IssueStatus.NEW: Q(resolved_on__isnull=True, passed_to="", passed_on__isnull=True),
    IssueStatus.PASSED: Q(resolved_on__isnull=True)
    & (~Q(passed_to="") | Q(passed_on__isnull=False)),
    IssueStatus.RESOLVED: Q(resolved_on__isnull=False)
    & (Q(feedback__isnull=True) | Q(feedback__customer_opinion_at__isnull=True)),
    IssueStatus.CLOSED: Q(feedback__customer_opinion_at__isnull=False),
}


class IssueFilter(Filters):
    organisation: Annotated[int | None, FilterLookup("organisation_id")] = None
    kind: IssueKind | None = None
    urgency: Urgency | None = None
    status: IssueStatus | None = None
    open: bool | None = None
    overdue: bool | None = None
    service_record: Annotated[int | None, FilterLookup("service_record_id")] = None
    received_from: Annotated[date | None, FilterLookup("received_on__gte")] = None
    received_to: Annotated[date | None, FilterLookup("received_on__lte")] = None
    q: str | None = None

    def filter_status(self, value: IssueStatus | None) -> Q:
        return ISSUE_STATUS_Q[value] if value else Q()

    def filter_open(self, value: bool | None) -> Q:
        """Open: not yet resolved."""
        if value is None:
            return Q()
        return Q(resolved_on__isnull=value)

    def filter_overdue(self, value: bool | None) -> Q:
        """Unresolved past the expected resolution date (Beijing calendar)."""
        if value is None:
            return Q()
        today = timezone.localdate(timezone=BEIJING)
        late = Q(resolved_on__isnull=True, expected_resolution_on__lt=today)
        return late if value else ~late

    def filter_q(self, value: str | None) -> Q:
        """The search box: a record number, or words of the contact or the details."""
        if not value or not value.strip():
            return Q()
        value = value.strip()
        return (
            Q(number=value.upper()) | Q(contact_name__icontains=value) | Q(details__icontains=value)
        )


class FeedbackFilter(Filters):
    organisation: Annotated[int | None, FilterLookup("issue__organisation_id")] = None
    issue: Annotated[int | None, FilterLookup("issue_id")] = None
    resolved: bool | None = None
    customer_opinion: bool | None = None

    def filter_resolved(self, value: bool | None) -> Q:
        return Q() if value is None else Q(resolved_on__isnull=not value)

    def filter_customer_opinion(self, value: bool | None) -> Q:
        return Q() if value is None else Q(customer_opinion_at__isnull=not value)
