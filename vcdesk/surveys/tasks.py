"""Background work of surveys (django-tasks; run by `manage.py db_worker`)."""

from django.apps import apps
from django_tasks import task

from vcdesk.surveys import services


@task()
def survey_invite_after_service(record_id: int) -> bool:
    """Send the survey of a confirmed service record (once; a rerun sends nothing)."""
    from vcdesk.service.models import ServiceRecord

    record = (
        ServiceRecord.objects.select_related(
            "organisation", "site", "device__model", "device__contract", "support_staff"
        )
        .filter(pk=record_id)
        .first()
    )
    if record is None:
        return False
    return services.survey_invite_for_service_record(record=record) is not None


@task()
def survey_invite_after_inspection(inspection_id: int) -> bool:
    """Send the survey of a completed inspection (once)."""
    if not apps.is_installed("vcdesk.inspections"):
        return False
    inspection = (
        apps.get_model("inspections", "Inspection").objects.filter(pk=inspection_id).first()
    )
    if inspection is None:
        return False
    return services.survey_invite_for_inspection(inspection=inspection) is not None


@task()
def sweep_survey_milestones() -> int:
    """Invite for the contract milestones that have come; enqueued by `run_scheduler`."""
    return services.survey_milestones_sweep()
