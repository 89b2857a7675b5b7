"""Background work of service records (django-tasks; run by `manage.py db_worker`)."""

from django_tasks import task

from vcdesk.service.sweep import clocks_sweep


@task()
def sweep_clocks() -> int:
    """Fire the escalation levels that are due; enqueued by `manage.py run_scheduler`."""
    return clocks_sweep()
