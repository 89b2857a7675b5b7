"""The SLA sweep: escalation levels fire once each, in time order, to the right people."""

import datetime as dt
import threading

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vcdesk.accounts.choices import Role
from vcdesk.assets.tests.factories import DeviceFactory
from vcdesk.core.testing import persona
from vcdesk.customers.tests.factories import SiteFactory
from vcdesk.notify.choices import Channel, WebhookKind
from vcdesk.notify.models import Notification, Team
from vcdesk.notify.tests.doubles import dummy_task_queue, robot_server
from vcdesk.service.models import Clock, EscalationLevel, EscalationTrigger, ServiceRecord
from vcdesk.service.services import service_record_event_add, service_record_open
from vcdesk.service.sweep import clocks_sweep

# 09:00 in Beijing: the response clock warns at 09:48 and falls due at 10:00.
T0 = dt.datetime(2026, 3, 10, 1, 0, tzinfo=dt.UTC)
WARNING, BREACH, HEAD = "预警：通知处理人员", "超时：通知服务经理", "超时2小时：通知服务负责人"


def minutes(n: float) -> dt.datetime:
    return T0 + dt.timedelta(minutes=n)


@pytest.fixture
def staff(db, duty_officer, service_manager):
    """A duty officer, a service manager and a head of service, each with an address."""
    duty_officer.user.email = "duty@example.com"
    duty_officer.user.save()
    service_manager.user.email = "manager@example.com"
    service_manager.user.save()
    head = persona("head", Role.SUPPORT_ENGINEER).user
    head.email = "head@example.com"
    head.save()
    Team.objects.create(name="服务负责人", is_head_of_service=True).members.add(head)
    return duty_officer


@pytest.fixture
def device(org_a):
    site = SiteFactory(organisation=org_a, name="一号会议室", travel_minutes=30)
    return DeviceFactory(site=site)


def open_record(device, actor, fault_class: str = "congestion") -> ServiceRecord:
    with time_machine.travel(T0, tick=False):
        return service_record_open(
            device=device,
            fault_class=fault_class,
            description="会议卡顿",
            caller_name="李娜",
            caller_phone="13800002222",
            actor=actor,
        )


def event(record, type: str, at: dt.datetime, **fields) -> None:
    with time_machine.travel(at, tick=False):
        service_record_event_add(record, type=type, actor=None, **fields)


def sweep_at(at: dt.datetime, **options) -> int:
    with time_machine.travel(at, tick=False):
        return clocks_sweep(**options)


def told() -> list[tuple[str, str]]:
    return list(Notification.objects.order_by("id").values_list("level_name", "recipient"))


def test_the_default_ladder_is_data_created_with_the_database(db):
    ladder = EscalationLevel.objects.values_list("trigger", "delay_minutes", "audience")
    assert set(ladder) == {
        ("warning", 0, "assignees"),
        ("breach", 0, "service_manager"),
        ("breach", 120, "head_of_service"),
    }


def test_warning_then_breach_then_two_hours_later_escalate_in_order(staff, device):
    record = open_record(device, staff.user)
    clock = record.clocks.get()

    assert sweep_at(minutes(47.9)) == 0
    assert sweep_at(minutes(48)) == 1
    assert told() == [(WARNING, "duty@example.com")]
    clock.refresh_from_db()
    assert clock.warned_at == minutes(48)
    assert clock.breached_at is None
    assert clock.next_escalation_at == minutes(60)

    assert sweep_at(minutes(59)) == 0
    assert sweep_at(minutes(61)) == 1
    assert told()[1:] == [(BREACH, "manager@example.com")]
    clock.refresh_from_db()
    assert clock.breached_at == minutes(60)
    record.refresh_from_db()
    assert record.has_breach

    assert sweep_at(minutes(179)) == 0
    assert sweep_at(minutes(180)) == 1
    assert told()[2:] == [(HEAD, "head@example.com")]
    clock.refresh_from_db()
    assert clock.escalation_step == 3
    assert clock.next_escalation_at is None
    assert sweep_at(minutes(24 * 60)) == 0


