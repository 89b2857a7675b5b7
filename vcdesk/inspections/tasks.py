"""Background work of inspections (django-tasks; run by `manage.py db_worker`)."""

from django_tasks import task

from vcdesk.inspections.sweep import inspections_sweep


@task()
def sweep_inspections() -> dict[str, int]:
    """Plan new contract years, send reminders and overdue notices; enqueued by
    `manage.py run_scheduler` (settings.VCDESK_PERIODIC_TASKS)."""
    return inspections_sweep()
