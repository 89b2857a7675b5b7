"""The service-record list's filters: one definition for the queue page, the API and exports."""

from datetime import datetime
from typing import Annotated

from django.db.models import Q
from django.utils import timezone
from ninja import FilterLookup

from vcdesk.assets.models import Device
from vcdesk.calendars.workdays import BEIJING
from vcdesk.core.api import Filters, Id
from vcdesk.service.choices import FaultClass, RecordStatus


class ServiceRecordFilter(Filters):
    status: RecordStatus | None = None
    organisation: Annotated[Id | None, FilterLookup("organisation_id")] = None
    fault_class: FaultClass | None = None
    breached: bool | None = None
    due_before: datetime | None = None
    open: bool | None = None
    q: str | None = None

    def filter_breached(self, value: bool | None) -> Q:
        if value is None:
            return Q()
        # A promise is broken when one was recorded broken, or a running clock is past due
        # (the sweep may not have marked it yet).
        # `has_breach__in=[True]`, not `has_breach=True`: Django writes the latter as the bare
        # column (`WHERE "has_breach" OR …`), which SQLite cannot seek in
        # record_breach_queue_idx and walks from the `has_breach = 0` end (~400,000 entries
        # at 500,000 records); `"has_breach" IN (1)` is a seek. PostgreSQL is indifferent.
        broken = Q(has_breach__in=[True]) | Q(queue_key__lt=timezone.now())
        return broken if value else ~broken

    def filter_due_before(self, value: datetime | None) -> Q:
        """Records with a running clock due before `value`; a time without an offset is
        Beijing time, as everywhere in the plan."""
        if value is None:
            return Q()
        if timezone.is_naive(value):
            value = timezone.make_aware(value, BEIJING)
        return Q(queue_key__lt=value)

    def filter_open(self, value: bool | None) -> Q:
        if value is None:
            return Q()
        # `~Q(status=CLOSED)` is the condition of the open-record indexes: keep them equal.
        closed = Q(status=RecordStatus.CLOSED)
        return ~closed if value else closed

    def filter_q(self, value: str | None) -> Q:
        """The queue's search box: a service number, a serial or a caller's phone."""
        if not value:
            return Q()
        value = value.strip()
        # The serial's devices (a handful at most) are looked up first, so each term of the
        # OR has its own index and PostgreSQL can combine them instead of scanning.
        devices = list(Device.objects.filter(serial=value).values_list("id", flat=True))
        return Q(number=value) | Q(device_id__in=devices) | Q(caller_phone=value)
