"""Every change to satisfaction surveys goes through these functions.

Invitations are sent when a service record is confirmed (a task enqueued by
vcdesk.surveys.receivers), after each completed inspection (`survey_invite_for_inspection`,
called by the inspections app or its signal) and at contract milestones
(`survey_milestones_sweep`, a periodic task); each trigger can be switched off
(vcdesk.surveys.conf). An invitation is sent once per subject: `subject_key` is unique.

The link's token is random and only its hash is stored; the e-mail carrying the link is an
outbox row of vcdesk.notify, delivered after commit like every other notification.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vcdesk.calendars.workdays import BEIJING
from vcdesk.contracts.models import Contract
from vcdesk.core.dates import add_years
from vcdesk.customers.models import Organisation
from vcdesk.notify.choices import Channel
from vcdesk.notify.models import Notification
from vcdesk.notify.services import notifications_enqueue
from vcdesk.surveys import conf
from vcdesk.surveys.choices import InvitationTrigger, Score
from vcdesk.surveys.models import (
    ContractSurveySchedule,
    MilestoneKind,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyItem,
    token_new,
)

# A milestone missed by more than this (the scheduler was stopped) is skipped, not sent late.
MILESTONE_GRACE = timedelta(days=30)


class SurveyClosed(Exception):
    """The survey can no longer be answered (409 or 410); nothing was written."""


class SurveyAlreadyAnswered(SurveyClosed):
    pass


class SurveyExpired(SurveyClosed):
    pass


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def survey_default() -> Survey | None:
    return Survey.objects.filter(is_default=True, active=True).first()


def survey_link(raw_token: str) -> str:
    return settings.VCDESK_BASE_URL.rstrip("/") + reverse("survey_by_token", args=[raw_token])


@dataclass(frozen=True)
class Recipient:
    name: str
    email: str
    user: object | None = None


def _contact_recipient(organisation: Organisation) -> Recipient | None:
    """The organisation's first active customer-contact account with an e-mail address."""
    user = (
        get_user_model()
        .objects.filter(organisation=organisation, is_active=True)
        .exclude(email="")
        .order_by("id")
        .first()
    )
    return None if user is None else Recipient(str(user), user.email, user)


def _recipient_for_address(organisation: Organisation, name: str, email: str) -> Recipient:
    user = (
        get_user_model()
        .objects.filter(organisation=organisation, is_active=True, email__iexact=email)
        .first()
    )
    return Recipient(name or str(user or ""), email, user)


def _names(people: Iterable) -> str:
    return "、".join(dict.fromkeys(str(p) for p in people))


def _email(invitation: SurveyInvitation, raw_token: str) -> None:
    """Write the invitation's e-mail to the outbox; delivered after commit."""
    with translation.override(settings.LANGUAGE_CODE):
        expires = timezone.localtime(invitation.expires_at, BEIJING)
        about = invitation.about or _("our service")
        subject = _("Satisfaction survey: %(about)s (%(organisation)s)") % {
            "about": about,
            "organisation": invitation.customer_name,
        }
        lines = (
            _("Dear %(name)s,") % {"name": invitation.recipient_name or invitation.customer_name},
            _("Thank you for choosing us. Please tell us how satisfied you are with %(about)s.")
            % {"about": about},
            _("Answer here (no password needed; it works on a phone): %(link)s")
            % {"link": survey_link(raw_token)},
            _("The link can be answered once and is valid until %(date)s.")
            % {"date": expires.strftime("%Y-%m-%d %H:%M")},
            settings.VCDESK_COMPANY_NAME,
        )
    row = Notification.objects.create(
        channel=Channel.EMAIL,
        recipient=invitation.recipient_email,
        subject=subject[:200],
        body="\n".join(lines),
        record=invitation.service_record,
        next_attempt_at=timezone.now(),
    )
    transaction.on_commit(lambda: notifications_enqueue([row.pk]))