def test_a_late_sweep_fires_every_level_that_is_due_in_time_order(staff, device):
    open_record(device, staff.user)
    assert sweep_at(minutes(4 * 60)) == 3
    assert [level for level, _ in told()] == [WARNING, BREACH, HEAD]
    subjects = set(Notification.objects.values_list("subject", flat=True))
    assert all("SR-20260310-0001" in subject for subject in subjects)


def test_sweeping_twice_notifies_once(staff, device):
    open_record(device, staff.user)
    assert sweep_at(minutes(61)) == 2
    assert sweep_at(minutes(61)) == 0
    assert len(told()) == 2


def test_met_paused_and_cancelled_clocks_are_not_notified(staff, device):
    met = open_record(device, staff.user)
    event(met, "responded", minutes(10))
    paused = open_record(device, staff.user)
    event(paused, "responded", minutes(10))
    event(paused, "remote_failed", minutes(10))
    event(paused, "customer_hold", minutes(20), note="会议室占用，下午再来")
    cancelled = open_record(device, staff.user)
    event(cancelled, "closed", minutes(30))

    assert sweep_at(minutes(24 * 60)) == 0
    assert told() == []
    assert not Clock.objects.filter(next_escalation_at__isnull=False).exists()


def test_a_released_hold_resumes_the_ladder_at_the_moved_due_time(staff, device):
    record = open_record(device, staff.user)
    event(record, "responded", minutes(1))
    event(record, "remote_failed", minutes(1))  # on site due 01:00 + 1 + 30 + 60 min
    event(record, "customer_hold", minutes(10), note="客户要求推迟")
    event(record, "customer_release", minutes(70))  # held 60 minutes
    onsite = record.clocks.get(kind="onsite")
    assert onsite.due_at == minutes(151)

    assert sweep_at(minutes(150)) == 1  # warning at 80 % of the span, moved by the hold
    assert sweep_at(minutes(151)) == 1
    assert [level for level, _ in told()] == [WARNING, BREACH]


def test_the_assignees_are_the_duty_officer_support_staff_and_dispatched_engineers(
    staff, device, support_engineer, field_engineer
):
    support_engineer.user.email = "support@example.com"
    support_engineer.user.save()
    field_engineer.user.email = "field@example.com"
    field_engineer.user.save()
    record = open_record(device, staff.user)
    ServiceRecord.objects.filter(pk=record.pk).update(support_staff=support_engineer.user)
    event(record, "dispatched", minutes(5), engineer=field_engineer.user)
    field_team = Team.objects.create(
        name="现场工程师群", webhook_kind=WebhookKind.WECOM, webhook_url="http://127.0.0.1:9/x"
    )
    field_team.members.add(field_engineer.user, support_engineer.user)

    sweep_at(minutes(48))

    assert set(Notification.objects.values_list("channel", "recipient")) == {
        (Channel.EMAIL, "duty@example.com"),
        (Channel.EMAIL, "support@example.com"),
        (Channel.EMAIL, "field@example.com"),
        (Channel.WECOM, "现场工程师群"),
    }


def test_a_record_nobody_is_assigned_to_tells_the_duty_officers(staff, device, contact_of_a):
    record = open_record(device, contact_of_a.user)
    assert record.duty_officer is None
    sweep_at(minutes(48))
    assert told() == [(WARNING, "duty@example.com")]


def test_the_message_names_the_record_clock_due_time_and_place_with_a_link(staff, device, settings):
    settings.LANGUAGE_CODE = "en"
    settings.VCDESK_BASE_URL = "https://vcdesk.example.com/"
    record = open_record(device, staff.user)

    sweep_at(minutes(48))
    sweep_at(minutes(185))

    warning, breach, head = Notification.objects.order_by("id")
    assert warning.subject == (
        "[Warning] SR-20260310-0001 Response (1 hour) falls due at 10:00 (北京台 · 一号会议室)"
    )
    assert head.subject == (
        "[Escalation] SR-20260310-0001 Response (1 hour) was due at 10:00, "
        "2 h 5 min overdue (北京台 · 一号会议室)"
    )
    assert breach.subject.startswith("[Breach] SR-20260310-0001")
    assert f"https://vcdesk.example.com/service/{record.pk}/" in warning.body
    assert "北京广播电视台" in warning.body
    assert "2026-03-10 09:00" in warning.body
    assert warning.record == record
    assert warning.clock == record.clocks.get()


