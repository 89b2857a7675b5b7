"""Devices, confirmed service records and invitations made through the services, at a
frozen moment (T0: Tuesday 2026-03-10, 09:00 in Beijing)."""

import datetime as dt

import time_machine

from vcdesk.assets.tests.factories import DeviceFactory, DeviceModelFactory
from vcdesk.contracts.tests.factories import ContractFactory
from vcdesk.customers.tests.factories import SiteFactory
from vcdesk.service import services as service
from vcdesk.service.choices import EventType
from vcdesk.service.dispatch import dispatch_assign
from vcdesk.surveys import services
from vcdesk.surveys.choices import InvitationTrigger
from vcdesk.surveys.models import SurveyItem

T0 = dt.datetime(2026, 3, 10, 1, 0, tzinfo=dt.UTC)  # 09:00 in Beijing
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


def device_of(organisation, **fields):
    site = SiteFactory(
        organisation=organisation, name="一号会议室", address="北京市西城区复兴门外大街2号"
    )
    contract = ContractFactory(organisation=organisation, number=f"HT-{organisation.pk}-2025")
    model = DeviceModelFactory(vendor="Polycom", name="RMX 2000", kind="mcu")
    return DeviceFactory(site=site, contract=contract, model=model, **fields)


def resolved_record(device, *, staff, caller_email="lina@example.cn", engineer=None, at=T0):
    """A record opened, responded to and resolved by `staff` (a duty officer), with
    `engineer` dispatched on the way when given."""
    with time_machine.travel(at, tick=False):
        record = service.service_record_open(
            device=device,
            fault_class="congestion",
            description="会议画面卡顿",
            caller_name="李娜",
            caller_phone="13800002222",
            caller_fax="010-66000000",
            caller_email=caller_email,
            actor=staff,
        )
    with time_machine.travel(at + dt.timedelta(minutes=10), tick=False):
        service.service_record_event_add(record, type=EventType.RESPONDED, actor=staff)
    if engineer is not None:
        with time_machine.travel(at + dt.timedelta(minutes=20), tick=False):
            dispatch_assign(record, engineer=engineer, actor=staff)
    with time_machine.travel(at + dt.timedelta(minutes=50), tick=False):
        service.service_record_event_add(record, type=EventType.RESOLVED, actor=staff)
    return record


def confirm(record, *, actor, at=T0 + 2 * HOUR):
    with time_machine.travel(at, tick=False):
        return service.service_record_event_add(record, type=EventType.CONFIRMED, actor=actor)


def invite(organisation, *, at=T0, email="lina@example.cn", engineers=(), **fields):
    """A survey sent by hand at `at` (None: now, for a browser against a live server)."""
    if at is None:
        recipient = services.Recipient("李娜", email) if email else None
        return services.survey_invite(
            organisation=organisation,
            trigger=InvitationTrigger.MANUAL,
            recipient=recipient,
            engineers=engineers,
            **fields,
        )
    with time_machine.travel(at, tick=False):
        return invite(organisation, at=None, email=email, engineers=engineers, **fields)


def items(invitation) -> list[SurveyItem]:
    return list(
        SurveyItem.objects.filter(section__survey_id=invitation.survey_id).order_by(
            "section__position", "position"
        )
    )


def answers(invitation, score=5, **by_key) -> list[dict]:
    """An answer for every item: `score`, except the items named by key (None: N/A)."""
    return [
        {"item": item.pk, "score": by_key.get(item.key, score), "comment": ""}
        for item in items(invitation)
    ]


def answer(invitation, *, at=T0 + HOUR, actor=None, score=5, **by_key):
    with time_machine.travel(at, tick=False):
        return services.survey_answer(
            invitation, answers=answers(invitation, score, **by_key), actor=actor
        )
