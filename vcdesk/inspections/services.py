"""Every change to inspections goes through these functions (the only write path).

Each locks what it changes — the contract when planning, the inspection for everything
else — checks that the step can happen now (else `InspectionRefused`, answered 409), writes
the change and an `InspectionEvent` saying who, when and why, in one transaction. A
completed or cancelled inspection changes no more.
"""

import hashlib
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from vcdesk.accounts.choices import Role
from vcdesk.assets.choices import DeviceKind, DeviceStatus
from vcdesk.assets.models import Device
from vcdesk.calendars.workdays import BEIJING
from vcdesk.contracts.models import Contract
from vcdesk.inspections import planning
from vcdesk.inspections.choices import (
    ChecklistScope,
    InspectionEventType,
    InspectionMethod,
    ItemResult,
)
from vcdesk.inspections.models import (
    ChecklistAnswer,
    ChecklistItemTemplate,
    Finding,
    Inspection,
    InspectionEvent,
    InspectionPlan,
    InspectionReport,
    Training,
)
from vcdesk.inspections.permissions import ENGINEER_ROLES
from vcdesk.inspections.signals import inspection_completed
from vcdesk.inspections.uploads import attachment_check
from vcdesk.notify.services import Announcement, notifications_announce
from vcdesk.service.choices import FaultClass
from vcdesk.service.services import service_record_open

DEFAULT_REMIND_DAYS = 7
# How far ahead of the server's clock a given time may be (clock skew).
FUTURE_TOLERANCE = timedelta(minutes=5)
# Devices in the order an engineer walks a site: the core first.
KIND_ORDER = {DeviceKind.MCU: 0, DeviceKind.ENDPOINT: 1, DeviceKind.OTHER: 2}


class InspectionRefused(Exception):
    """The step cannot happen now (409); nothing was written."""


def remind_days() -> int:
    """Days before the due date the engineer is reminded (VCDESK_INSPECTION_REMIND_DAYS)."""
    return int(getattr(settings, "VCDESK_INSPECTION_REMIND_DAYS", DEFAULT_REMIND_DAYS))


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _today() -> date:
    return timezone.now().astimezone(BEIJING).date()


def _aware(at: datetime | None) -> datetime:
    now = timezone.now()
    at = at or now
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    if at > now + FUTURE_TOLERANCE:
        raise ValidationError({"at": [_("The time is in the future.")]})
    return at


def _set_deadlines(inspection: Inspection) -> None:
    inspection.remind_at, inspection.overdue_at = planning.deadlines(
        inspection.due_on, remind_days=remind_days()
    )
    inspection.reminded_at = None
    inspection.overdue_notified_at = None


# --- plans --------------------------------------------------------------------------------------


def _engineer_loads() -> dict[int, int]:
    """Active field engineers and how many open inspections each has."""
    engineers = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.FIELD_ENGINEER, organisation__isnull=True)
        .annotate(
            load=Count(
                "inspections",
                filter=Q(
                    inspections__completed_at__isnull=True, inspections__cancelled_at__isnull=True
                ),
            )
        )
        .order_by("pk")
    )
    return {engineer.pk: engineer.load for engineer in engineers}


def _least_loaded(loads: dict[int, int]) -> int | None:
    if not loads:
        return None
    engineer_id = min(loads, key=lambda pk: (loads[pk], pk))
    loads[engineer_id] += 1
    return engineer_id


