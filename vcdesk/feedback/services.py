"""Every change to customer issue records and feedback records goes through these functions.

A complaint or a very urgent issue tells the service managers at once, in the transaction
that recorded it (`managers_alerted_at` makes that once per issue). An expected resolution
date that passes unresolved is swept like the other deadlines: `overdue_at` is a stored,
indexed time, and `issue_records_sweep_overdue` clears it with a conditional UPDATE before
telling anyone, so a second run or a second worker tells nobody twice.
"""

import uuid
from datetime import date, datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vcdesk.accounts.choices import Role
from vcdesk.calendars.workdays import BEIJING
from vcdesk.core.numbers import next_number
from vcdesk.core.services import validated_save
from vcdesk.core.uploads import upload_check
from vcdesk.customers.models import Organisation
from vcdesk.feedback.choices import IssueKind
from vcdesk.feedback.models import (
    FeedbackRecord,
    IssueAttachment,
    IssueNumberSequence,
    IssueRecord,
    SupervisionEntry,
    overdue_deadline,
)
from vcdesk.notify.services import Announcement, notifications_announce

NUMBER_PREFIX = "CI"
# What a customer contact fills in; the rest of the form is the service team's.
CUSTOMER_FIELDS = frozenset(
    {
        "contact_name",
        "contact_phone",
        "contact_fax",
        "contact_email",
        "details",
        "kind",
        "urgency",
        "service_record",
    }
)
STAFF_FIELDS = frozenset(
    {
        "received_on",
        "passed_to",
        "passed_on",
        "expected_resolution_on",
        "planned_measures",
        "responsible_person",
        "specialist",
    }
)
ISSUE_EDITABLE = (CUSTOMER_FIELDS | STAFF_FIELDS) - {"service_record"}

ATTACHMENT_TYPES = frozenset(
    {"jpg", "jpeg", "png", "gif", "webp", "tif", "tiff", "pdf", "doc", "docx", "xls", "xlsx"}
    | {"ppt", "pptx", "txt", "log", "zip", "rar", "7z", "eml", "msg"}
)
ATTACHMENTS_PER_ISSUE = 20
# The size limit's setting, else environment variable (vcdesk.core.uploads.max_megabytes).
ATTACHMENT_MAX_MB_SETTING = "VCDESK_ATTACHMENT_MAX_MB"


class FeedbackRefused(Exception):
    """The step cannot happen now (409); nothing was written."""


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _today() -> date:
    return timezone.localdate(timezone=BEIJING)


def next_issue_number(day: date) -> str:
    """CI-YYYYMMDD-NNNN, numbered per day received (Beijing). Call inside the transaction
    that stores the issue: the day's counter stays locked until it ends."""
    key = f"{NUMBER_PREFIX}-{day:%Y%m%d}"
    return f"{key}-{next_number(IssueNumberSequence, key):04d}"


# --- telling the service managers -----------------------------------------------------------


def _service_manager_ids() -> frozenset[int]:
    return frozenset(
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.SERVICE_MANAGER)
        .values_list("pk", flat=True)
    )


def _issue_url(issue: IssueRecord) -> str:
    return settings.VCDESK_BASE_URL.rstrip("/") + reverse("issue_detail", args=[issue.pk])


def _issue_lines(issue: IssueRecord) -> tuple[str, ...]:
    details = " ".join(issue.details.split())
    return (
        _("Customer: %(organisation)s · contact: %(contact)s %(numbers)s")
        % {
            "organisation": issue.organisation.name,
            "contact": issue.contact_name,
            "numbers": issue.contact_numbers,
        },
        _("Type: %(kind)s · urgency: %(urgency)s")
        % {"kind": issue.get_kind_display(), "urgency": issue.get_urgency_display()},
        _("Details: %(details)s")
        % {"details": details[:300] + ("…" if len(details) > 300 else "")},
        _("Open the record: %(url)s") % {"url": _issue_url(issue)},
    )


def _alert_managers(issue: IssueRecord, now: datetime) -> None:
    """Tell the service managers about a complaint or a very urgent issue, once."""
    if not issue.alerts_managers or issue.managers_alerted_at is not None:
        return
    with translation.override(settings.LANGUAGE_CODE):
        tag = _("Complaint") if issue.kind == IssueKind.COMPLAINT else _("Very urgent")
        subject = _("[%(tag)s] %(number)s %(organisation)s") % {
            "tag": tag,
            "number": issue.number,
            "organisation": issue.organisation,
        }
        lines = _issue_lines(issue)
    notifications_announce(
        [
            Announcement(
                subject=subject,
                lines=lines,
                user_ids=_service_manager_ids(),
                record_id=issue.service_record_id,
            )
        ]
    )
    IssueRecord.objects.filter(pk=issue.pk).update(managers_alerted_at=now)
    issue.managers_alerted_at = now


