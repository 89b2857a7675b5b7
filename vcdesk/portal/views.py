"""The customer portal (/portal/): a customer contact's home page, for their organisation
only. Staff see any organisation's portal as its contacts do (`?organisation=<id>`)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from vcdesk.calendars.workdays import BEIJING
from vcdesk.customers.selectors import organisation_visible
from vcdesk.portal.selectors import portal_for
from vcdesk.service.choices import ClockKind


def url_or_none(name: str, *args) -> str | None:
    """The URL of `name`, or None when no installed app provides it."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


@login_required
def portal(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_customer_contact:
        organisation = organisation_visible(user=user).first()
        if organisation is None:  # a contact left without an organisation sees nothing
            raise Http404
    else:
        wanted = request.GET.get("organisation", "")
        organisation = (
            organisation_visible(user=user).filter(pk=int(wanted)).first()
            if wanted.isdigit()
            else None
        )
        if organisation is None:
            return redirect("home")
    now = timezone.now()
    data = portal_for(
        user=user,
        organisation_id=organisation.pk,
        today=timezone.localdate(now, timezone=BEIJING),
        now=now,
    )
    for record in data.open_records + data.past_records:
        record.clock_states = [
            (ClockKind(c.kind).label, c.state_at(now), c.due_at, c.met_at)
            for c in record.clocks.all()
        ]
    today = timezone.localdate(now, timezone=BEIJING)
    for issue in data.issues:
        issue.overdue = issue.is_overdue_on(today)
    for inspection in (data.inspections_due or []) + (data.inspections_done or []):
        inspection.detail_url = url_or_none("inspection_detail", inspection.pk)
        inspection.report_url = (
            url_or_none("inspection_report_pdf", inspection.pk) if inspection.completed_at else None
        )
    return render(
        request,
        "portal/home.html",
        {
            "organisation": organisation,
            "portal": data,
            "devices": data.devices,
            "preview": not user.is_customer_contact,
            "inspection_list_url": url_or_none("inspection_list"),
            "assurance_url": url_or_none("assurance_booking_list"),
            "assurance_new_url": url_or_none("assurance_booking_new"),
        },
    )
