"""The customer portal's figures: one organisation's devices, service records, inspections,
meeting assurance, repairs, surveys and issues, each read through its app's scoped
selector, so a customer contact sees their own organisation only.

The inspections and meeting-assurance apps are optional here: without them the portal
leaves their sections out.
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, Q

from vcdesk.assets.choices import DeviceStatus
from vcdesk.assets.selectors import device_visible
from vcdesk.feedback.selectors import issue_visible
from vcdesk.rma.choices import OPEN_RMA_STATUSES, QuoteStatus
from vcdesk.rma.filters import QUOTE_STATUS_Q
from vcdesk.rma.selectors import quote_visible, rma_visible
from vcdesk.service.choices import RecordStatus
from vcdesk.service.selectors import service_record_visible
from vcdesk.surveys.selectors import invitation_to_answer

LIST_LENGTH = 8


@dataclass
class Portal:
    """What one organisation's portal shows (lists are the first few of each)."""

    devices: dict
    device_list: list
    open_records: list
    past_records: list
    open_record_count: int
    rmas: list
    open_rma_count: int
    quotes_to_decide: list
    surveys: list
    issues: list
    open_issue_count: int
    inspections_due: list | None = None
    inspections_done: list | None = None
    quotas: list | None = None
    bookings: list | None = None
    extras: dict = field(default_factory=dict)


def _in_warranty(today: date) -> Q:
    return Q(contract__accepted_on__lte=today, contract__warranty_ends_on__gt=today)


def portal_for(*, user, organisation_id: int, today: date, now: datetime) -> Portal:
    """The portal of `organisation_id` as `user` may see it (a customer contact: their own
    organisation; anyone else's is empty)."""

    def mine(queryset, path="organisation_id"):
        return queryset.filter(**{path: organisation_id})

    devices = mine(device_visible(user=user)).filter(status=DeviceStatus.ACTIVE)
    figures = devices.order_by().aggregate(
        total=Count("id"), in_warranty=Count("id", filter=_in_warranty(today))
    )
    figures["out_of_warranty"] = figures["total"] - figures["in_warranty"]
    device_list = list(devices.order_by("site__name", "model__name", "id")[:LIST_LENGTH])
    for device in device_list:
        device.in_warranty = device.contract.accepted_on <= today < device.contract.warranty_ends_on

    records = mine(service_record_visible(user=user))
    open_records = records.exclude(status=RecordStatus.CLOSED)
    rmas = mine(rma_visible(user=user))
    issues = mine(issue_visible(user=user))
    portal = Portal(
        devices=figures,
        device_list=device_list,
        open_records=list(open_records[:LIST_LENGTH]),
        past_records=list(
            records.filter(status=RecordStatus.CLOSED).order_by("-reported_at", "-id")[:5]
        ),
        open_record_count=open_records.count(),
        rmas=list(rmas.filter(status__in=OPEN_RMA_STATUSES)[:5]),
        open_rma_count=rmas.filter(status__in=OPEN_RMA_STATUSES).count(),
        quotes_to_decide=list(
            mine(quote_visible(user=user)).filter(QUOTE_STATUS_Q[QuoteStatus.SENT])[:5]
        ),
        surveys=list(mine(invitation_to_answer(user=user, now=now))[:5]),
        issues=list(issues.filter(resolved_on__isnull=True)[:5])
        + list(issues.filter(resolved_on__isnull=False)[:3]),
        open_issue_count=issues.filter(resolved_on__isnull=True).count(),
    )
    _add_inspections(portal, user, organisation_id)
    _add_quotas(portal, user, organisation_id, today, now)
    return portal


def _add_inspections(portal: Portal, user, organisation_id: int) -> None:
    try:
        from vcdesk.inspections.selectors import inspection_visible
    except ImportError:
        return
    inspections = inspection_visible(user=user).filter(organisation_id=organisation_id)
    # The visits to come: neither completed nor cancelled.
    portal.inspections_due = list(inspections.open().order_by("due_on", "id")[:5])
    portal.inspections_done = list(
        inspections.filter(completed_at__isnull=False).order_by("-completed_at", "-id")[:5]
    )


def _add_quotas(portal: Portal, user, organisation_id: int, today: date, now: datetime) -> None:
    try:
        from vcdesk.assurance.selectors import booking_visible, quota_overview
    except ImportError:
        return
    portal.quotas = [
        use
        for use in quota_overview(user=user, on=today)
        if use.contract.organisation_id == organisation_id
    ]
    # The meetings still to come (or under way), soonest first: the customer follows them.
    portal.bookings = list(
        booking_visible(user=user)
        .filter(organisation_id=organisation_id, ends_at__gt=now, cancelled_at__isnull=True)
        .order_by("starts_at", "id")[:5]
    )