def _arm(issue: IssueRecord) -> None:
    """The deadline the sweep watches: the end of the expected day, while unresolved."""
    if issue.resolved_on is None and issue.expected_resolution_on is not None:
        issue.overdue_at = overdue_deadline(issue.expected_resolution_on)
    else:
        issue.overdue_at = None


# --- issue records ---------------------------------------------------------------------------


def _check_dates(issue: IssueRecord, errors: dict, today: date) -> None:
    if issue.received_on and issue.received_on > today:
        errors["received_on"] = [_("The date is in the future.")]
    if issue.passed_on and issue.received_on and issue.passed_on < issue.received_on:
        errors["passed_on"] = [_("The issue cannot be passed on before it was received.")]
    if (
        issue.expected_resolution_on
        and issue.received_on
        and issue.expected_resolution_on < issue.received_on
    ):
        errors["expected_resolution_on"] = [_("The expected date is before the issue came in.")]


def _resolve_links(issue: IssueRecord, fields: dict, errors: dict) -> None:
    """Ids for the service record and the specialist become objects, checked."""
    from vcdesk.service.models import ServiceRecord

    if "service_record" in fields:
        value = fields["service_record"]
        record = (
            ServiceRecord.objects.filter(pk=getattr(value, "pk", value)).first()
            if value not in (None, "")
            else None
        )
        if value not in (None, "") and record is None:
            errors["service_record"] = [_("No such service record.")]
        elif record is not None and record.organisation_id != issue.organisation_id:
            errors["service_record"] = [_("The service record is another customer's.")]
        issue.service_record = record
    if "specialist" in fields:
        value = fields["specialist"]
        person = None
        if value not in (None, ""):
            person = (
                get_user_model()
                .objects.filter(pk=getattr(value, "pk", value), is_active=True, organisation=None)
                .first()
            )
            if person is None:
                errors["specialist"] = [_("No such member of staff.")]
        issue.specialist = person


def _apply(issue: IssueRecord, fields: dict) -> None:
    for name, value in fields.items():
        if name in ("service_record", "specialist"):
            continue
        if isinstance(value, str):
            value = value.strip()
        setattr(issue, name, value)


def _full_clean_errors(instance, exclude: list[str]) -> dict:
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        return exc.message_dict
    return {}


@transaction.atomic
def issue_record_create(
    *,
    organisation: Organisation | int | None = None,
    contact_name: str,
    details: str,
    actor,
    **fields,
) -> IssueRecord:
    """Record a customer's request or complaint; numbered CI-YYYYMMDD-NNNN.

    A customer contact raises it for their own organisation and fills the customer's fields
    only; the service team's fields answer 422 from them. A complaint or a very urgent issue
    is told to the service managers at once.
    """
    now = timezone.now()
    today = _today()
    user = _user(actor)
    errors: dict = {}
    unknown = set(fields) - CUSTOMER_FIELDS - STAFF_FIELDS
    if unknown:
        raise ValidationError({name: [_("This field cannot be set.")] for name in unknown})
    if user is not None and user.is_customer_contact:
        for name in STAFF_FIELDS & set(fields):
            if fields[name] not in (None, ""):
                errors[name] = [_("The service team fills this in.")]
        organisation = user.organisation
    elif isinstance(organisation, int | str):
        organisation = Organisation.objects.filter(pk=organisation).first()
        if organisation is None:
            errors["organisation"] = [_("No such customer.")]
    if organisation is None and "organisation" not in errors:
        errors["organisation"] = [_("Name the customer.")]
    issue = IssueRecord(
        number="-",
        received_on=fields.pop("received_on", None) or today,
        recorder=user,
        organisation=organisation,
        contact_name=contact_name.strip(),
        details=details.strip(),
    )
    _apply(issue, {k: v for k, v in fields.items() if v is not None})
    if organisation is not None:
        _resolve_links(issue, fields, errors)
    _check_dates(issue, errors, today)
    for field, messages in _full_clean_errors(
        issue, exclude=["number", "recorder", "organisation", "service_record", "specialist"]
    ).items():
        errors.setdefault(field, messages)
    if errors:
        raise ValidationError(errors)
    issue.number = next_issue_number(issue.received_on)
    _arm(issue)
    issue._history_user = user
    issue.save()
    _alert_managers(issue, now)
    return issue