@transaction.atomic
def inspection_plans_ensure(
    *, contract: Contract | int, today: date | None = None, actor=None
) -> list[Inspection]:
    """Plan the contract years due by `today` (default: today in Beijing) that have no plan
    yet: `inspections_per_year` inspections each, spread over the year, on site and by
    phone in turn, each assigned to the least-busy field engineer (none when there is no
    field engineer: a manager assigns it). Idempotent: a year already planned is left as it
    is, even if the contract's count changed since, and an inspection cancelled in it is
    not planned again. Returns the inspections created."""
    contract_id = contract if isinstance(contract, int) else contract.pk
    # Lock the contract so that two sweeps, or a sweep and a contract change, plan a year once.
    contract = (
        Contract.objects.select_for_update().select_related("organisation").filter(pk=contract_id)
    ).first()
    if contract is None or contract.inspections_per_year == 0:
        return []
    years = planning.years_to_plan(
        accepted_on=contract.accepted_on,
        warranty_years=contract.warranty_years,
        today=today or _today(),
    )
    planned = set(
        InspectionPlan.objects.filter(
            contract=contract, year__in=[y.year for y in years]
        ).values_list("year", flat=True)
    )
    created: list[Inspection] = []
    loads: dict[int, int] | None = None
    now = timezone.now()
    user = _user(actor)
    for year in years:
        if year.year in planned:
            continue
        count = contract.inspections_per_year
        plan = InspectionPlan(
            contract=contract,
            organisation_id=contract.organisation_id,
            year=year.year,
            starts_on=year.starts_on,
            ends_on=year.ends_on,
            inspections_planned=count,
        )
        plan._history_user = user
        plan.save()
        if loads is None:
            loads = _engineer_loads()
        for sequence, (due_on, method) in enumerate(
            zip(planning.due_dates(year, count), planning.methods(count), strict=True), start=1
        ):
            inspection = Inspection(
                number=f"XJ-{contract.number}-{year.year}-{sequence}",
                plan=plan,
                contract=contract,
                organisation_id=contract.organisation_id,
                sequence=sequence,
                method=method,
                due_on=due_on,
                engineer_id=_least_loaded(loads),
            )
            _set_deadlines(inspection)
            inspection._history_user = user
            inspection.save()
            InspectionEvent.objects.create(
                inspection=inspection,
                type=InspectionEventType.PLANNED,
                at=now,
                actor=user,
                due_on_after=due_on,
                method_after=method,
                engineer_after_id=inspection.engineer_id,
            )
            created.append(inspection)
    return created


def engineer_or_error(user_id: int):
    """The active member of staff with this id who may be assigned inspections."""
    engineer = (
        get_user_model()
        .objects.filter(
            pk=user_id,
            is_active=True,
            organisation__isnull=True,
            groups__name__in=[role.value for role in ENGINEER_ROLES],
        )
        .first()
    )
    if engineer is None:
        raise ValidationError({"engineer": [_("No such engineer.")]})
    return engineer


def _locked(inspection: Inspection) -> Inspection:
    return (
        Inspection.objects.select_for_update(of=("self",))
        .select_related("plan", "contract", "organisation", "engineer")
        .get(pk=inspection.pk)
    )


def _refuse_if_cancelled(inspection: Inspection) -> None:
    if inspection.cancelled_at is not None:
        raise InspectionRefused(_("The inspection is cancelled; it no longer changes."))


@transaction.atomic
def inspection_reschedule(
    inspection: Inspection,
    *,
    reason: str,
    due_on: date | None = None,
    method: InspectionMethod | str | None = None,
    engineer=None,
    actor,
) -> Inspection:
    """Move an inspection to another due date, change its method, or give it to another
    engineer — each change an event with the reason. A new due date is a new promise: the
    reminder and the overdue notice will be sent again for it."""
    inspection = _locked(inspection)
    _refuse_if_cancelled(inspection)
    if inspection.completed_at is not None:
        raise InspectionRefused(_("The inspection is completed; its plan can no longer change."))
    errors: dict[str, list[str]] = {}
    if not reason or not reason.strip():
        errors["reason"] = [_("Say why the plan changes.")]
    if due_on is not None and due_on < _today() and due_on != inspection.due_on:
        errors["due_on"] = [_("The new due date is in the past.")]
    if due_on is not None and due_on < inspection.plan.starts_on:
        errors["due_on"] = [_("The new due date is before the contract year begins.")]
    if engineer is not None:
        try:
            engineer = engineer_or_error(engineer if isinstance(engineer, int) else engineer.pk)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    method = InspectionMethod(method) if method else None
    changes: list[InspectionEvent] = []
    now = timezone.now()
    user = _user(actor)
    event = {"inspection": inspection, "at": now, "actor": user, "reason": reason.strip()}
    if due_on is not None and due_on != inspection.due_on:
        changes.append(
            InspectionEvent(
                type=InspectionEventType.MOVED,
                due_on_before=inspection.due_on,
                due_on_after=due_on,
                **event,
            )
        )
        inspection.due_on = due_on
        _set_deadlines(inspection)
    if method is not None and method != inspection.method:
        changes.append(
            InspectionEvent(
                type=InspectionEventType.METHOD_CHANGED,
                method_before=inspection.method,
                method_after=method,
                **event,
            )
        )
        inspection.method = method
    if engineer is not None and engineer.pk != inspection.engineer_id:
        changes.append(
            InspectionEvent(
                type=InspectionEventType.REASSIGNED,
                engineer_before_id=inspection.engineer_id,
                engineer_after=engineer,
                **event,
            )
        )
        inspection.engineer = engineer
    if not changes:
        raise ValidationError({"due_on": [_("Change the due date, the method or the engineer.")]})
    inspection._history_user = user
    inspection._change_reason = reason.strip()[:100]
    inspection.save()
    InspectionEvent.objects.bulk_create(changes)
    return inspection


