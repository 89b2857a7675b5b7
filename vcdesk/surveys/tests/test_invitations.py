"""Invitations are sent when a service record is confirmed and after an inspection, each
switchable, once per subject, by e-mail through the notification outbox (R9.1)."""

import pytest
import time_machine

from vcdesk.notify.models import Notification
from vcdesk.surveys import services, tasks
from vcdesk.surveys.choices import InvitationTrigger
from vcdesk.surveys.models import SurveyInvitation, token_hash
from vcdesk.surveys.tests.factories import T0, confirm, device_of, resolved_record


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_confirming_a_service_record_mails_the_caller_a_survey_about_it(
    org_a,
    duty_officer,
    field_engineer,
    contact_of_a,
    immediate_tasks,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    device = device_of(org_a)
    record = resolved_record(device, staff=duty_officer.user, engineer=field_engineer.user)

    with django_capture_on_commit_callbacks(execute=True):
        confirm(record, actor=contact_of_a.user)

    invitation = SurveyInvitation.objects.get()
    assert invitation.trigger == InvitationTrigger.SERVICE_CONFIRMED
    assert invitation.service_record == record
    assert invitation.organisation == org_a
    assert invitation.recipient_email == "lina@example.cn"
    assert invitation.contract_name == device.contract.number
    assert invitation.product_name == f"Polycom RMX 2000 #{device.serial}"
    assert invitation.contact_name == "李娜"
    assert invitation.phone_fax == "13800002222 / 010-66000000"
    assert invitation.address == "北京市西城区复兴门外大街2号"
    assert list(invitation.engineers.all()) == [field_engineer.user]
    assert invitation.implementing_staff == str(field_engineer.user)
    (mail,) = mailoutbox
    assert mail.to == ["lina@example.cn"]
    assert record.number in mail.subject
    link = next(word for word in mail.body.split() if "/s/" in word)
    token = link.rstrip("/").rsplit("/", 1)[-1]
    assert invitation.token_hash == token_hash(token)
    assert token not in str(SurveyInvitation.objects.values().get())


def test_the_link_token_is_stored_only_as_its_hash(org_a):
    invitation = services.survey_invite(
        organisation=org_a, trigger=InvitationTrigger.MANUAL, recipient=None
    )
    token = invitation.link.rstrip("/").rsplit("/", 1)[-1]

    row = SurveyInvitation.objects.values().get()
    assert token not in str(row)
    assert row["token_hash"] == token_hash(token)


def test_steps_other_than_the_confirmation_send_no_survey(
    org_a, duty_officer, immediate_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        resolved_record(device_of(org_a), staff=duty_officer.user)

    assert not SurveyInvitation.objects.exists()


def test_no_survey_follows_a_confirmation_when_switched_off(
    org_a, duty_officer, contact_of_a, immediate_tasks, settings, django_capture_on_commit_callbacks
):
    settings.VCDESK_SURVEY_AFTER_SERVICE = False
    record = resolved_record(device_of(org_a), staff=duty_officer.user)

    with django_capture_on_commit_callbacks(execute=True):
        confirm(record, actor=contact_of_a.user)

    assert not SurveyInvitation.objects.exists()


def test_a_record_is_surveyed_once_however_often_the_task_runs(org_a, duty_officer, contact_of_a):
    record = resolved_record(device_of(org_a), staff=duty_officer.user)
    confirm(record, actor=contact_of_a.user)

    assert tasks.survey_invite_after_service.call(record.pk) is True
    assert tasks.survey_invite_after_service.call(record.pk) is False
    assert SurveyInvitation.objects.count() == 1
    assert Notification.objects.count() == 1


def test_without_a_callers_address_the_survey_goes_to_the_organisations_contact(
    org_a, duty_officer
):
    from vcdesk.core.testing import persona

    contact = persona("wang", "customer_contact", organisation=org_a).user
    contact.email = "wang@example.cn"
    contact.save()
    record = resolved_record(device_of(org_a), staff=duty_officer.user, caller_email="")

    invitation = services.survey_invite_for_service_record(record=record)

    assert invitation.recipient_email == "wang@example.cn"
    assert invitation.recipient_user == contact
    assert Notification.objects.get().recipient == "wang@example.cn"


def test_without_any_address_the_survey_waits_in_the_portal_unsent(org_a, duty_officer):
    record = resolved_record(device_of(org_a), staff=duty_officer.user, caller_email="")

    invitation = services.survey_invite_for_service_record(record=record)

    assert invitation.recipient_email == ""
    assert not Notification.objects.exists()


def test_a_completed_inspection_is_surveyed_once_with_its_engineer(org_a, field_engineer):
    inspections = pytest.importorskip("vcdesk.inspections.tests.factories")
    inspection = inspections.completed(org_a, engineer=field_engineer.user)

    services.survey_invite_for_inspection(inspection=inspection)
    services.survey_invite_for_inspection(inspection=inspection)

    invitation = SurveyInvitation.objects.get(subject_key=f"inspection:{inspection.pk}")
    assert invitation.trigger == InvitationTrigger.INSPECTION
    assert invitation.inspection_id == inspection.pk
    assert invitation.contract == inspection.contract
    assert list(invitation.engineers.all()) == [field_engineer.user]
    assert invitation.contact_name == "张伟"


def test_no_survey_follows_an_inspection_when_switched_off(org_a, field_engineer, settings):
    inspections = pytest.importorskip("vcdesk.inspections.tests.factories")
    settings.VCDESK_SURVEY_AFTER_INSPECTION = False
    inspection = inspections.completed(org_a, engineer=field_engineer.user)

    assert services.survey_invite_for_inspection(inspection=inspection) is None
    assert not SurveyInvitation.objects.exists()


def test_a_link_expires_after_the_configured_days(org_a, settings):
    settings.VCDESK_SURVEY_LINK_DAYS = 7
    with time_machine.travel(T0, tick=False):
        invitation = services.survey_invite(
            organisation=org_a, trigger=InvitationTrigger.MANUAL, recipient=None
        )

    assert (invitation.expires_at - invitation.sent_at).days == 7


def test_completing_an_inspection_sends_its_survey_through_the_inspections_signal(
    org_a, field_engineer, immediate_tasks, django_capture_on_commit_callbacks
):
    pytest.importorskip("vcdesk.inspections.signals")
    inspections = pytest.importorskip("vcdesk.inspections.tests.factories")

    with django_capture_on_commit_callbacks(execute=True):
        inspection = inspections.completed(org_a, engineer=field_engineer.user)

    invitation = SurveyInvitation.objects.get()
    assert invitation.subject_key == f"inspection:{inspection.pk}"
    assert invitation.trigger == InvitationTrigger.INSPECTION
