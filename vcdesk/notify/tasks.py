"""Background delivery of notifications (django-tasks; run by `manage.py db_worker`)."""

from django_tasks import task

from vcdesk.notify import services


@task()
def notifications_deliver(notification_ids: list[int]) -> None:
    """Deliver these notifications; failed ones are enqueued again for their retry time.
    A part of a large announcement (more than DELIVERY_CHUNK) is split into tasks instead."""
    if len(notification_ids) > services.DELIVERY_CHUNK:
        services.notifications_split(notification_ids)
        return
    services.notifications_send(notification_ids=notification_ids)


@task()
def notifications_redrive() -> int:
    """Enqueue again the deliveries whose task was lost; enqueued by the scheduler."""
    return len(services.notifications_redrive())
