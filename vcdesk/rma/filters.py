"""The lists' filters: one definition each for the pages and the API."""

from typing import Annotated

from django.db.models import Q
from ninja import FilterLookup

from vcdesk.core.api import Filters
from vcdesk.rma.choices import QuoteStatus, RmaStatus
from vcdesk.rma.models import RmaProduct


class RmaFilter(Filters):
    status: RmaStatus | None = None
    organisation: Annotated[int | None, FilterLookup("organisation_id")] = None
    service_record: Annotated[int | None, FilterLookup("service_record_id")] = None
    owed: bool | None = None
    open: bool | None = None
    q: str | None = None

    def filter_owed(self, value: bool | None) -> Q:
        """RMAs whose customer owes the faulty unit for an advance replacement."""
        if value is None:
            return Q()
        return Q(owed_since__isnull=not value)

    def filter_open(self, value: bool | None) -> Q:
        if value is None:
            return Q()
        closed = Q(status=RmaStatus.CLOSED)
        return ~closed if value else closed

    def filter_q(self, value: str | None) -> Q:
        """The search box: an RMA number, a service number or a faulty unit's serial."""
        if not value or not value.strip():
            return Q()
        value = value.strip()
        # Numbers are printed upper-case; matching them exactly keeps to their unique index.
        return (
            Q(number=value.upper())
            | Q(service_record__number=value.upper())
            | Q(pk__in=_rmas_with_serial(value))
        )


def _rmas_with_serial(serial: str):
    return RmaProduct.objects.filter(serial=serial).values("rma_id")


# A quote's status is derived from its times.
QUOTE_STATUS_Q = {
    QuoteStatus.DRAFT: Q(sent_at__isnull=True),
    QuoteStatus.SENT: Q(sent_at__isnull=False, accepted_at__isnull=True, declined_at__isnull=True),
    QuoteStatus.ACCEPTED: Q(accepted_at__isnull=False),
    QuoteStatus.DECLINED: Q(declined_at__isnull=False),
}


class QuoteFilter(Filters):
    status: QuoteStatus | None = None
    organisation: Annotated[int | None, FilterLookup("organisation_id")] = None
    rma: Annotated[int | None, FilterLookup("rma_id")] = None
    service_record: Annotated[int | None, FilterLookup("service_record_id")] = None

    def filter_status(self, value: QuoteStatus | None) -> Q:
        return QUOTE_STATUS_Q[value] if value else Q()


class OrderFilter(Filters):
    organisation: Annotated[int | None, FilterLookup("organisation_id")] = None