@transaction.atomic
def survey_invite(
    *,
    organisation: Organisation,
    trigger: InvitationTrigger | str,
    subject_key: str = "",
    survey: Survey | None = None,
    recipient: Recipient | None = None,
    engineers: Iterable = (),
    service_record=None,
    contract: Contract | None = None,
    inspection_id: int | None = None,
    milestone_on: date | None = None,
    actor=None,
    **header,
) -> SurveyInvitation | None:
    """Send `survey` (default: the default survey) to the organisation. Returns the new
    invitation with its link in `.link` (the only time the raw token exists), or None when
    this subject already had one or there is no survey to send.

    `header` holds the form's header fields; the customer's name and address default to
    the organisation's. Without a recipient the invitation is still made: every customer
    contact of the organisation can answer it in the portal.
    """
    survey = survey or survey_default()
    if survey is None:
        return None
    if subject_key and SurveyInvitation.objects.filter(subject_key=subject_key).exists():
        return None
    now = timezone.now()
    recipient = recipient or _contact_recipient(organisation)
    raw, hashed = token_new()
    user = _user(actor)
    invitation = SurveyInvitation(
        survey=survey,
        organisation=organisation,
        trigger=InvitationTrigger(trigger),
        subject_key=subject_key,
        service_record=service_record,
        contract=contract,
        inspection_id=inspection_id,
        milestone_on=milestone_on,
        customer_name=header.pop("customer_name", "") or organisation.name,
        address=header.pop("address", "") or organisation.address,
        surveying_department=header.pop("surveying_department", "") or conf.surveying_department(),
        implementing_department=header.pop("implementing_department", "")
        or conf.implementing_department(),
        surveyor=header.pop("surveyor", "") or (str(user) if user else ""),
        recipient_user=recipient.user if recipient else None,
        recipient_name=recipient.name if recipient else "",
        recipient_email=recipient.email if recipient else "",
        token_hash=hashed,
        sent_at=now,
        sent_by=user,
        expires_at=now + timedelta(days=conf.link_days()),
        **header,
    )
    invitation.full_clean(
        exclude=["survey", "organisation", "service_record", "contract", "token_hash"],
        validate_constraints=False,
    )
    invitation._history_user = user
    try:
        with transaction.atomic():  # a savepoint: a concurrent trigger may have won
            invitation.save()
    except IntegrityError:
        if subject_key and SurveyInvitation.objects.filter(subject_key=subject_key).exists():
            return None
        raise
    engineers = [e for e in engineers if e is not None]
    if engineers:
        invitation.engineers.set(engineers)
    if invitation.recipient_email:
        _email(invitation, raw)
    invitation.link = survey_link(raw)
    return invitation


HEADER_FIELDS = frozenset(
    {
        "contract_name",
        "product_name",
        "customer_name",
        "contact_name",
        "address",
        "phone_fax",
        "implementing_department",
        "implementing_staff",
        "surveying_department",
        "surveyor",
    }
)


