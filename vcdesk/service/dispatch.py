"""Dispatch (R3): a field engineer sent to the site, and the visit step by step.

A visit goes assigned → accepted → set out → checked in → checked out, in that order, each
step once. Only the dispatched engineer (or a service manager) moves a dispatch on. The
record's process events (`dispatched`, `arrived`, `resolved`) are written through
`services.service_record_event_add`, so the clocks follow them exactly as they follow the
same events from the hotline or the API; nothing here touches a clock.

Lock order: a step locks its dispatch row first, then the event service locks the record.
Assigning locks the record and only inserts a dispatch row; nothing locks a record and then an
existing dispatch row, so the two never deadlock.
"""

from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from vcdesk.accounts.choices import Role
from vcdesk.service import services
from vcdesk.service.choices import EventType, RecordStatus
from vcdesk.service.models import Dispatch, ServiceRecord
from vcdesk.service.services import EventRefused


def may_act_on_dispatch(user, dispatch: Dispatch) -> bool:
    """The dispatched engineer moves the visit on; a service manager may do it for them."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if user.is_customer_contact:
        return False
    return dispatch.engineer_id == user.pk or user.has_role(Role.SERVICE_MANAGER)


def _locked(dispatch: Dispatch, actor) -> Dispatch:
    """The dispatch row, locked for this step (SELECT FOR UPDATE), once `actor` may act."""
    locked = (
        Dispatch.objects.select_for_update(no_key=True, of=("self",))
        .select_related("record")
        .get(pk=dispatch.pk)
    )
    if not may_act_on_dispatch(actor, locked):
        raise PermissionDenied(_("Only the dispatched engineer or a service manager may do this."))
    return locked


def _refuse_unless(allowed: bool, reason: str) -> None:
    if not allowed:
        raise EventRefused(reason)


def _refuse_when_over(dispatch: Dispatch) -> None:
    _refuse_unless(dispatch.departed_at is None, _("The visit is over: already checked out."))


def _save(dispatch: Dispatch, actor, fields: list[str]) -> None:
    dispatch._history_user = actor if getattr(actor, "is_authenticated", False) else None
    dispatch.save(update_fields=fields)


@transaction.atomic
def dispatch_assign(
    record: ServiceRecord, *, engineer, actor, at: datetime | None = None
) -> Dispatch:
    """Send `engineer` (an active field engineer) to the record's site: writes the
    `dispatched` event, which starts the on-site clock if nothing else has."""
    engineer = services.field_engineer_or_error(engineer.pk)
    # Lock the record so that two people sending the same engineer at once write one event.
    ServiceRecord.objects.select_for_update().filter(pk=record.pk).first()
    previous = Dispatch.objects.filter(record=record, engineer=engineer).first()
    if previous is not None:
        raise EventRefused(
            _("This engineer is already on this job.")
            if previous.departed_at is None
            else _("This engineer has already visited for this record; send someone else.")
        )
    services.service_record_event_add(
        record, type=EventType.DISPATCHED, at=at, engineer=engineer, actor=actor
    )
    return Dispatch.objects.get(record=record, engineer=engineer)


@transaction.atomic
def dispatch_accept(dispatch: Dispatch, *, actor) -> Dispatch:
    """The engineer takes the job."""
    dispatch = _locked(dispatch, actor)
    _refuse_when_over(dispatch)
    _refuse_unless(dispatch.record.status != RecordStatus.CLOSED, _("The record is closed."))
    _refuse_unless(dispatch.accepted_at is None, _("The job was already accepted."))
    dispatch.accepted_at = timezone.now()
    _save(dispatch, actor, ["accepted_at"])
    return dispatch


@transaction.atomic
def dispatch_set_out(dispatch: Dispatch, *, actor) -> Dispatch:
    """The engineer leaves for the site."""
    dispatch = _locked(dispatch, actor)
    _refuse_when_over(dispatch)
    _refuse_unless(dispatch.record.status != RecordStatus.CLOSED, _("The record is closed."))
    _refuse_unless(dispatch.accepted_at is not None, _("Accept the job before setting out."))
    _refuse_unless(dispatch.set_out_at is None, _("You have already set out."))
    dispatch.set_out_at = timezone.now()
    _save(dispatch, actor, ["set_out_at"])
    return dispatch


@transaction.atomic
def dispatch_check_in(dispatch: Dispatch, *, actor, at: datetime | None = None) -> Dispatch:
    """The engineer arrives on site: writes the record's `arrived` event (the first arrival
    meets the on-site clock and starts the fix-on-site clock)."""
    dispatch = _locked(dispatch, actor)
    _refuse_when_over(dispatch)
    _refuse_unless(dispatch.set_out_at is not None, _("Set out before checking in."))
    _refuse_unless(dispatch.arrived_at is None, _("You have already checked in."))
    at = at or timezone.now()
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    _refuse_unless(at >= dispatch.set_out_at, _("The arrival is before you set out."))
    services.service_record_event_add(
        dispatch.record, type=EventType.ARRIVED, at=at, engineer=dispatch.engineer, actor=actor
    )
    dispatch.arrived_at = at
    _save(dispatch, actor, ["arrived_at"])
    return dispatch


@transaction.atomic
def dispatch_check_out(dispatch: Dispatch, *, report: str, resolved: bool, actor) -> Dispatch:
    """The engineer leaves the site with an on-site report, which also becomes a line of
    the record's history; `resolved` writes the record's `resolved` event."""
    dispatch = _locked(dispatch, actor)
    _refuse_when_over(dispatch)
    _refuse_unless(dispatch.arrived_at is not None, _("Check in before checking out."))
    report = report.strip()
    if not report:
        raise ValidationError({"report": [_("Write what was done on site.")]})
    now = timezone.now()
    dispatch.departed_at = now
    dispatch.report = report
    _save(dispatch, actor, ["departed_at", "report"])
    services.history_entry_add(dispatch.record, symptom="", action=report, at=now, actor=actor)
    if resolved:
        services.service_record_event_add(
            dispatch.record, type=EventType.RESOLVED, at=now, note=report, actor=actor
        )
    return dispatch


def dispatch_visible(*, user) -> QuerySet[Dispatch]:
    """Dispatches a user may open: their own; every one for a service manager."""
    dispatches = Dispatch.objects.select_related(
        "record__organisation", "record__site", "record__device__model", "engineer"
    )
    if user is None or not user.is_authenticated or not user.is_active:
        return dispatches.none()
    if user.is_superuser or (not user.is_customer_contact and user.has_role(Role.SERVICE_MANAGER)):
        return dispatches
    if user.is_customer_contact:
        return dispatches.none()
    return dispatches.filter(engineer=user)


def dispatch_open_of(*, engineer) -> QuerySet[Dispatch]:
    """An engineer's jobs: dispatches not yet checked out on records not closed, the most
    urgent record (next due clock) first."""
    return (
        Dispatch.objects.filter(engineer=engineer, departed_at__isnull=True)
        .exclude(record__status=RecordStatus.CLOSED)
        .select_related("record__organisation", "record__site", "record__device__model")
        .prefetch_related("record__clocks")
        .order_by("record__queue_key", "record_id")
    )
