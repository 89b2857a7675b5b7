"""Delivering notifications: e-mail, WeCom and DingTalk robots on a local server, retries."""

import base64
import datetime as dt
import hashlib
import hmac

import pytest
import time_machine
from django.utils import timezone

from vcdesk.notify.choices import Channel, WebhookKind
from vcdesk.notify.models import Notification, Team
from vcdesk.notify.services import (
    Announcement,
    dingtalk_signed_url,
    notification_send,
    notifications_announce,
)
from vcdesk.notify.tasks import notifications_deliver, notifications_redrive

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 10, 1, 48, tzinfo=dt.UTC)
SUBJECT = "【预警】SR-20260310-0001 响应时限将于 10:00 到期（北京台 · 一号会议室）"
LINES = ("设备：RealPresence Group 500 #SN00000001", "打开记录：http://127.0.0.1:8000/")


def a_team(robot, kind: WebhookKind, secret: str = "", **fields) -> Team:
    return Team.objects.create(
        name=f"{kind} 值班群",
        webhook_kind=kind,
        webhook_url=f"{robot.url}/robot/send?access_token=abc",
        webhook_secret=secret,
        **fields,
    )


def announce_to(team: Team) -> Notification:
    (notification,) = notifications_announce(
        [
            Announcement(
                subject=SUBJECT, lines=LINES, user_ids=frozenset(), team_ids=frozenset({team.pk})
            )
        ]
    )
    return notification


def test_a_wecom_robot_receives_one_markdown_message(robot):
    notification = announce_to(a_team(robot, WebhookKind.WECOM))
    assert notification.channel == Channel.WECOM

    notification_send(notification_id=notification.pk)

    (received,) = robot.received
    assert received.path == "/robot/send"
    assert received.query == {"access_token": "abc"}
    assert received.headers["Content-Type"].startswith("application/json")
    assert received.json == {
        "msgtype": "markdown",
        "markdown": {"content": f"**{SUBJECT}**\n\n{LINES[0]}\n\n{LINES[1]}"},
    }
    notification.refresh_from_db()
    assert notification.sent_at is not None
    assert notification.attempts == 1
    assert notification.next_attempt_at is None


def test_a_dingtalk_robot_receives_a_markdown_message_signed_with_its_secret(robot):
    secret = "SEC0123456789abcdef"
    notification = announce_to(a_team(robot, WebhookKind.DINGTALK, secret))

    notification_send(notification_id=notification.pk)

    (received,) = robot.received
    assert received.json == {
        "msgtype": "markdown",
        "markdown": {"title": SUBJECT, "text": f"**{SUBJECT}**\n\n{LINES[0]}\n\n{LINES[1]}"},
    }
    timestamp = received.query["timestamp"]
    assert abs(int(timestamp) - timezone.now().timestamp() * 1000) < 60_000
    expected = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256)
    assert received.query["sign"] == base64.b64encode(expected.digest()).decode()
    assert received.query["access_token"] == "abc"


def test_the_dingtalk_signature_is_url_encoded_base64_of_hmac_sha256():
    url = dingtalk_signed_url(
        "https://oapi.dingtalk.com/robot/send?access_token=x", "s", timestamp_ms=1
    )
    # base64 of HMAC-SHA256(key "s", "1\ns"), with + / = percent-encoded.
    digest = hmac.new(b"s", b"1\ns", hashlib.sha256).digest()
    sign = base64.b64encode(digest).decode()
    encoded = sign.replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")
    assert url == f"https://oapi.dingtalk.com/robot/send?access_token=x&timestamp=1&sign={encoded}"


def test_a_dingtalk_robot_without_a_secret_gets_no_signature(robot):
    notification = announce_to(a_team(robot, WebhookKind.DINGTALK))
    notification_send(notification_id=notification.pk)
    assert robot.received[0].query == {"access_token": "abc"}


def test_e_mail_goes_through_django_mail(mailoutbox, settings, support_engineer):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DEFAULT_FROM_EMAIL = "vcdesk@example.com"
    support_engineer.user.email = "support@example.com"
    support_engineer.user.save()
    (notification,) = notifications_announce(
        [Announcement(subject=SUBJECT, lines=LINES, user_ids={support_engineer.user.pk})]
    )

    notification_send(notification_id=notification.pk)

    (message,) = mailoutbox
    assert message.subject == SUBJECT
    assert message.to == ["support@example.com"]
    assert message.from_email == "vcdesk@example.com"
    assert message.body == "\n".join(LINES)