@transaction.atomic
def survey_send(
    *,
    organisation: Organisation | int | None,
    actor,
    survey: Survey | int | None = None,
    service_record=None,
    contract: Contract | int | None = None,
    recipient_name: str = "",
    recipient_email: str = "",
    engineers: Iterable = (),
    **header,
) -> SurveyInvitation:
    """Send a survey by hand (by a member of staff). References may be given as ids; the
    recipient defaults to the organisation's first customer contact with an e-mail."""
    from vcdesk.accounts.models import User
    from vcdesk.service.models import ServiceRecord

    errors: dict[str, list[str]] = {}
    unknown = set(header) - HEADER_FIELDS
    if unknown:
        raise ValidationError({name: [_("This field cannot be set.")] for name in unknown})

    def resolve(model, value, field, message):
        if value in (None, "") or isinstance(value, model):
            return value or None
        found = model.objects.filter(pk=value).first()
        if found is None:
            errors[field] = [message]
        return found

    organisation = resolve(Organisation, organisation, "organisation", _("No such customer."))
    if organisation is None and "organisation" not in errors:
        errors["organisation"] = [_("Name the customer.")]
    survey = resolve(Survey, survey, "survey", _("No such survey."))
    if survey is not None and not survey.active:
        errors["survey"] = [_("This survey is not in use.")]
    record = resolve(ServiceRecord, service_record, "service_record", _("No such service record."))
    contract = resolve(Contract, contract, "contract", _("No such contract."))
    for field, linked in (("service_record", record), ("contract", contract)):
        if linked is not None and organisation and linked.organisation_id != organisation.pk:
            errors[field] = [_("It belongs to another customer.")]
    people = []
    for i, engineer in enumerate(engineers):
        person = resolve(User, engineer, f"engineers.{i}", _("No such member of staff."))
        if person is not None and person.is_customer_contact:
            errors[f"engineers.{i}"] = [_("No such member of staff.")]
        people.append(person)
    if errors:
        raise ValidationError(errors)
    recipient = (
        _recipient_for_address(organisation, recipient_name.strip(), recipient_email.strip())
        if recipient_email.strip()
        else None
    )
    if contract is not None:
        header.setdefault("contract_name", contract.number)
        header.setdefault("product_name", _contract_products(contract))
    if people:
        header.setdefault("implementing_staff", _names(people)[:300])
    invitation = survey_invite(
        organisation=organisation,
        trigger=InvitationTrigger.MANUAL,
        survey=survey,
        recipient=recipient,
        engineers=people,
        service_record=record,
        contract=contract,
        actor=actor,
        **{k: (v or "").strip() for k, v in header.items()},
    )
    if invitation is None:
        raise ValidationError({"survey": [_("There is no survey to send.")]})
    return invitation


def survey_invite_for_service_record(*, record, actor=None) -> SurveyInvitation | None:
    """Invite the caller (else the organisation's contact) to rate a confirmed record: the
    field engineers sent and the support staff are the engineers surveyed."""
    if not conf.after_service_confirmed():
        return None
    from vcdesk.service.models import Dispatch

    device = record.device
    engineers = [
        d.engineer for d in Dispatch.objects.filter(record=record).select_related("engineer")
    ]
    if record.support_staff_id:
        engineers.append(record.support_staff)
    recipient = (
        _recipient_for_address(record.organisation, record.caller_name, record.caller_email)
        if record.caller_email
        else None
    )
    return survey_invite(
        organisation=record.organisation,
        trigger=InvitationTrigger.SERVICE_CONFIRMED,
        subject_key=f"service_record:{record.pk}",
        recipient=recipient,
        engineers=engineers,
        service_record=record,
        contract=device.contract,
        contract_name=device.contract.number,
        product_name=f"{device.model} #{device.serial}"[:300],
        contact_name=record.caller_name,
        address=record.site.address,
        phone_fax=" / ".join(p for p in (record.caller_phone, record.caller_fax) if p)[:100],
        implementing_staff=_names(engineers)[:300],
        actor=actor,
    )


def _first(obj, *names):
    for name in names:
        value = getattr(obj, name, None)
        if value is not None:
            return value
    return None


def _people(value) -> list:
    if value is None:
        return []
    if hasattr(value, "all"):  # a many-to-many or reverse manager
        return list(value.all())
    return [value]


def survey_invite_for_inspection(*, inspection, actor=None) -> SurveyInvitation | None:
    """Invite the organisation to rate a completed inspection (R5, R9.1). Works with any
    inspection that has an organisation (or a contract with one); its engineer(s), contract
    and site are used when it has them."""
    if not conf.after_inspection():
        return None
    contract = _first(inspection, "contract")
    organisation = _first(inspection, "organisation") or getattr(contract, "organisation", None)
    if organisation is None:
        raise ValidationError({"inspection": [_("The inspection names no organisation.")]})
    engineers = []
    for name in ("engineers", "engineer", "assignee", "assigned_to", "inspector"):
        engineers += _people(getattr(inspection, name, None))
    site = _first(inspection, "site")
    contact = _first(inspection, "contact", "customer_representative")
    return survey_invite(
        organisation=organisation,
        trigger=InvitationTrigger.INSPECTION,
        subject_key=f"inspection:{inspection.pk}",
        engineers=engineers,
        contract=contract,
        inspection_id=inspection.pk,
        contract_name=getattr(contract, "number", ""),
        product_name=_contract_products(contract) if contract else "",
        contact_name=str(contact or ""),
        address=getattr(site, "address", "") or organisation.address,
        implementing_staff=_names(engineers)[:300],
        actor=actor,
    )