@transaction.atomic
def issue_record_update(issue: IssueRecord, *, actor, **changes) -> IssueRecord:
    """Change the form's fields (staff). Raising an issue to a complaint or to very urgent
    tells the service managers, once; a new expected date re-arms the overdue notice."""
    unknown = set(changes) - ISSUE_EDITABLE - {"service_record"}
    if unknown:
        raise ValidationError({name: [_("This field cannot be changed.")] for name in unknown})
    issue = IssueRecord.objects.select_for_update().get(pk=issue.pk)
    errors: dict = {}
    previous_expected = issue.expected_resolution_on
    for required in ("contact_name", "details", "kind", "urgency", "received_on"):
        if required in changes and changes[required] in (None, ""):
            errors[required] = [_("This field cannot be blank.")]
    _apply(issue, {k: v for k, v in changes.items() if k not in errors})
    _resolve_links(issue, changes, errors)
    _check_dates(issue, errors, _today())
    for field, messages in _full_clean_errors(
        issue, exclude=["number", "recorder", "organisation", "service_record", "specialist"]
    ).items():
        errors.setdefault(field, messages)
    if errors:
        raise ValidationError(errors)
    if issue.expected_resolution_on != previous_expected:
        issue.overdue_notified_at = None
        _arm(issue)
    issue._history_user = _user(actor)
    issue.save()
    _alert_managers(issue, timezone.now())
    return issue


@transaction.atomic
def supervision_entry_add(
    issue: IssueRecord, *, period_from: date, period_to: date, resolution: str, actor
) -> SupervisionEntry:
    """Add a line to the supervision log: from … to …, how far the issue is resolved."""
    errors: dict = {}
    if period_to and period_from and period_to < period_from:
        errors["period_to"] = [_("The period ends before it starts.")]
    if period_from and period_from < issue.received_on:
        errors["period_from"] = [_("The period starts before the issue came in.")]
    if period_from and period_from > _today():
        errors["period_from"] = [_("The period has not begun yet.")]
    if not (resolution or "").strip():
        errors["resolution"] = [_("Say how far the issue is resolved.")]
    if errors:
        raise ValidationError(errors)
    return SupervisionEntry.objects.create(
        record=issue,
        period_from=period_from,
        period_to=period_to,
        resolution=resolution.strip(),
        recorded_by=_user(actor),
    )


@transaction.atomic
def issue_attachment_add(issue: IssueRecord, *, upload: UploadedFile, actor) -> IssueAttachment:
    """Keep a file with the issue (a fax, a letter, a photo) under a random name; it is
    served only through the issue's scoped page, always as a download."""
    checked = upload_check(
        upload,
        extensions=ATTACHMENT_TYPES,
        max_mb_setting=ATTACHMENT_MAX_MB_SETTING,
        field="file",
        refused_kind=_(
            "This kind of file is not accepted; attach a picture, a PDF or an office file."
        ),
    )
    if issue.attachments.count() >= ATTACHMENTS_PER_ISSUE:
        raise ValidationError(
            {"file": [_("An issue keeps at most %(n)d files.") % {"n": ATTACHMENTS_PER_ISSUE}]}
        )
    attachment = IssueAttachment(
        record=issue,
        name=checked.name,
        size=upload.size,
        content_type=(getattr(upload, "content_type", "") or "")[:100],
        uploaded_by=_user(actor),
    )
    attachment.file.save(f"{uuid.uuid4().hex}.{checked.extension}", upload, save=False)
    attachment.save()
    return attachment


# --- the overdue sweep ------------------------------------------------------------------------


def issue_records_sweep_overdue(*, now: datetime | None = None, batch: int = 500) -> int:
    """Tell the service managers and the issue's specialist about every issue whose
    expected resolution date has passed unresolved; return how many were told.

    The issues are read in one query on the partial index `issue_overdue_idx` (locked with
    SKIP LOCKED on PostgreSQL, so parallel sweeps split them), and each is marked with a
    conditional UPDATE (`… WHERE overdue_at = <read>`) in the transaction that writes its
    notifications: a second run finds nothing, and an issue resolved meanwhile is skipped.
    """
    now = now or timezone.now()
    told = 0
    while True:
        with transaction.atomic():
            due = list(
                IssueRecord.objects.filter(
                    overdue_at__isnull=False, overdue_at__lte=now, resolved_on__isnull=True
                )
                .select_related("organisation", "recorder")
                .select_for_update(skip_locked=True, of=("self",))
                .order_by("overdue_at", "id")[:batch]
            )
            marked = [
                issue
                for issue in due
                if IssueRecord.objects.filter(
                    pk=issue.pk, overdue_at=issue.overdue_at, resolved_on__isnull=True
                ).update(overdue_at=None, overdue_notified_at=now)
            ]
            if marked:
                notifications_announce(_overdue_announcements(marked))
            told += len(marked)
        if len(due) < batch:
            return told


