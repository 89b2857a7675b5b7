"""Customer issue records (R9.2): type, urgency and the derived status."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IssueKind(models.TextChoices):
    """问题类型: A 正常请求解决问题 / B 投诉."""

    REQUEST = "request", _("A. Request to solve a problem")
    COMPLAINT = "complaint", _("B. Complaint")


class Urgency(models.TextChoices):
    """问题紧迫程度: A 一般 / B 紧迫 / C 非常紧迫."""

    NORMAL = "normal", _("A. Normal")
    URGENT = "urgent", _("B. Urgent")
    VERY_URGENT = "very_urgent", _("C. Very urgent")


class IssueStatus(models.TextChoices):
    """Where an issue stands, derived from its fields and its feedback record."""

    NEW = "new", _("Received")
    PASSED = "passed", _("Passed to a department")
    RESOLVED = "resolved", _("Resolved")
    CLOSED = "closed", _("Customer has given an opinion")