# --- contract milestones ----------------------------------------------------------------------


def next_milestone(
    *,
    accepted_on: date,
    warranty_ends_on: date,
    on_or_after: date,
    anniversaries: bool,
    warranty_end: bool,
) -> tuple[date, MilestoneKind] | None:
    """The contract's first survey milestone on or after `on_or_after`: an anniversary of
    its acceptance (each contract year), or the day its warranty ends. When both fall on
    one day it is the warranty's end."""
    found: list[tuple[date, int, MilestoneKind]] = []
    if warranty_end and warranty_ends_on >= on_or_after:
        found.append((warranty_ends_on, 0, MilestoneKind.WARRANTY_END))
    if anniversaries:
        years = max(on_or_after.year - accepted_on.year, 1)
        if add_years(accepted_on, years) < on_or_after:
            years += 1
        found.append((add_years(accepted_on, years), 1, MilestoneKind.ANNIVERSARY))
    if not found:
        return None
    day, _order, kind = min(found)
    return day, kind


def _contract_next(contract: Contract, on_or_after: date) -> tuple[date, MilestoneKind] | None:
    return next_milestone(
        accepted_on=contract.accepted_on,
        warranty_ends_on=contract.warranty_ends_on,
        on_or_after=on_or_after,
        anniversaries=conf.on_contract_anniversary(),
        warranty_end=conf.on_warranty_end(),
    )


def _contract_products(contract: Contract) -> str:
    models = (
        contract.devices.order_by("model__vendor", "model__name")
        .values_list("model__vendor", "model__name")
        .distinct()[:6]
    )
    return "、".join(f"{vendor} {name}" for vendor, name in models)[:300]


def survey_invite_for_milestone(
    *, contract: Contract, day: date, kind: MilestoneKind, actor=None
) -> SurveyInvitation | None:
    trigger = (
        InvitationTrigger.WARRANTY_END
        if kind == MilestoneKind.WARRANTY_END
        else InvitationTrigger.CONTRACT_ANNIVERSARY
    )
    return survey_invite(
        organisation=contract.organisation,
        trigger=trigger,
        subject_key=f"contract:{contract.pk}:{kind}:{day.isoformat()}",
        contract=contract,
        milestone_on=day,
        contract_name=contract.number,
        product_name=_contract_products(contract),
        actor=actor,
    )


def survey_milestones_sweep(*, today: date | None = None, batch: int = 500) -> int:
    """Invite for every contract milestone that has come; return how many were invited.

    Each contract's next milestone is a stored, indexed date (ContractSurveySchedule). A
    contract without one gets its first milestone from today on. A due schedule is moved
    to its following milestone by a conditional UPDATE (`… WHERE next_on = <read>`), and
    only the sweep whose UPDATE changed the row invites: a second run or a second worker
    invites nothing twice. A milestone whose contract changed since it was scheduled (it is
    no longer a milestone) is passed over, and one missed by more than MILESTONE_GRACE is
    skipped rather than sent late.
    """
    today = today or timezone.localdate(timezone=BEIJING)
    if not (conf.on_contract_anniversary() or conf.on_warranty_end()):
        return 0
    _schedule_new_contracts(today, batch)
    invited = 0
    while True:
        with transaction.atomic():
            due = list(
                ContractSurveySchedule.objects.filter(next_on__isnull=False, next_on__lte=today)
                .select_related("contract__organisation")
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("next_on", "id")[:batch]
            )
            for schedule in due:
                invited += _advance(schedule, today)
        if len(due) < batch:
            return invited


def _advance(schedule: ContractSurveySchedule, today: date) -> int:
    contract = schedule.contract
    day, kind = schedule.next_on, MilestoneKind(schedule.kind)
    following = _contract_next(contract, max(day + timedelta(days=1), today - MILESTONE_GRACE))
    moved = ContractSurveySchedule.objects.filter(
        pk=schedule.pk, next_on=day, kind=schedule.kind
    ).update(
        next_on=following[0] if following else None,
        kind=following[1] if following else schedule.kind,
    )
    if not moved or day < today - MILESTONE_GRACE or _contract_next(contract, day) != (day, kind):
        return 0
    return int(survey_invite_for_milestone(contract=contract, day=day, kind=kind) is not None)


