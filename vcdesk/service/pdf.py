"""The service record printed as the plan's form 售后服务记录 (R10.2)."""

from dataclasses import dataclass
from datetime import datetime
from operator import itemgetter

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

from vcdesk.accounts.models import User
from vcdesk.core.pdf import pdf_response, render_pdf
from vcdesk.service import selectors
from vcdesk.service.choices import ClockKind, ClockState, EventType
from vcdesk.service.models import ServiceRecord

TEMPLATE = "service/pdf/service_record.html"


@dataclass(frozen=True)
class HistoryLine:
    """A row of the form's history: a written entry, or a step of the process."""

    at: datetime
    symptom: str
    action: str
    engineer: User | None = None
    is_event: bool = False


@dataclass(frozen=True)
class ClockLine:
    kind: str
    started_at: datetime
    due_at: datetime
    met_at: datetime | None
    state: ClockState
    held_minutes: int


def history_lines(record: ServiceRecord) -> list[HistoryLine]:
    """History entries and process events in time order; at the same time the event comes
    first, since the entry usually says what was done about it."""
    events = [
        ((e.at, 0, e.pk), HistoryLine(e.at, EventType(e.type).label, e.note, e.engineer, True))
        for e in record.events.all()
    ]
    entries = [
        ((h.at, 1, h.pk), HistoryLine(h.at, h.symptom, h.action))
        for h in record.history_entries.all()
    ]
    return [line for _key, line in sorted(events + entries, key=itemgetter(0))]


def clock_lines(record: ServiceRecord, *, now: datetime) -> list[ClockLine]:
    return [
        ClockLine(
            kind=ClockKind(clock.kind).label,
            started_at=clock.started_at,
            due_at=clock.due_at,
            met_at=clock.met_at,
            state=clock.state_at(now),
            held_minutes=clock.held_minutes_at(now),
        )
        for clock in record.clocks.all()
    ]


def service_record_form_context(record: ServiceRecord, *, now: datetime) -> dict:
    return {
        "record": record,
        "engineers": [dispatch.engineer for dispatch in record.dispatches.all()],
        "history": history_lines(record),
        "clocks": clock_lines(record, now=now),
    }


@login_required
def service_record_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.service_record_detail(user=request.user, pk=pk)
    if record is None:
        raise Http404
    context = service_record_form_context(record, now=timezone.now())
    return pdf_response(
        render_pdf(TEMPLATE, context, request=request), filename=f"{record.number}.pdf"
    )
