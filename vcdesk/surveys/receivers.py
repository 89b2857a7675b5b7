"""What the surveys follow in other apps, without those apps knowing the surveys.

A confirmed service record (vcdesk.service.signals.service_event_recorded, sent after
commit) enqueues a task that sends the invitation: a failure to send never troubles the
customer's confirmation, and the task can run again (an invitation is sent once per
subject). A completed inspection does the same through the inspections app's signal, when
that app is installed and sends one.
"""

from django.apps import apps


def on_service_event(sender, *, record, event, **kwargs) -> None:
    from vcdesk.service.choices import EventType
    from vcdesk.surveys import conf, tasks

    if event.type == EventType.CONFIRMED and conf.after_service_confirmed():
        tasks.survey_invite_after_service.enqueue(record.pk)


def on_inspection_completed(sender, *, inspection, **kwargs) -> None:
    from vcdesk.surveys import conf, tasks

    if conf.after_inspection():
        tasks.survey_invite_after_inspection.enqueue(inspection.pk)


def connect() -> None:
    from vcdesk.service.signals import service_event_recorded

    service_event_recorded.connect(on_service_event, dispatch_uid="vcdesk_surveys_service")
    if apps.is_installed("vcdesk.inspections"):
        try:
            from vcdesk.inspections.signals import inspection_completed
        except ImportError:  # an inspections app without the signal: it calls the service
            return
        inspection_completed.connect(
            on_inspection_completed, dispatch_uid="vcdesk_surveys_inspection"
        )