def _schedule_new_contracts(today: date, batch: int) -> None:
    while True:
        contracts = list(
            Contract.objects.filter(survey_schedule__isnull=True)
            .only("id", "accepted_on", "warranty_ends_on")
            .order_by("id")[:batch]
        )
        rows = []
        for contract in contracts:
            upcoming = _contract_next(contract, today)
            rows.append(
                ContractSurveySchedule(
                    contract=contract,
                    next_on=upcoming[0] if upcoming else None,
                    kind=upcoming[1] if upcoming else MilestoneKind.ANNIVERSARY,
                )
            )
        ContractSurveySchedule.objects.bulk_create(rows, ignore_conflicts=True)
        if len(contracts) < batch:
            return


# --- answering --------------------------------------------------------------------------------


def _validated_answers(invitation: SurveyInvitation, answers: list[dict]) -> list[SurveyAnswer]:
    """One answer per item of the survey: `{"item": id, "score": 5…1 or None, "comment"}`;
    None is "not applicable". Errors name the answer by its place (`answers.2.score`)."""
    items = {
        item.pk: item
        for item in SurveyItem.objects.filter(section__survey_id=invitation.survey_id).order_by(
            "section__position", "position"
        )
    }
    errors: dict[str, list[str]] = {}
    rows: dict[int, SurveyAnswer] = {}
    for i, answer in enumerate(answers):
        item_id, score = answer.get("item"), answer.get("score")
        if item_id not in items:
            errors[f"answers.{i}.item"] = [_("No such item in this survey.")]
            continue
        if item_id in rows:
            errors[f"answers.{i}.item"] = [_("This item is answered twice.")]
            continue
        if score is not None and score not in Score.values:
            errors[f"answers.{i}.score"] = [
                _("Choose 5 (very satisfied) to 1 (very dissatisfied), or not applicable.")
            ]
            continue
        rows[item_id] = SurveyAnswer(
            invitation=invitation,
            item=items[item_id],
            score=score,
            comment=(answer.get("comment") or "").strip()[:2000],
        )
    missing = [item for pk, item in items.items() if pk not in rows]
    if missing and not errors:
        errors["answers"] = [
            _("Answer every item, or choose “not applicable”: %(items)s")
            % {"items": "、".join(item.text for item in missing)}
        ]
    if errors:
        raise ValidationError(errors)
    return list(rows.values())


@transaction.atomic
def survey_answer(
    invitation: SurveyInvitation,
    *,
    answers: list[dict],
    overall_comments: str = "",
    actor=None,
) -> SurveyInvitation:
    """Record the answers to an invitation, once.

    The invitation row is locked first (SELECT … FOR UPDATE on PostgreSQL; SQLite's
    IMMEDIATE transaction holds the write lock), so of two submissions at the same moment
    the second sees the first's `answered_at` and is refused with SurveyAlreadyAnswered;
    an expired link is refused with SurveyExpired. Nothing is written on a refusal or on
    bad input (ValidationError).
    """
    now = timezone.now()
    invitation = SurveyInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.answered_at is not None:
        raise SurveyAlreadyAnswered(_("This survey has already been answered. Thank you!"))
    if now >= invitation.expires_at:
        raise SurveyExpired(
            _("This survey link expired on %(date)s.")
            % {"date": timezone.localtime(invitation.expires_at, BEIJING).strftime("%Y-%m-%d")}
        )
    rows = _validated_answers(invitation, answers)
    user = _user(actor)
    invitation.answered_at = now
    invitation.answered_by = user
    invitation.overall_comments = overall_comments.strip()[:5000]
    invitation._history_user = user
    invitation.save(update_fields=["answered_at", "answered_by", "overall_comments", "updated_at"])
    SurveyAnswer.objects.bulk_create(rows)
    return invitation
