"""Reads of inspections, scoped to what the user may see (tenancy): pages, API, PDF and the
calendar all read through these."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet

from vcdesk.assets.models import Device
from vcdesk.core.tenancy import scope_to_user
from vcdesk.customers.models import Site
from vcdesk.inspections.models import (
    ChecklistAnswer,
    Finding,
    Inspection,
    InspectionEvent,
    InspectionPlan,
    Training,
)


def inspection_visible(*, user) -> QuerySet[Inspection]:
    return scope_to_user(
        Inspection.objects.select_related("organisation", "contract", "engineer", "plan"),
        user=user,
        organisation_path="organisation_id",
    )


def inspection_list(*, user) -> QuerySet[Inspection]:
    """Visible inspections with their checklist progress (answered / total), soonest due
    first (explicitly: a GROUP BY query ignores the model's default ordering)."""
    return (
        inspection_visible(user=user)
        .annotate(
            items_total=Count("answers"),
            items_answered=Count("answers", filter=~Q(answers__result="")),
        )
        .order_by("due_on", "id")
    )


def _with_everything(queryset: QuerySet[Inspection]) -> QuerySet[Inspection]:
    return queryset.select_related("report").prefetch_related(
        Prefetch(
            "answers",
            queryset=ChecklistAnswer.objects.select_related(
                "site", "device__model", "answered_by"
            ).order_by("position"),
        ),
        Prefetch(
            "findings",
            queryset=Finding.objects.select_related(
                "service_record", "device__model", "answer", "found_by"
            ),
        ),
        Prefetch("trainings", queryset=Training.objects.select_related("recorded_by")),
        Prefetch(
            "events",
            queryset=InspectionEvent.objects.select_related(
                "actor", "engineer_before", "engineer_after"
            ),
        ),
    )


def inspection_detail(*, user, pk: int) -> Inspection | None:
    """One visible inspection with everything its page, its API answer and its report show."""
    return (
        _with_everything(inspection_visible(user=user))
        .select_related("cancelled_by")
        .filter(pk=pk)
        .first()
    )


def inspection_for_report(*, pk: int) -> Inspection:
    """The inspection as its archived report prints it. Not scoped: only the service that
    completes an inspection calls it; every user's read goes through inspection_detail."""
    return _with_everything(
        Inspection.objects.select_related("organisation", "contract", "engineer", "plan")
    ).get(pk=pk)


def inspection_plan_visible(*, user) -> QuerySet[InspectionPlan]:
    """Visible plans with how many of their inspections were done and how many cancelled
    (the plan's count stays what the contract promised)."""
    return scope_to_user(
        InspectionPlan.objects.select_related("contract", "organisation")
        .annotate(
            inspections_done=Count(
                "inspections", filter=Q(inspections__completed_at__isnull=False)
            ),
            inspections_cancelled=Count(
                "inspections", filter=Q(inspections__cancelled_at__isnull=False)
            ),
        )
        .order_by("contract_id", "year"),
        user=user,
        organisation_path="organisation_id",
    )


def finding_visible(*, user) -> QuerySet[Finding]:
    return scope_to_user(
        Finding.objects.select_related("inspection", "service_record", "device__model", "answer"),
        user=user,
        organisation_path="inspection__organisation_id",
    )


def training_visible(*, user) -> QuerySet[Training]:
    return scope_to_user(
        Training.objects.select_related("inspection"),
        user=user,
        organisation_path="inspection__organisation_id",
    )


def answer_visible(*, user) -> QuerySet[ChecklistAnswer]:
    return scope_to_user(
        ChecklistAnswer.objects.select_related("inspection"),
        user=user,
        organisation_path="inspection__organisation_id",
    )


def inspections_between(*, user, start: date, end: date) -> QuerySet[Inspection]:
    """Visible inspections due from `start` to `end` inclusive (the calendar's month)."""
    return inspection_visible(user=user).filter(due_on__gte=start, due_on__lte=end)


def finding_of_record(*, user, record) -> Finding | None:
    """The inspection finding a service record came from, if the user may see it."""
    return finding_visible(user=user).filter(service_record=record).first()


@dataclass
class ChecklistUnit:
    """What an engineer checks in one go: a site's environment, or one device."""

    index: int
    site: Site
    device: Device | None
    answers: list[ChecklistAnswer] = field(default_factory=list)

    @property
    def answered(self) -> int:
        return sum(1 for a in self.answers if a.result)

    @property
    def complete(self) -> bool:
        return self.answered == len(self.answers)


def checklist_units(inspection: Inspection) -> list[ChecklistUnit]:
    """The inspection's answers (prefetched by `inspection_detail`) grouped by site
    environment and device, in checklist order."""
    units: list[ChecklistUnit] = []
    for answer in inspection.answers.all():
        last = units[-1] if units else None
        if last is None or (last.site.pk, getattr(last.device, "pk", None)) != (
            answer.site_id,
            answer.device_id,
        ):
            last = ChecklistUnit(index=len(units), site=answer.site, device=answer.device)
            units.append(last)
        last.answers.append(answer)
    return units
