"""Teams (who is told, and through which group chat) and the notification outbox.

A `Notification` row is written in the same transaction as the decision to tell someone
(e.g. the SLA sweep marking a clock), then delivered by a background task. The row is the
immutable record of who was told what and when; only its delivery columns (`attempts`,
`next_attempt_at`, `sent_at`, `last_error`) change, and only in vcdesk.notify.services.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from vcdesk.core.models import TimeStampedModel
from vcdesk.notify.choices import Channel, WebhookKind


class Team(TimeStampedModel):
    """A group of people with an optional shared mailbox and an optional group-chat robot.

    When an escalation level tells some users, every team one of them belongs to is told
    too: once per event through its robot (not once per member), and once at its group
    address. Members of a team flagged `is_head_of_service` are the "head of service"
    audience of escalation levels.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("members"),
        related_name="notify_teams",
        blank=True,
    )
    email = models.EmailField(_("group e-mail address"), blank=True)
    webhook_kind = models.CharField(
        _("chat robot"), max_length=10, choices=WebhookKind.choices, default=WebhookKind.NONE
    )
    webhook_url = models.URLField(_("robot webhook URL"), max_length=500, blank=True)
    webhook_secret = models.CharField(
        _("robot signing secret"),
        max_length=200,
        blank=True,
        help_text=_("DingTalk only: the secret of the robot's signing (加签) security setting."),
    )
    is_head_of_service = models.BooleanField(
        _("head of service"),
        default=False,
        help_text=_("Members are told when a breach is escalated to the head of service."),
    )
    history = HistoricalRecords(excluded_fields=["webhook_secret"])

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.webhook_kind != WebhookKind.NONE and not self.webhook_url:
            errors["webhook_url"] = [_("Give the robot's webhook URL.")]
        if self.webhook_secret and self.webhook_kind != WebhookKind.DINGTALK:
            errors["webhook_secret"] = [_("Only DingTalk robots sign their messages.")]
        if errors:
            raise ValidationError(errors)


class Notification(models.Model):
    """One message to one e-mail address or one team's group chat (the outbox)."""

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    recipient = models.CharField(
        _("recipient"), max_length=254, help_text=_("The e-mail address, or the team's name.")
    )
    team = models.ForeignKey(
        Team,
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    clock = models.ForeignKey(
        "service.Clock",
        verbose_name=_("clock"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )
    record = models.ForeignKey(
        "service.ServiceRecord",
        verbose_name=_("service record"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
        db_index=False,  # notification_record_idx leads with it
    )
    level_name = models.CharField(_("escalation level"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(
        _("next attempt"),
        null=True,
        blank=True,
        help_text=_("Empty once sent or given up."),
    )
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        # Few indexes: a sweep writes thousands of rows at once. Unsent rows are found through
        # notification_due_idx (an unsent row has its next attempt, until given up).
        indexes = [
            models.Index(fields=["record", "created_at"], name="notification_record_idx"),
            # What the scheduler re-enqueues when a delivery task was lost.
            models.Index(
                fields=["next_attempt_at"],
                name="notification_due_idx",
                condition=models.Q(next_attempt_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} → {self.recipient}: {self.subject}"
