from django.db import models
from django.utils.translation import gettext_lazy as _


class WebhookKind(models.TextChoices):
    """The group-chat robot a team's webhook URL belongs to."""

    NONE = "none", _("No chat robot")
    WECOM = "wecom", _("WeCom group robot")
    DINGTALK = "dingtalk", _("DingTalk group robot")


class Channel(models.TextChoices):
    """How one notification travels."""

    EMAIL = "email", _("E-mail")
    WECOM = "wecom", _("WeCom")
    DINGTALK = "dingtalk", _("DingTalk")
