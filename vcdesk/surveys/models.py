"""Satisfaction surveys (客户满意度调查表, R9.1).

A survey is data: sections of items, each answered 5 (very satisfied) … 1 (very
dissatisfied) or "not applicable", edited in the admin; the plan's survey is the default
(data migration 0002). An invitation is one survey sent to one customer about one thing (a
confirmed service record, an inspection, a contract milestone), with the header fields the
plan's form prints, and a personal link whose token is stored only as a hash. It is
answered once: the answers are immutable rows, and "not applicable" is a NULL score, so
no average ever counts it.
"""

import hashlib
import secrets
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from vcdesk.core.models import TimeStampedModel
from vcdesk.surveys.choices import InvitationState, InvitationTrigger, Score


def localised(chinese: str, english: str) -> str:
    """The English text on English pages when there is one; the plan's Chinese otherwise."""
    if english and (get_language() or "").startswith("en"):
        return english
    return chinese


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_new() -> tuple[str, str]:
    """A random link token and its hash; only the hash is stored."""
    raw = secrets.token_urlsafe(32)
    return raw, token_hash(raw)


class Survey(TimeStampedModel):
    """A questionnaire. The default one is sent by every automatic invitation."""

    key = models.SlugField(_("key"), max_length=50, unique=True)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    phase_zh = models.CharField(
        _("phase (Chinese)"), max_length=200, blank=True, help_text=_("e.g. 系统集成实施阶段")
    )
    phase_en = models.CharField(_("phase (English)"), max_length=200, blank=True)
    footnote_zh = models.TextField(_("footnote (Chinese)"), blank=True)
    footnote_en = models.TextField(_("footnote (English)"), blank=True)
    is_default = models.BooleanField(_("default survey"), default=False)
    active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("survey")
        verbose_name_plural = _("surveys")
        ordering = ["-is_default", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="survey_one_default"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localised(self.title_zh, self.title_en)

    @property
    def phase(self) -> str:
        return localised(self.phase_zh, self.phase_en)

    @property
    def footnote(self) -> str:
        return localised(self.footnote_zh, self.footnote_en)


class SurveySection(models.Model):
    """A block of the survey (产品功能, 安装过程, …), in order."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.CASCADE, related_name="sections"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    key = models.SlugField(_("key"), max_length=50)
    title_zh = models.CharField(_("title (Chinese)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("survey section")
        verbose_name_plural = _("survey sections")
        ordering = ["survey_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "position"], name="survey_section_position"),
            models.UniqueConstraint(fields=["survey", "key"], name="survey_section_key"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return localised(self.title_zh, self.title_en)


class SurveyItem(models.Model):
    """One line to score. Once answered it cannot be deleted (its answers protect it)."""

    section = models.ForeignKey(
        SurveySection, verbose_name=_("section"), on_delete=models.CASCADE, related_name="items"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    key = models.SlugField(_("key"), max_length=50)
    text_zh = models.CharField(_("text (Chinese)"), max_length=300)
    text_en = models.CharField(_("text (English)"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("survey item")
        verbose_name_plural = _("survey items")
        ordering = ["section_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["section", "position"], name="survey_item_position"),
            models.UniqueConstraint(fields=["section", "key"], name="survey_item_key"),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return localised(self.text_zh, self.text_en)


class SurveyInvitation(TimeStampedModel):
    """One survey sent to one customer about one thing, and its answer.

    `subject_key` names what it is about ("service_record:12", "inspection:7",
    "contract:3:anniversary:2026-03-01"); it is unique, so an invitation is sent once per
    subject however often a trigger fires. The header fields are the plan's form, filled
    when it is sent. `answered_at` is set once, under a row lock, by
    vcdesk.surveys.services.survey_answer.
    """

    survey = models.ForeignKey(
        Survey, verbose_name=_("survey"), on_delete=models.PROTECT, related_name="invitations"
    )
    organisation = models.ForeignKey(
        "customers.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="survey_invitations",
    )
    trigger = models.CharField(_("sent for"), max_length=30, choices=InvitationTrigger.choices)
    subject_key = models.CharField(_("subject"), max_length=100, blank=True)
    service_record = models.ForeignKey(
        "service.ServiceRecord",
        verbose_name=_("service record"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="survey_invitations",
    )
    contract = models.ForeignKey(
        "contracts.Contract",
        verbose_name=_("contract"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="survey_invitations",
    )
    # The inspections app may be absent; the id is kept without a foreign key.
    inspection_id = models.PositiveBigIntegerField(_("inspection"), null=True, blank=True)
    milestone_on = models.DateField(_("milestone date"), null=True, blank=True)

    # The form's header (合同名称 … 执行调查人).
    contract_name = models.CharField(_("contract name"), max_length=200, blank=True)
    product_name = models.CharField(_("product name"), max_length=300, blank=True)
    customer_name = models.CharField(_("customer name"), max_length=200)
    contact_name = models.CharField(_("customer contact"), max_length=100, blank=True)
    address = models.CharField(_("customer address"), max_length=300, blank=True)
    phone_fax = models.CharField(_("phone / fax"), max_length=100, blank=True)
    implementing_department = models.CharField(
        _("implementing department"), max_length=100, blank=True
    )
    implementing_staff = models.CharField(_("implementing staff"), max_length=300, blank=True)
    surveying_department = models.CharField(_("surveying department"), max_length=100, blank=True)
    surveyor = models.CharField(_("surveyor"), max_length=100, blank=True)
    engineers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("engineers"),
        related_name="survey_invitations",
        blank=True,
        help_text=_("The staff whose work is surveyed; scores roll up per engineer."),
    )

    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient's account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recipient_name = models.CharField(_("recipient"), max_length=100, blank=True)
    recipient_email = models.EmailField(_("recipient's e-mail"), blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    sent_at = models.DateTimeField(_("sent at"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    expires_at = models.DateTimeField(_("link expires at"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    overall_comments = models.TextField(_("overall comments"), blank=True)
    history = HistoricalRecords(excluded_fields=["token_hash"])

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_key"], condition=~Q(subject_key=""), name="survey_one_per_subject"
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "-sent_at"], name="survey_invitation_org_idx"),
            models.Index(fields=["-sent_at", "-id"], name="survey_invitation_sent_idx"),
            models.Index(fields=["answered_at"], name="survey_invitation_answered_idx"),
            models.Index(fields=["inspection_id"], name="survey_invitation_insp_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.survey.title_zh} · {self.customer_name} · {self.sent_at:%Y-%m-%d}"

    def state_at(self, now: datetime) -> InvitationState:
        if self.answered_at is not None:
            return InvitationState.ANSWERED
        if now >= self.expires_at:
            return InvitationState.EXPIRED
        return InvitationState.PENDING

    @property
    def about(self) -> str:
        """What the survey asks about, in a few words: the service record or the contract."""
        if self.service_record_id:
            return self.service_record.number
        return self.contract_name


class SurveyAnswer(models.Model):
    """One item's answer: a score 5…1, or NULL for "not applicable", and a comment.
    Immutable; written once with the invitation's `answered_at`."""

    invitation = models.ForeignKey(
        SurveyInvitation, on_delete=models.CASCADE, related_name="answers"
    )
    item = models.ForeignKey(
        SurveyItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="answers"
    )
    score = models.PositiveSmallIntegerField(
        _("score"), null=True, blank=True, choices=Score.choices
    )
    comment = models.TextField(_("other comments"), blank=True)

    class Meta:
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        ordering = ["invitation_id", "item__section__position", "item__position"]
        constraints = [
            models.UniqueConstraint(fields=["invitation", "item"], name="survey_answer_once"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=1, score__lte=5),
                name="survey_answer_score_range",
            ),
        ]
        indexes = [models.Index(fields=["item", "score"], name="survey_answer_item_idx")]

    def __str__(self) -> str:
        return f"{self.invitation_id}/{self.item_id}: {self.score or '-'}"

    @property
    def not_applicable(self) -> bool:
        return self.score is None


class MilestoneKind(models.TextChoices):
    ANNIVERSARY = "anniversary", _("Contract-year anniversary")
    WARRANTY_END = "warranty_end", _("End of warranty")


class ContractSurveySchedule(models.Model):
    """A contract's next survey milestone (an anniversary of its acceptance, or the end of
    its warranty): a stored, indexed date swept by vcdesk.surveys.services.
    survey_milestones_sweep with a conditional UPDATE, so each milestone invites once."""

    contract = models.OneToOneField(
        "contracts.Contract", on_delete=models.CASCADE, related_name="survey_schedule"
    )
    next_on = models.DateField(_("next milestone"), null=True, blank=True)
    kind = models.CharField(_("milestone"), max_length=20, choices=MilestoneKind.choices)

    class Meta:
        verbose_name = _("contract survey schedule")
        verbose_name_plural = _("contract survey schedules")
        indexes = [
            models.Index(
                fields=["next_on"],
                name="survey_schedule_due_idx",
                condition=Q(next_on__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"{self.contract_id}: {self.kind} {self.next_on}"