def test_escalation_levels_are_data_not_code(staff, device):
    EscalationLevel.objects.filter(audience="head_of_service").update(active=False)
    EscalationLevel.objects.create(
        name="超时30分钟：再次通知处理人员",
        trigger=EscalationTrigger.BREACH,
        delay_minutes=30,
        audience="assignees",
    )
    open_record(device, staff.user)
    assert sweep_at(minutes(90)) == 3
    assert sweep_at(minutes(24 * 60)) == 0
    assert told()[-1] == ("超时30分钟：再次通知处理人员", "duty@example.com")


def test_a_breach_reaches_the_robot_and_the_mailbox_of_the_service_managers(
    staff, device, service_manager, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with robot_server() as robot:
        managers = Team.objects.create(
            name="服务经理群",
            webhook_kind=WebhookKind.DINGTALK,
            webhook_url=f"{robot.url}/robot/send?access_token=t",
            webhook_secret="SECret",
        )
        managers.members.add(service_manager.user)
        open_record(device, staff.user)
        with time_machine.travel(minutes(61), tick=False):
            with django_capture_on_commit_callbacks(execute=True):
                clocks_sweep()

    (message,) = robot.received
    assert message.json["msgtype"] == "markdown"
    assert "SR-20260310-0001" in message.json["markdown"]["title"]
    assert {"timestamp", "sign", "access_token"} <= set(message.query)
    assert sorted(m.to[0] for m in mailoutbox) == ["duty@example.com", "manager@example.com"]
    assert not Notification.objects.filter(sent_at__isnull=True).exists()


def test_the_sweep_costs_the_same_number_of_queries_for_two_clocks_or_six(
    staff, device, support_engineer
):
    def queries_to_sweep(records: int) -> int:
        for _ in range(records):
            open_record(device, staff.user)
        with CaptureQueriesContext(connection) as queries:
            assert sweep_at(minutes(48)) == records
        Clock.objects.update(next_escalation_at=None)
        return len(queries)

    assert queries_to_sweep(6) == queries_to_sweep(2)


def test_the_sweep_clocks_command_sweeps_once(staff, device, capsys):
    open_record(device, staff.user)
    with time_machine.travel(minutes(61), tick=False):
        call_command("sweep_clocks")
    assert capsys.readouterr().out.strip() == "2 escalation level(s) fired"


def test_the_scheduler_enqueues_the_sweep_and_the_notification_re_drive(db, settings):
    queue = dummy_task_queue(settings)
    call_command("run_scheduler", "--once")
    waiting = [result.task.name for result in queue.waiting]
    # Other apps add their own sweeps to settings.VCDESK_PERIODIC_TASKS; these two are ours.
    assert {"notifications_redrive", "sweep_clocks"} <= set(waiting)
    assert queue.run_due() == len(waiting)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers")
@pytest.mark.django_db(transaction=True)
def test_two_parallel_sweeps_on_postgresql_notify_once(staff, device):
    records = [open_record(device, staff.user) for _ in range(40)]
    start = threading.Barrier(2)
    fired: list[int] = []

    def worker() -> None:
        try:
            start.wait()
            fired.append(clocks_sweep(now=minutes(4 * 60), batch=5))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(fired) == 2
    assert sum(fired) == 3 * len(records)
    rows = list(Notification.objects.values_list("clock_id", "level_name", "recipient"))
    assert len(rows) == len(set(rows)) == 3 * len(records)
    assert ServiceRecord.objects.filter(has_breach=True).count() == len(records)


def test_the_scheduler_prunes_old_task_results_kept_in_the_database(db):
    from datetime import timedelta

    from django.utils import timezone
    from django_tasks_db.models import DBTaskResult

    from vcdesk.service.tasks import sweep_clocks

    sweep_clocks.enqueue()
    DBTaskResult.objects.update(
        status="SUCCESSFUL", finished_at=timezone.now() - timedelta(days=30)
    )
    call_command("run_scheduler", "--once")
    assert not DBTaskResult.objects.filter(finished_at__lt=timezone.now() - timedelta(days=8))
