"""Reads of RMAs, quotes and orders, scoped to what the user may see (tenancy).

A customer contact sees their own organisation's RMAs, orders and the quotes sent to them
(a draft is the integrator's own until it is sent); another organisation's answers 404.
"""

from django.db.models import Prefetch, QuerySet

from vcdesk.core.tenancy import scope_to_user, sees_every_organisation
from vcdesk.rma.models import Order, Quote, QuoteLine, Rma, RmaEvent, RmaPart, RmaProduct


def rma_visible(*, user) -> QuerySet[Rma]:
    """RMAs newest first, with their lines in two more queries."""
    return scope_to_user(
        Rma.objects.select_related("organisation", "service_record", "filler").prefetch_related(
            Prefetch("products", queryset=RmaProduct.objects.select_related("device__model")),
            Prefetch("parts", queryset=RmaPart.objects.select_related("part_model", "warehouse")),
        ),
        user=user,
        organisation_path="organisation_id",
    )


def rma_detail_visible(*, user) -> QuerySet[Rma]:
    """RMAs as one RMA's page, API answer and PDF show them: with their steps too."""
    return rma_visible(user=user).prefetch_related(
        Prefetch("events", queryset=RmaEvent.objects.select_related("actor"))
    )


def rma_owing(*, user) -> QuerySet[Rma]:
    """RMAs whose customer owes the faulty unit for an advance replacement, longest first."""
    return rma_visible(user=user).filter(owed_since__isnull=False).order_by("owed_since", "id")


def quote_visible(*, user) -> QuerySet[Quote]:
    quotes = scope_to_user(
        Quote.objects.select_related(
            "organisation", "device__model", "rma", "service_record", "order"
        ).prefetch_related(
            Prefetch("lines", queryset=QuoteLine.objects.select_related("part_model"))
        ),
        user=user,
        organisation_path="organisation_id",
    )
    if not sees_every_organisation(user):
        quotes = quotes.filter(sent_at__isnull=False)
    return quotes


def quote_detail_visible(*, user) -> QuerySet[Quote]:
    """Quotes as one quote's page and API answer show them: with who did what."""
    return quote_visible(user=user).select_related("created_by", "sent_by", "decided_by")


def order_visible(*, user) -> QuerySet[Order]:
    return scope_to_user(
        Order.objects.select_related(
            "quote__device__model", "organisation", "ordered_by"
        ).prefetch_related(
            Prefetch("quote__lines", queryset=QuoteLine.objects.select_related("part_model"))
        ),
        user=user,
        organisation_path="organisation_id",
    )
