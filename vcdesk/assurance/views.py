"""The meeting assurance pages: the customer's booking form and their bookings with the
quota used / included; the staff's list and the booking page with its steps (engineers,
checks, rehearsal, spare kit, check-in, incidents, outcome), usable on a phone.

Each view parses its input, calls one service or selector, and renders; a refusal is shown
next to the form's fields or, for a step of the booking page, as a message.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from vcdesk.assurance import forms, selectors, services
from vcdesk.assurance.choices import BookingStatus, CheckKind, Staffing
from vcdesk.assurance.filters import BookingFilter
from vcdesk.assurance.models import Booking
from vcdesk.assurance.permissions import may_book, may_change_booking, may_guard, may_staff
from vcdesk.core.history import history_entries
from vcdesk.core.pages import filters_from_request, page_of
from vcdesk.core.views import add_service_errors
from vcdesk.customers.models import Site
from vcdesk.customers.selectors import organisation_visible

# --- lists ------------------------------------------------------------------------------------


@login_required
def booking_list(request: HttpRequest) -> HttpResponse:
    """Bookings, latest meeting first; for a customer contact (or staff looking at one
    organisation) the quota used / included in each contract's current year."""
    filters, filter_errors = filters_from_request(BookingFilter, request)
    user = request.user
    visible = selectors.booking_visible(user=user)
    page = page_of(request, filters.filter(visible).order_by("-starts_at", "-id"))
    quota_for = user.organisation_id if user.is_customer_contact else filters.organisation
    quotas = (
        selectors.quota_overview(user=user, organisation_id=quota_for)
        if quota_for is not None
        else []
    )
    return render(
        request,
        "assurance/booking_list.html",
        {
            "page": page,
            "filters": filters,
            "filter_errors": filter_errors,
            "quotas": quotas,
            "statuses": list(BookingStatus),
            "staff": not user.is_customer_contact,
            "may_book": may_book(user),
            "organisations": []
            if user.is_customer_contact
            else organisation_visible(user=user).only("id", "name").order_by("name"),
        },
    )


# --- the booking form: new and edit -----------------------------------------------------------


def _organisation_for_new(request: HttpRequest) -> int | None:
    """A customer contact books for their organisation; staff choose one first."""
    user = request.user
    if user.is_customer_contact:
        return user.organisation_id
    raw = request.POST.get("organisation") or request.GET.get("organisation") or ""
    if not raw.isdigit():
        return None
    org = organisation_visible(user=user).filter(pk=int(raw)).first()
    return org.pk if org else None


