"""Who an announcement reaches: users by e-mail, their teams once each."""

import pytest

from vcdesk.notify.choices import Channel, WebhookKind
from vcdesk.notify.models import Notification, Team
from vcdesk.notify.services import Announcement, notifications_announce

pytestmark = pytest.mark.django_db


def with_email(persona, address: str):
    persona.user.email = address
    persona.user.save()
    return persona.user


def test_each_team_of_the_told_users_gets_one_message_however_many_members_are_told(
    duty_officer, field_engineer, support_engineer
):
    duty = with_email(duty_officer, "duty@example.com")
    field = with_email(field_engineer, "field@example.com")
    with_email(support_engineer, "support@example.com")
    hotline = Team.objects.create(
        name="热线值班群",
        email="hotline@example.com",
        webhook_kind=WebhookKind.WECOM,
        webhook_url="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k",
    )
    hotline.members.add(duty, field, support_engineer.user)
    quiet = Team.objects.create(name="无机器人组")
    quiet.members.add(duty)

    notifications_announce(
        [Announcement(subject="s", lines=("l",), user_ids=frozenset({duty.pk, field.pk}))]
    )

    told = set(Notification.objects.values_list("channel", "recipient"))
    assert told == {
        (Channel.EMAIL, "duty@example.com"),
        (Channel.EMAIL, "field@example.com"),
        (Channel.EMAIL, "hotline@example.com"),
        (Channel.WECOM, "热线值班群"),
    }


def test_an_address_shared_by_a_user_and_a_team_gets_one_e_mail(duty_officer):
    duty = with_email(duty_officer, "Hotline@example.com")
    team = Team.objects.create(name="热线", email="hotline@example.com")
    team.members.add(duty)
    notifications_announce([Announcement(subject="s", lines=(), user_ids=frozenset({duty.pk}))])
    assert list(Notification.objects.values_list("recipient", flat=True)) == ["hotline@example.com"]


def test_inactive_users_and_users_without_an_address_get_no_e_mail(duty_officer, field_engineer):
    duty = with_email(duty_officer, "duty@example.com")
    duty.is_active = False
    duty.save()
    notifications_announce(
        [Announcement(subject="s", lines=(), user_ids=frozenset({duty.pk, field_engineer.user.pk}))]
    )
    assert not Notification.objects.exists()


def test_a_team_named_in_the_announcement_is_told_without_members(duty_officer):
    head = Team.objects.create(
        name="服务负责人",
        is_head_of_service=True,
        webhook_kind=WebhookKind.DINGTALK,
        webhook_url="https://oapi.dingtalk.com/robot/send?access_token=t",
    )
    (notification,) = notifications_announce(
        [
            Announcement(
                subject="s", lines=("a", "b"), user_ids=frozenset(), team_ids=frozenset({head.pk})
            )
        ]
    )
    assert notification.channel == Channel.DINGTALK
    assert notification.team == head
    assert notification.body == "**s**\n\na\n\nb"


def test_a_robot_needs_a_url_and_only_dingtalk_takes_a_secret():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        Team(name="x", webhook_kind=WebhookKind.WECOM, webhook_secret="s").full_clean()
    assert set(refused.value.message_dict) == {"webhook_url", "webhook_secret"}
