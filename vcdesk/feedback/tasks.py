"""Background work of customer issues (django-tasks; run by `manage.py db_worker`)."""

from django_tasks import task

from vcdesk.feedback.services import issue_records_sweep_overdue


@task()
def sweep_overdue_issues() -> int:
    """Tell people about issues past their expected resolution date; enqueued by
    `manage.py run_scheduler`."""
    return issue_records_sweep_overdue()