@login_required
def booking_new(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not may_book(user):
        raise PermissionDenied
    organisation_id = _organisation_for_new(request)
    if organisation_id is None:
        return render(
            request,
            "assurance/choose_organisation.html",
            {"organisations": organisation_visible(user=user).order_by("name")},
        )
    form = forms.BookingForm(request.POST or None, user=user, organisation_id=organisation_id)
    if request.method == "POST" and form.is_valid():
        try:
            booking = services.booking_create(
                actor=user, organisation=organisation_id, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            if booking.extra:
                messages.warning(
                    request,
                    _(
                        "Booked. This contract year's included meeting assurances are used "
                        "up: this one is beyond the quota."
                    ),
                )
            else:
                messages.success(request, _("Booked."))
            return redirect("assurance_booking_detail", pk=booking.pk)
    elif request.method == "GET" and user.is_customer_contact:
        form.initial.setdefault("contact_name", user.full_name)
    return render(
        request,
        "assurance/booking_form.html",
        {
            "form": form,
            "booking": None,
            "organisation": organisation_visible(user=user).filter(pk=organisation_id).first(),
            "quotas": selectors.quota_overview(user=user, organisation_id=organisation_id),
        },
    )


def _visible_or_404(request: HttpRequest, pk: int) -> Booking:
    booking = selectors.booking_detail(user=request.user, pk=pk)
    if booking is None:
        raise Http404
    return booking


@login_required
def booking_edit(request: HttpRequest, pk: int) -> HttpResponse:
    booking = _visible_or_404(request, pk)
    if not may_change_booking(request.user, booking):
        raise PermissionDenied
    names = [name for name in services.BOOKING_FIELDS if name != "sites"]
    initial = {name: getattr(booking, name) for name in names}
    initial["starts_at"] = timezone.localtime(booking.starts_at)
    initial["ends_at"] = timezone.localtime(booking.ends_at)
    initial["sites"] = list(booking.sites.all())
    form = forms.BookingForm(
        request.POST or None,
        user=request.user,
        organisation_id=booking.organisation_id,
        editing=True,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            if changes:
                services.booking_update(booking, actor=request.user, **changes)
        except services.BookingRefused as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("assurance_booking_detail", pk=booking.pk)
    return render(
        request,
        "assurance/booking_form.html",
        {"form": form, "booking": booking, "organisation": booking.organisation},
    )


# --- the booking page -------------------------------------------------------------------------


def _latest_checks(booking: Booking) -> tuple[dict, object]:
    """The latest device check per site and the latest rehearsal (checks come in time order)."""
    per_site, rehearsal = {}, None
    for check in booking.checks.all():
        if check.kind == CheckKind.DEVICE_CHECK:
            per_site[check.site_id] = check
        else:
            rehearsal = check
    return per_site, rehearsal


def _history(booking: Booking) -> list[dict]:
    """The booking's change history; a change of its sites names them (simple-history keeps
    them as through-table rows)."""
    entries = history_entries(booking, limit=30)
    label = Booking._meta.get_field("sites").verbose_name
    changes = [c for e in entries for c in e["changes"] if c["field"] == label]
    ids = {row["site"] for c in changes for key in ("old", "new") for row in c[key] or []}
    names = dict(Site.objects.filter(pk__in=ids).values_list("pk", "name"))
    for change in changes:
        for key in ("old", "new"):
            change[key] = "、".join(names.get(row["site"], "?") for row in change[key] or [])
    return entries


@login_required
def booking_detail(request: HttpRequest, pk: int) -> HttpResponse:
    booking = _visible_or_404(request, pk)
    user = request.user
    now = timezone.now()
    per_site, rehearsal = _latest_checks(booking)
    live = booking.live_assignments
    guard = may_guard(user) and booking.is_open
    started = booking.starts_at <= now
    staffable = may_staff(user) and booking.is_open and booking.ends_at > now
    mine = next((a for a in live if a.engineer_id == user.pk), None)
    free_ids = (
        set(
            selectors.engineers_free(
                start=booking.starts_at, end=booking.ends_at, exclude_booking=booking.pk
            ).values_list("pk", flat=True)
        )
        if staffable
        else set()
    )
    return render(
        request,
        "assurance/booking_detail.html",
        {
            "booking": booking,
            "sites": [(site, per_site.get(site.pk)) for site in booking.sites.all()],
            "rehearsal": rehearsal,
            "assignments": live,
            "staff": not user.is_customer_contact,
            "may_change": may_change_booking(user, booking) and booking.is_open and not started,
            "staffable": staffable,
            "understaffed": booking.staffing == Staffing.UNDERSTAFFED,
            "assign_form": forms.AssignForm(free_ids=free_ids) if staffable else None,
            "guard": guard,
            "check_form": forms.CheckForm() if guard else None,
            "kit_form": forms.KitForm(booking=booking) if guard else None,
            "incident_form": forms.IncidentForm(booking=booking)
            if may_guard(user) and booking.cancelled_at is None
            else None,
            "outcome_form": forms.OutcomeForm(
                initial={"outcome": booking.outcome, "note": booking.outcome_note}
            )
            if may_guard(user) and booking.cancelled_at is None and started
            else None,
            "my_assignment": mine if guard else None,
            "may_check_in_others": guard and may_staff(user),
            "history": _history(booking),
        },
    )


# --- steps of the booking page ----------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One form on the booking page: who may post it, what it parses, what it calls."""

    allowed: Callable
    form: Callable
    call: Callable
    done: str


def _check_in(request, booking, data):
    engineer = data.get("engineer") or request.user.pk
    if engineer != request.user.pk and not may_staff(request.user):
        raise PermissionDenied
    return services.booking_check_in(booking, engineer=engineer, actor=request.user)


def _kit_release(request, booking, data):
    item = booking.kit.filter(pk=data["item"]).first()
    if item is None:
        raise Http404
    return services.kit_item_release(item, actor=request.user)


def _incident_record(request, booking, data):
    incident = booking.incidents.filter(pk=data["incident"]).first()
    if incident is None:
        raise Http404
    return services.incident_open_service_record(
        incident, fault_class=data["fault_class"], actor=request.user
    )


def _guarding(user, booking) -> bool:
    return may_guard(user)


def _staffing(user, booking) -> bool:
    return may_staff(user)


STEPS: dict[str, Step] = {
    "cancel": Step(
        may_change_booking,
        lambda request, booking: forms.CancelForm(request.POST),
        lambda request, booking, data: services.booking_cancel(
            booking, actor=request.user, reason=data["reason"]
        ),
        gettext_lazy("The booking is cancelled."),
    ),
    "assign": Step(
        _staffing,
        lambda request, booking: forms.AssignForm(request.POST, free_ids=set()),
        lambda request, booking, data: services.booking_assign(
            booking, actor=request.user, engineers=list(data["engineers"])
        ),
        gettext_lazy("Engineers assigned."),
    ),
    "release": Step(
        _staffing,
        lambda request, booking: forms.EngineerForm(request.POST),
        lambda request, booking, data: services.booking_release_engineer(
            booking, engineer=data["engineer"], actor=request.user
        ),
        gettext_lazy("The engineer is off the meeting."),
    ),
    "check": Step(
        _guarding,
        lambda request, booking: forms.DeviceCheckForm(request.POST),
        lambda request, booking, data: services.check_record(
            booking, kind=CheckKind.DEVICE_CHECK, actor=request.user, **data
        ),
        gettext_lazy("Device check recorded."),
    ),
    "rehearsal": Step(
        _guarding,
        lambda request, booking: forms.CheckForm(request.POST),
        lambda request, booking, data: services.check_record(
            booking, kind=CheckKind.REHEARSAL, actor=request.user, **data
        ),
        gettext_lazy("Rehearsal recorded."),
    ),
    "kit": Step(
        _guarding,
        lambda request, booking: forms.KitForm(request.POST, booking=booking),
        lambda request, booking, data: services.kit_item_reserve(
            booking, actor=request.user, **data
        ),
        gettext_lazy("Spare reserved for the meeting."),
    ),
    "kit-release": Step(
        _guarding,
        lambda request, booking: forms.KitReleaseForm(request.POST),
        _kit_release,
        gettext_lazy("Spare given back to stock."),
    ),
    "check-in": Step(
        _guarding,
        lambda request, booking: forms.EngineerForm(request.POST),
        _check_in,
        gettext_lazy("Checked in."),
    ),
    "incident": Step(
        _guarding,
        lambda request, booking: forms.IncidentForm(request.POST, booking=booking),
        lambda request, booking, data: services.incident_record(
            booking, actor=request.user, **data
        ),
        gettext_lazy("Incident recorded."),
    ),
    "incident-record": Step(
        _guarding,
        lambda request, booking: forms.IncidentRecordForm(request.POST),
        _incident_record,
        gettext_lazy("Service record opened."),
    ),
    "outcome": Step(
        _guarding,
        lambda request, booking: forms.OutcomeForm(request.POST),
        lambda request, booking, data: services.booking_outcome(
            booking, actor=request.user, **data
        ),
        gettext_lazy("Outcome recorded."),
    ),
}


def _show_errors(request: HttpRequest, errors: dict, form) -> None:
    for field, field_errors in errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in field_errors:
            messages.error(request, f"{label}: {error}" if label else str(error))


@login_required
@require_POST
def booking_step(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    step = STEPS.get(action)
    if step is None:
        raise Http404
    booking = _visible_or_404(request, pk)
    if not step.allowed(request.user, booking):
        raise PermissionDenied
    form = step.form(request, booking)
    if not form.is_valid():
        _show_errors(request, form.errors, form)
        return redirect("assurance_booking_detail", pk=pk)
    try:
        step.call(request, booking, form.cleaned_data)
    except services.BookingRefused as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        _show_errors(
            request, exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}, form
        )
    else:
        messages.success(request, str(step.done))
    if action == "cancel" and request.user.is_customer_contact:
        return redirect("assurance_booking_list")
    return redirect("assurance_booking_detail", pk=pk)


# --- an engineer's meetings -------------------------------------------------------------------


@login_required
def my_meetings(request: HttpRequest) -> HttpResponse:
    """The meetings the signed-in engineer guards that have not ended, soonest first."""
    bookings = selectors.bookings_of_engineer(engineer=request.user, since=timezone.now())
    return render(request, "assurance/my_meetings.html", {"bookings": bookings})