@transaction.atomic
def inspection_cancel(inspection: Inspection, *, reason: str, actor) -> Inspection:
    """Cancel an inspection that is not completed, saying why: this visit of its contract
    year will not be done. The year's plan keeps its count (the visit shows as cancelled,
    not done) and planning never creates it again; the sweep no longer reminds of it nor
    tells it overdue. The assigned engineer is told. A visit that only moves to another
    date is rescheduled instead (`inspection_reschedule`)."""
    inspection = _locked(inspection)
    if inspection.cancelled_at is not None:
        raise InspectionRefused(_("The inspection is already cancelled."))
    if inspection.completed_at is not None:
        raise InspectionRefused(_("The inspection is completed; its report is archived."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Say why the inspection is cancelled.")]})
    now = timezone.now()
    user = _user(actor)
    inspection.cancelled_at = now
    inspection.cancelled_by = user
    inspection.cancel_reason = reason
    inspection._history_user = user
    inspection._change_reason = reason[:100]
    inspection.save()
    InspectionEvent.objects.create(
        inspection=inspection,
        type=InspectionEventType.CANCELLED,
        at=now,
        actor=user,
        reason=reason,
    )
    engineer = inspection.engineer
    if engineer is not None and engineer.is_active and engineer.pk != getattr(user, "pk", None):
        with translation.override(settings.LANGUAGE_CODE):
            notifications_announce(
                [
                    Announcement(
                        subject=_(
                            "[Inspection cancelled] %(number)s %(method)s "
                            "that was due %(due)s (%(organisation)s)"
                        )
                        % {
                            "number": inspection.number,
                            "method": InspectionMethod(inspection.method).label,
                            "due": inspection.due_on.isoformat(),
                            "organisation": inspection.organisation,
                        },
                        lines=(
                            _("Reason: %(reason)s") % {"reason": reason},
                            *notice_lines(inspection),
                        ),
                        user_ids=frozenset({engineer.pk}),
                    )
                ]
            )
    return inspection


def notice_lines(inspection: Inspection) -> tuple[str, ...]:
    """The facts every notice about an inspection ends with (in the active language)."""
    url = settings.VCDESK_BASE_URL.rstrip("/") + reverse("inspection_detail", args=[inspection.pk])
    return (
        _("Organisation: %(organisation)s · contract: %(contract)s")
        % {"organisation": inspection.organisation.name, "contract": inspection.contract.number},
        _("Engineer: %(engineer)s") % {"engineer": inspection.engineer or _("not assigned")},
        _("Open the inspection: %(url)s") % {"url": url},
    )


# --- carrying an inspection out -----------------------------------------------------------------


def _checklist(inspection: Inspection) -> list[ChecklistAnswer]:
    """The questions of this inspection: for each site of the contract's active devices,
    its environment, then each device (MCU first) with the items of its kind."""
    templates: dict[str, list[ChecklistItemTemplate]] = {}
    for item in ChecklistItemTemplate.objects.filter(active=True).order_by("position", "id"):
        templates.setdefault(item.scope, []).append(item)
    devices = sorted(
        Device.objects.filter(
            contract_id=inspection.contract_id, status=DeviceStatus.ACTIVE
        ).select_related("model", "site"),
        key=lambda d: (d.site.name, d.site_id, KIND_ORDER.get(d.model.kind, 9), d.serial),
    )
    answers: list[ChecklistAnswer] = []

    def ask(items: Iterable[ChecklistItemTemplate], site, device=None) -> None:
        for item in items:
            answers.append(
                ChecklistAnswer(
                    inspection=inspection,
                    template_item=item,
                    site=site,
                    device=device,
                    position=len(answers) + 1,
                    scope=item.scope,
                    area=item.area,
                    label_zh=item.label_zh,
                    label_en=item.label_en,
                )
            )

    site_id = None
    for device in devices:
        if device.site_id != site_id:
            site_id = device.site_id
            ask(templates.get(ChecklistScope.SITE, []), device.site)
        ask(templates.get(device.model.kind, []), device.site, device)
    return answers


@transaction.atomic
def inspection_start(inspection: Inspection, *, actor, at: datetime | None = None) -> Inspection:
    """Begin the inspection: its checklist is drawn up from the active checklist items and
    the contract's active devices, the text of each item copied."""
    at = _aware(at)
    inspection = _locked(inspection)
    _refuse_if_cancelled(inspection)
    if inspection.started_at is not None:
        raise InspectionRefused(_("The inspection has already started."))
    answers = _checklist(inspection)
    if not answers:
        raise InspectionRefused(_("The contract has no active device to inspect."))
    user = _user(actor)
    inspection.started_at = at
    inspection._history_user = user
    inspection.save()
    bulk_create_with_history(answers, ChecklistAnswer, default_user=user)
    InspectionEvent.objects.create(
        inspection=inspection, type=InspectionEventType.STARTED, at=at, actor=user
    )
    return inspection


def _in_progress(inspection: Inspection) -> Inspection:
    """The inspection, locked, if it is being carried out; else InspectionRefused."""
    inspection = _locked(inspection)
    _refuse_if_cancelled(inspection)
    if inspection.started_at is None:
        raise InspectionRefused(_("Start the inspection first."))
    if inspection.completed_at is not None:
        raise InspectionRefused(_("The inspection is completed; its report is archived."))
    return inspection


@transaction.atomic
def checklist_answer_record(
    answer: ChecklistAnswer,
    *,
    result: ItemResult | str,
    note: str = "",
    attachment=None,
    remove_attachment: bool = False,
    actor,
) -> ChecklistAnswer:
    """Answer one checklist item: ok, problem (say what) or not applicable, with a note and
    optionally a photo or file (uploads.attachment_check). A replaced file stays on disk and
    in the item's history."""
    _in_progress(answer.inspection)
    answer = ChecklistAnswer.objects.select_for_update().get(pk=answer.pk)
    errors: dict[str, list[str]] = {}
    if result not in ItemResult.values:
        errors["result"] = [_("Choose ok, problem or not applicable.")]
    elif result == ItemResult.PROBLEM and not note.strip():
        errors["note"] = [_("Describe the problem.")]
    checked = None
    if attachment is not None:
        try:
            checked = attachment_check(attachment)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    user = _user(actor)
    answer.result = ItemResult(result)
    answer.note = note.strip()
    if checked is not None:
        answer.attachment.save(checked.name, checked.file, save=False)
        answer.attachment_name = checked.name
    elif remove_attachment:
        answer.attachment = ""
        answer.attachment_name = ""
    answer.answered_at = timezone.now()
    answer.answered_by = user
    answer._history_user = user
    answer.save()
    return answer


@transaction.atomic
def finding_open(
    *,
    inspection: Inspection,
    device: Device | int | None = None,
    fault_class: FaultClass | str,
    description: str,
    caller_name: str,
    caller_phone: str,
    answer: ChecklistAnswer | int | None = None,
    actor,
) -> Finding:
    """A problem that cannot be fixed on the spot becomes a service record of the chosen
    fault class (R5.3): the record's clocks start now, its description names the inspection,
    and the finding links the two. `device` defaults to the problem item's device; a site's
    environment problem names the device it affects."""
    inspection = _in_progress(inspection)
    errors: dict[str, list[str]] = {}
    if answer is not None:
        answer_id = answer if isinstance(answer, int) else answer.pk
        answer = inspection.answers.select_related("device").filter(pk=answer_id).first()
        if answer is None:
            errors["answer"] = [_("No such checklist item in this inspection.")]
        elif answer.result != ItemResult.PROBLEM:
            errors["answer"] = [_("Only an item answered as a problem becomes a finding.")]
        elif device is None:
            device = answer.device
    if isinstance(device, int):
        device = Device.objects.filter(pk=device).first()
    if device is None or device.contract_id != inspection.contract_id:
        errors["device"] = [_("Choose a device of the inspected contract.")]
    if not description or not description.strip():
        errors["description"] = [_("Describe the problem.")]
    if errors:
        raise ValidationError(errors)
    with translation.override(settings.LANGUAGE_CODE):
        origin = _("Found during inspection %(number)s") % {"number": inspection.number}
        if answer is not None:
            origin = f"{origin}: {answer.label_zh}"
    now = timezone.now()
    record = service_record_open(
        device=device,
        fault_class=fault_class,
        description=f"{origin}\n{description.strip()}",
        caller_name=caller_name,
        caller_phone=caller_phone,
        reported_at=now,
        actor=actor,
    )
    return Finding.objects.create(
        inspection=inspection,
        answer=answer,
        device=device,
        service_record=record,
        description=description.strip(),
        found_at=now,
        found_by=_user(actor),
    )


@transaction.atomic
def training_record(
    *,
    inspection: Inspection,
    topic: str,
    attendees: str,
    attendee_count: int,
    duration_minutes: int,
    actor,
) -> Training:
    """Training given to the customer's users during the visit (R5.4)."""
    inspection = _in_progress(inspection)
    user = _user(actor)
    training = Training(
        inspection=inspection,
        topic=(topic or "").strip(),
        attendees=(attendees or "").strip(),
        attendee_count=attendee_count,
        duration_minutes=duration_minutes,
        recorded_at=timezone.now(),
        recorded_by=user,
    )
    training.full_clean(exclude=["inspection", "recorded_by"])
    training._history_user = user
    training.save()
    return training


@transaction.atomic
def inspection_complete(
    inspection: Inspection,
    *,
    summary: str,
    customer_representative: str = "",
    actor,
    at: datetime | None = None,
) -> Inspection:
    """Complete the inspection once every checklist item is answered: the report is printed
    and archived as it is now (R5.5), and nothing of the inspection changes after. Sends
    `inspection_completed` after commit."""
    from vcdesk.inspections.pdf import inspection_report_render

    at = _aware(at)
    inspection = _in_progress(inspection)
    unanswered = inspection.answers.filter(result="").count()
    if unanswered:
        raise InspectionRefused(
            _("%(count)d checklist items are not answered yet.") % {"count": unanswered}
        )
    errors = {}
    if not summary or not summary.strip():
        errors["summary"] = [_("Write the conclusion of the inspection.")]
    if len(customer_representative or "") > 100:
        errors["customer_representative"] = [_("At most 100 characters.")]
    if at < inspection.started_at:
        errors["at"] = [_("The inspection cannot end before it started.")]
    if errors:
        raise ValidationError(errors)
    user = _user(actor)
    inspection.completed_at = at
    inspection.summary = summary.strip()
    inspection.customer_representative = (customer_representative or "").strip()
    inspection._history_user = user
    inspection.save()
    InspectionEvent.objects.create(
        inspection=inspection, type=InspectionEventType.COMPLETED, at=at, actor=user
    )
    pdf = inspection_report_render(inspection)
    report = InspectionReport(
        inspection=inspection,
        sha256=hashlib.sha256(pdf).hexdigest(),
        size=len(pdf),
        archived_at=timezone.now(),
    )
    report.pdf.save(f"{inspection.number}.pdf", ContentFile(pdf), save=False)
    report.save()
    transaction.on_commit(
        lambda: inspection_completed.send(sender=Inspection, inspection=inspection)
    )
    return inspection