def _overdue_announcements(issues: list[IssueRecord]) -> list[Announcement]:
    managers = _service_manager_ids()
    announcements = []
    with translation.override(settings.LANGUAGE_CODE):
        for issue in issues:
            subject = _("[Overdue] %(number)s %(organisation)s: expected resolved by %(date)s") % {
                "number": issue.number,
                "organisation": issue.organisation,
                "date": issue.expected_resolution_on.strftime("%Y-%m-%d"),
            }
            lines = (
                _("Passed to: %(who)s · responsible: %(person)s")
                % {"who": issue.passed_to or "—", "person": issue.responsible_person or "—"},
                *_issue_lines(issue),
            )
            # The recorder is told when staff; a customer who raised it follows it in the portal.
            recorder = issue.recorder
            staff_recorder = recorder.pk if recorder and not recorder.is_customer_contact else None
            people = managers | {u for u in (issue.specialist_id, staff_recorder) if u}
            announcements.append(
                Announcement(
                    subject=subject,
                    lines=lines,
                    user_ids=frozenset(people),
                    record_id=issue.service_record_id,
                )
            )
    return announcements


# --- feedback records -------------------------------------------------------------------------

FEEDBACK_FIELDS = frozenset(
    {
        "department",
        "result",
        "responsible_person",
        "department_head",
        "department_head_opinion",
        "resolved_on",
    }
)


@transaction.atomic
def feedback_record_save(issue: IssueRecord, *, actor, **fields) -> FeedbackRecord:
    """Write the issue's feedback record (create it, or change the fields given). Its
    resolution date resolves the issue: the overdue notice is disarmed; clearing the date
    arms it again."""
    unknown = set(fields) - FEEDBACK_FIELDS
    if unknown:
        raise ValidationError({name: [_("This field cannot be set.")] for name in unknown})
    issue = IssueRecord.objects.select_for_update().get(pk=issue.pk)
    feedback = FeedbackRecord.objects.filter(issue=issue).first() or FeedbackRecord(issue=issue)
    errors: dict = {}
    resolved_on = fields.get("resolved_on", feedback.resolved_on)
    if resolved_on is not None:
        if resolved_on > _today():
            errors["resolved_on"] = [_("The date is in the future.")]
        elif resolved_on < issue.received_on:
            errors["resolved_on"] = [_("The issue cannot be resolved before it came in.")]
    if feedback.customer_opinion_at is not None and "resolved_on" in fields:
        if fields["resolved_on"] != feedback.resolved_on:
            raise FeedbackRefused(
                _("The customer has given their opinion of this resolution; it stays as it is.")
            )
    if errors:
        raise ValidationError(errors)
    cleaned = {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}
    user = _user(actor)
    validated_save(feedback, actor=user, changes=cleaned)
    if issue.resolved_on != feedback.resolved_on:
        issue.resolved_on = feedback.resolved_on
        _arm(issue)
        if issue.overdue_notified_at is not None:
            issue.overdue_at = None  # told once about this date already
        issue._history_user = user
        issue.save()
    return feedback


@transaction.atomic
def feedback_customer_opinion(feedback: FeedbackRecord, *, opinion: str, actor) -> FeedbackRecord:
    """The customer's opinion of the resolution, given once (by the customer in the portal,
    or recorded by staff who heard it)."""
    feedback = FeedbackRecord.objects.select_for_update().get(pk=feedback.pk)
    if feedback.resolved_on is None:
        raise FeedbackRefused(_("The issue is not resolved yet."))
    if feedback.customer_opinion_at is not None:
        raise FeedbackRefused(_("The customer's opinion has already been given."))
    if not (opinion or "").strip():
        raise ValidationError({"opinion": [_("Write your opinion of the resolution.")]})
    if len(opinion) > 5000:
        raise ValidationError({"opinion": [_("At most 5000 characters.")]})
    user = _user(actor)
    return validated_save(
        feedback,
        actor=user,
        changes={
            "customer_opinion": opinion.strip(),
            "customer_opinion_at": timezone.now(),
            "customer_opinion_by": user,
        },
    )