@pytest.mark.parametrize(
    "failure, error",
    [
        ((500, {"error": "boom"}), "HTTP 500"),
        ((200, {"errcode": 310000, "errmsg": "sign not match"}), "310000"),
    ],
    ids=["server error", "errcode"],
)
def test_a_failed_delivery_is_retried_a_minute_later_and_then_succeeds(
    robot, task_queue, django_capture_on_commit_callbacks, failure, error
):
    robot.replies.append(failure)
    with time_machine.travel(T0, tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            notification = announce_to(a_team(robot, WebhookKind.WECOM))
        assert task_queue.run_due() == 1

    notification.refresh_from_db()
    assert notification.sent_at is None
    assert notification.attempts == 1
    assert error in notification.last_error
    assert notification.next_attempt_at == T0 + dt.timedelta(minutes=1)
    (retry,) = task_queue.waiting
    assert retry.task.run_after == T0 + dt.timedelta(minutes=1)
    assert list(retry.args) == [[notification.pk]]

    with time_machine.travel(T0 + dt.timedelta(seconds=59), tick=False):
        assert task_queue.run_due() == 0
    with time_machine.travel(T0 + dt.timedelta(minutes=1), tick=False):
        assert task_queue.run_due() == 1

    notification.refresh_from_db()
    assert notification.sent_at == T0 + dt.timedelta(minutes=1)
    assert notification.attempts == 2
    assert notification.last_error == ""
    assert len(robot.received) == 2
    assert task_queue.waiting == []


def test_retries_back_off_1_2_4_8_16_minutes_and_give_up_after_six_attempts(robot, task_queue):
    robot.replies.extend([(503, {})] * 7)
    with time_machine.travel(T0, tick=False):
        notification = announce_to(a_team(robot, WebhookKind.WECOM))
    now = T0
    waits = []
    for _attempt in range(6):
        with time_machine.travel(now, tick=False):
            notifications_deliver.call([notification.pk])
        notification.refresh_from_db()
        if notification.next_attempt_at is None:
            break
        waits.append(int((notification.next_attempt_at - now).total_seconds() // 60))
        now = notification.next_attempt_at

    assert waits == [1, 2, 4, 8, 16]
    assert notification.attempts == 6
    assert notification.sent_at is None
    assert notification.next_attempt_at is None  # given up
    assert "HTTP 503" in notification.last_error
    with time_machine.travel(now + dt.timedelta(hours=1), tick=False):
        notifications_deliver.call([notification.pk])
    assert len(robot.received) == 6


def test_a_sent_notification_is_never_sent_again(robot):
    notification = announce_to(a_team(robot, WebhookKind.WECOM))
    notification_send(notification_id=notification.pk)
    notification_send(notification_id=notification.pk)
    assert len(robot.received) == 1


def test_a_duplicate_task_does_not_run_a_retry_before_its_time(robot):
    robot.replies.append((500, {}))
    with time_machine.travel(T0, tick=False):
        notification = announce_to(a_team(robot, WebhookKind.WECOM))
        notification_send(notification_id=notification.pk)
        assert notification_send(notification_id=notification.pk) is None
    assert len(robot.received) == 1


def test_an_unreachable_robot_is_a_failure_that_is_retried():
    team = Team.objects.create(
        name="失联群", webhook_kind=WebhookKind.WECOM, webhook_url="http://127.0.0.1:9/send"
    )
    with time_machine.travel(T0, tick=False):
        notification = announce_to(team)
        retry_at = notification_send(notification_id=notification.pk)
    assert retry_at == T0 + dt.timedelta(minutes=1)
    notification.refresh_from_db()
    assert "URLError" in notification.last_error


def test_the_scheduler_re_drives_a_delivery_whose_task_was_lost(robot, task_queue):
    with time_machine.travel(T0, tick=False):
        notification = announce_to(a_team(robot, WebhookKind.WECOM))  # on_commit never ran
    with time_machine.travel(T0 + dt.timedelta(minutes=4), tick=False):
        assert notifications_redrive.call() == 0
    with time_machine.travel(T0 + dt.timedelta(minutes=6), tick=False):
        assert notifications_redrive.call() == 1
        assert task_queue.run_due() == 1
        assert notifications_redrive.call() == 0
    notification.refresh_from_db()
    assert notification.sent_at is not None
    assert len(robot.received) == 1


def test_a_large_announcement_is_delivered_by_tasks_of_twenty_notifications(
    task_queue, django_capture_on_commit_callbacks
):
    teams = [Team.objects.create(name=f"群{n}", email=f"team{n}@example.com") for n in range(45)]
    with django_capture_on_commit_callbacks(execute=True):
        notifications_announce(
            [
                Announcement(
                    subject="s",
                    lines=(),
                    user_ids=frozenset(),
                    team_ids=frozenset(t.pk for t in teams),
                )
            ]
        )
    assert [len(result.args[0]) for result in task_queue.waiting] == [20, 20, 5]


def test_a_sweeps_thousands_go_as_a_few_tasks_that_the_worker_splits_into_twenties(
    task_queue, django_capture_on_commit_callbacks, mailoutbox
):
    teams = [Team.objects.create(name=f"群{n}", email=f"team{n}@example.com") for n in range(1234)]
    with django_capture_on_commit_callbacks(execute=True):
        written = notifications_announce(
            [
                Announcement(
                    subject="s",
                    lines=(),
                    user_ids=frozenset(),
                    team_ids=frozenset(t.pk for t in teams),
                )
            ]
        )
    parts = [result.args[0] for result in task_queue.waiting]
    assert [len(part) for part in parts] == [1000, 234]  # two task rows for the sweep

    task_queue.backend.results.clear()
    with django_capture_on_commit_callbacks(execute=True):
        for part in parts:
            notifications_deliver.call(part)  # the worker splits, sends nothing itself
    assert not mailoutbox
    chunks = [result.args[0] for result in task_queue.waiting]
    assert {len(chunk) for chunk in chunks[:-1]} == {20} and len(chunks) == 62
    assert sorted(i for chunk in chunks for i in chunk) == sorted(n.pk for n in written)

    for chunk in chunks:
        notifications_deliver.call(chunk)
    assert len(mailoutbox) == 1234
