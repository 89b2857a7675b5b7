"""The inspection sweep (R5.1, X4): plan new contract years, remind engineers of inspections
coming due, and tell them and the service managers of inspections gone overdue. Only open
inspections are told about: a completed or cancelled one never.

Like the SLA sweep: each inspection stores `remind_at` and `overdue_at`; the sweep reads the
ones whose time has come on partial indexes, and marks each with a conditional UPDATE
(`… WHERE id = ? AND reminded_at IS NULL`). Only the sweep whose UPDATE changed the row
writes the notification and the event, in the same transaction, so running the sweep twice,
or in two workers, tells once. On PostgreSQL the rows are read `FOR UPDATE SKIP LOCKED`, so
workers split them and a manager moving an inspection is not waited on.
"""

from datetime import date, datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vcdesk.accounts.choices import Role
from vcdesk.calendars.workdays import BEIJING
from vcdesk.contracts.models import Contract
from vcdesk.inspections.choices import InspectionEventType, InspectionMethod
from vcdesk.inspections.models import OPEN_Q, Inspection, InspectionEvent, InspectionPlan
from vcdesk.inspections.services import inspection_plans_ensure, notice_lines
from vcdesk.notify.services import Announcement, notifications_announce


def inspections_sweep(*, now: datetime | None = None, batch: int = 500) -> dict[str, int]:
    """Plan, remind and tell; return how many inspections were planned, reminded of, and
    announced overdue by this run."""
    now = now or timezone.now()
    done = {"planned": plans_sweep(today=now.astimezone(BEIJING).date())}
    for kind, key in (
        (InspectionEventType.OVERDUE_NOTICE, "overdue"),
        (InspectionEventType.REMINDED, "reminded"),
    ):
        done[key] = 0
        while True:
            seen, told = _notices(kind, now, batch)
            done[key] += told
            if seen < batch or told == 0:
                break
    return done


def plans_sweep(*, today: date) -> int:
    """Plan every contract year that has begun by `today` and has no plan: one indexed query
    finds the contracts, `inspection_plans_ensure` (idempotent) plans each."""
    current_plan = InspectionPlan.objects.filter(
        contract=OuterRef("pk"), starts_on__lte=today, ends_on__gte=today
    )
    contracts = (
        Contract.objects.filter(
            accepted_on__lte=today, warranty_ends_on__gt=today, inspections_per_year__gt=0
        )
        .exclude(Exists(current_plan))
        .values_list("pk", flat=True)
    )
    return sum(len(inspection_plans_ensure(contract=pk, today=today)) for pk in contracts)


# kind → (deadline column, mark column)
_COLUMNS = {
    InspectionEventType.REMINDED: ("remind_at", "reminded_at"),
    InspectionEventType.OVERDUE_NOTICE: ("overdue_at", "overdue_notified_at"),
}


def _notices(kind: InspectionEventType, now: datetime, batch: int) -> tuple[int, int]:
    """Mark and announce up to `batch` inspections; (how many were due, how many told)."""
    deadline, mark = _COLUMNS[kind]
    with transaction.atomic():
        due = list(
            # The partial index's condition: open (OPEN_Q) and not told yet.
            Inspection.objects.filter(OPEN_Q, **{f"{deadline}__lte": now, f"{mark}__isnull": True})
            .select_related("organisation", "contract", "engineer")
            .select_for_update(skip_locked=True, of=("self",))
            .order_by(deadline, "id")[:batch]
        )
        marked = []
        for inspection in due:
            updated = Inspection.objects.filter(
                OPEN_Q, pk=inspection.pk, **{f"{mark}__isnull": True}
            ).update(**{mark: now})
            if updated:
                marked.append(inspection)
        if kind == InspectionEventType.OVERDUE_NOTICE and marked:
            # Late already: the reminder is moot, and is not sent after the overdue notice.
            Inspection.objects.filter(
                pk__in=[i.pk for i in marked], reminded_at__isnull=True
            ).update(reminded_at=now)
        InspectionEvent.objects.bulk_create(
            InspectionEvent(inspection=inspection, type=kind, at=now) for inspection in marked
        )
        notifications_announce(_announcements(kind, marked, now))
    return len(due), len(marked)


def _active_ids(**lookups) -> frozenset[int]:
    return frozenset(
        get_user_model().objects.filter(is_active=True, **lookups).values_list("pk", flat=True)
    )


def _announcements(
    kind: InspectionEventType, inspections: list[Inspection], now: datetime
) -> list[Announcement]:
    if not inspections:
        return []
    managers = _active_ids(groups__name=Role.SERVICE_MANAGER)
    engineers = _active_ids(pk__in={i.engineer_id for i in inspections} - {None})
    today = now.astimezone(BEIJING).date()
    announcements = []
    with translation.override(settings.LANGUAGE_CODE):
        for inspection in inspections:
            engineer = frozenset({inspection.engineer_id}) & engineers
            if kind == InspectionEventType.REMINDED:
                users = engineer or managers  # nobody assigned: the managers should assign
            else:
                users = engineer | managers
            announcements.append(
                Announcement(
                    subject=_subject(kind, inspection, today),
                    lines=notice_lines(inspection),
                    user_ids=users,
                )
            )
    return announcements


def _subject(kind: InspectionEventType, inspection: Inspection, today: date) -> str:
    """e.g. 【巡检提醒】XJ-HT-2025-0001-1-1 现场巡检 2026-03-31 到期（北京台）."""
    values = {
        "number": inspection.number,
        "method": InspectionMethod(inspection.method).label,
        "due": inspection.due_on.isoformat(),
        "organisation": inspection.organisation,
        "days": (today - inspection.due_on).days,
    }
    if kind == InspectionEventType.REMINDED:
        return _("[Inspection reminder] %(number)s %(method)s due %(due)s (%(organisation)s)") % (
            values
        )
    return (
        _(
            "[Inspection overdue] %(number)s %(method)s was due %(due)s, "
            "%(days)d days overdue (%(organisation)s)"
        )
        % values
    )
