"""Reads of service records, scoped to what the user may see (tenancy)."""

from django.db.models import Prefetch, QuerySet

from vcdesk.core.tenancy import scope_to_user
from vcdesk.service.models import Clock, ServiceRecord


def service_record_visible(*, user) -> QuerySet[ServiceRecord]:
    """Records in queue order (next due clock first), with their clocks in one query."""
    return scope_to_user(
        ServiceRecord.objects.select_related(
            "device__model", "site", "organisation"
        ).prefetch_related(Prefetch("clocks", queryset=Clock.objects.order_by("started_at", "id"))),
        user=user,
        organisation_path="organisation_id",
    ).order_by("queue_key", "id")


def service_record_detail(*, user, pk: int) -> ServiceRecord | None:
    return (
        service_record_visible(user=user)
        .select_related("duty_officer", "support_staff", "device__contract", "device__model")
        .prefetch_related(
            "events__actor", "events__engineer", "history_entries__author", "dispatches__engineer"
        )
        .filter(pk=pk)
        .first()
    )
