"""The spares keeper's pages: stock by warehouse, open spare requests by due time, and a spare
requested for a service record.

Staff read these pages; spares keepers, support engineers and service managers also change
stock and requests (vcdesk.spares.permissions). Customer contacts have no business here (403).
Each view parses its input, calls one service or selector, and renders.
"""

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vcdesk.core.api import get_visible_or_404
from vcdesk.core.pages import filters_from_request, page_of
from vcdesk.core.views import add_service_errors, url_has_allowed_host_and_scheme_or
from vcdesk.service.models import Clock
from vcdesk.service.selectors import service_record_visible
from vcdesk.spares import forms, selectors, services
from vcdesk.spares.choices import SpareRequestStatus, WarehouseKind
from vcdesk.spares.filters import PartModelFilter, SpareRequestFilter, StockLevelFilter
from vcdesk.spares.models import SpareRequest
from vcdesk.spares.permissions import may_manage_spares, may_see_stock


def _staff_only(request: HttpRequest) -> None:
    if not may_see_stock(request.user):
        raise PermissionDenied


def _managers_only(request: HttpRequest) -> None:
    if not may_manage_spares(request.user):
        raise PermissionDenied


def _show_errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


# --- stock by warehouse ------------------------------------------------------------------------


def _low_mark(available: int, threshold: int) -> str:
    """The colour of an available quantity: bad when none is left, warn below the
    part model's low-stock threshold."""
    if available == 0:
        return "bad"
    return "warn" if available < threshold else ""


class Cell:
    """One part model in one warehouse, as the stock page shows it."""

    def __init__(self, level, threshold: int):
        self.level = level
        self.available = level.available if level else 0
        self.on_hand = level.on_hand if level else 0
        self.reserved = level.reserved if level else 0
        # Never stocked here is not "low": only a warehouse that keeps the part can run low.
        self.mark = "" if level is None else _low_mark(self.available, threshold)


def _render_stock(
    request: HttpRequest,
    *,
    receive_form: forms.StockReceiveForm | None = None,
    transfer_form: forms.StockTransferForm | None = None,
    status: int = 200,
) -> HttpResponse:
    filters, filter_errors = filters_from_request(StockLevelFilter, request)
    user = request.user
    # Regional warehouses by city, the vendor's bonded warehouse last.
    all_warehouses = sorted(
        selectors.warehouse_visible(user=user).filter(active=True),
        key=lambda w: (w.kind != WarehouseKind.REGIONAL, w.city, w.name),
    )
    warehouses = [w for w in all_warehouses if filters.warehouse in (None, w.pk)]
    # Rows are part models, also those no warehouse keeps; `low` keeps those low somewhere.
    part_models = PartModelFilter(q=filters.q).filter(
        selectors.part_model_visible(user=user).prefetch_related(None)
    )
    if filters.part_model:
        part_models = part_models.filter(pk=filters.part_model)
    if filters.low:
        low = filters.filter(selectors.stock_level_visible(user=user))
        part_models = part_models.filter(pk__in=low.values("part_model_id"))
    page = page_of(request, part_models)
    levels = selectors.stock_matrix(user=user, part_models=list(page), warehouses=warehouses)
    rows = []
    for part_model in page:
        cells = [
            Cell(levels.get((part_model.pk, w.pk)), part_model.low_stock_threshold)
            for w in warehouses
        ]
        available = sum(c.available for c in cells)
        rows.append(
            {
                "part_model": part_model,
                "cells": cells,
                "available": available,
                "on_hand": sum(c.on_hand for c in cells),
                "mark": _low_mark(available, part_model.low_stock_threshold),
            }
        )
    may_manage = may_manage_spares(user)
    return render(
        request,
        "spares/stock.html",
        {
            "page": page,
            "rows": rows,
            "warehouses": warehouses,
            "all_warehouses": all_warehouses,
            "part_model_choices": selectors.part_model_visible(user=user)
            .prefetch_related(None)
            .only("id", "vendor", "part_number", "name"),
            "filters": filters,
            "filter_errors": filter_errors,
            "may_manage": may_manage,
            "receive_form": receive_form or forms.StockReceiveForm(auto_id="receive_%s"),
            "transfer_form": transfer_form or forms.StockTransferForm(auto_id="transfer_%s"),
        },
        status=status,
    )


@login_required
def stock_overview(request: HttpRequest) -> HttpResponse:
    """Part models × warehouses: available (on hand), low stock marked."""
    _staff_only(request)
    return _render_stock(request)


def _back_to_stock(request: HttpRequest) -> str:
    query = request.GET.urlencode()
    return reverse("spares_stock") + (f"?{query}" if query else "")


@login_required
@require_POST
def stock_receive(request: HttpRequest) -> HttpResponse:
    _managers_only(request)
    form = forms.StockReceiveForm(request.POST, auto_id="receive_%s")
    if form.is_valid():
        try:
            services.stock_receive(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            data = form.cleaned_data
            messages.success(
                request,
                _("Received %(quantity)d × %(part)s into %(warehouse)s.")
                % {
                    "quantity": data["quantity"],
                    "part": data["part_model"].part_number,
                    "warehouse": data["warehouse"].name,
                },
            )
            return redirect(_back_to_stock(request))
    return _render_stock(request, receive_form=form, status=422)


@login_required
@require_POST
def stock_transfer(request: HttpRequest) -> HttpResponse:
    _managers_only(request)
    form = forms.StockTransferForm(request.POST, auto_id="transfer_%s")
    if form.is_valid():
        try:
            services.stock_transfer(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            data = form.cleaned_data
            messages.success(
                request,
                _("Moved %(quantity)d × %(part)s from %(source)s to %(target)s.")
                % {
                    "quantity": data["quantity"],
                    "part": data["part_model"].part_number,
                    "source": data["from_warehouse"].name,
                    "target": data["to_warehouse"].name,
                },
            )
            return redirect(_back_to_stock(request))
    return _render_stock(request, transfer_form=form, status=422)


# --- open spare requests -----------------------------------------------------------------------


def _due_clock(spare: SpareRequest, now: datetime) -> Clock | None:
    """The clock of the step still owed: shipping, then arrival; with its state at `now`."""
    clocks = selectors.spare_clocks_of(spare)
    kind = "spare_ship" if spare.shipped_at is None else "spare_arrival"
    clock = clocks.get(kind)
    if clock is None or spare.status in (SpareRequestStatus.ARRIVED, SpareRequestStatus.CANCELLED):
        return None
    clock.state = clock.state_at(now)
    clock.warning = clock.warning_at(now)
    return clock


def _ship_form(spare: SpareRequest, data=None) -> forms.SpareShipForm:
    serials = None
    if spare.part_model.serialised:
        serials = services.serials_in_stock(
            warehouse=spare.reservation.warehouse, part_model=spare.part_model
        )
    return forms.SpareShipForm(
        data, serials=serials, quantity=spare.quantity, auto_id=f"ship{spare.pk}_%s"
    )


def _render_requests(
    request: HttpRequest, *, failed: tuple[int, forms.SpareShipForm] | None = None
) -> HttpResponse:
    filters, filter_errors = filters_from_request(SpareRequestFilter, request)
    if "open" not in request.GET:
        filters = filters.model_copy(update={"open": True})
    page = page_of(request, filters.filter(selectors.spare_request_by_due(user=request.user)))
    now = timezone.now()
    may_manage = may_manage_spares(request.user)
    for spare in page:
        spare.due_clock = _due_clock(spare, now)
        if may_manage and spare.status == SpareRequestStatus.RESERVED:
            spare.ship_form = failed[1] if failed and failed[0] == spare.pk else _ship_form(spare)
    return render(
        request,
        "spares/requests.html",
        {
            "page": page,
            "filters": filters,
            "filter_errors": filter_errors,
            "statuses": SpareRequestStatus.choices,
            "warehouses": selectors.warehouse_visible(user=request.user),
            "may_manage": may_manage,
        },
        status=422 if failed else 200,
    )


@login_required
def spare_request_queue(request: HttpRequest) -> HttpResponse:
    """Open spare requests, the one whose owed step falls due first first."""
    _staff_only(request)
    return _render_requests(request)


def _visible_spare_or_404(request: HttpRequest, pk: int) -> SpareRequest:
    return get_visible_or_404(selectors.spare_request_visible(user=request.user), pk)


def _back_to_requests(request: HttpRequest) -> str:
    query = request.GET.urlencode()
    return reverse("spare_request_queue") + (f"?{query}" if query else "")


@login_required
@require_POST
def spare_request_ship(request: HttpRequest, pk: int) -> HttpResponse:
    _managers_only(request)
    spare = _visible_spare_or_404(request, pk)
    form = _ship_form(spare, request.POST)
    if form.is_valid():
        try:
            services.spare_request_ship(spare, actor=request.user, **form.service_fields())
        except services.STEP_REFUSALS as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            add_service_errors(form, exc)
            return _render_requests(request, failed=(pk, form))
        else:
            messages.success(
                request,
                _("%(record)s: spare shipped with %(carrier)s, tracking number %(number)s.")
                % {
                    "record": spare.service_record.number,
                    "carrier": form.cleaned_data["carrier"],
                    "number": form.cleaned_data["tracking_number"],
                },
            )
        return redirect(_back_to_requests(request))
    return _render_requests(request, failed=(pk, form))


@login_required
@require_POST
def spare_request_arrive(request: HttpRequest, pk: int) -> HttpResponse:
    _managers_only(request)
    spare = _visible_spare_or_404(request, pk)
    try:
        services.spare_request_arrive(spare, actor=request.user)
    except services.STEP_REFUSALS as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("%(record)s: the spare arrived.") % {"record": spare.service_record.number},
        )
    return redirect(_back_to_requests(request))


@login_required
@require_POST
def spare_request_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw a spare that has not shipped, saying why; back to the page it was asked
    from (`next`: the record's page or the requests page)."""
    _managers_only(request)
    spare = _visible_spare_or_404(request, pk)
    form = forms.SpareCancelForm(request.POST)
    if not form.is_valid():
        _show_errors(request, ValidationError(form.errors["reason"]))
    else:
        try:
            services.spare_request_cancel(spare, actor=request.user, **form.cleaned_data)
        except services.STEP_REFUSALS as exc:
            messages.error(request, str(exc))
        except ValidationError as exc:
            _show_errors(request, exc)
        else:
            messages.success(
                request,
                _("%(record)s: spare request cancelled; %(quantity)d × %(part)s available again.")
                % {
                    "record": spare.service_record.number,
                    "quantity": spare.quantity,
                    "part": spare.part_model.part_number,
                },
            )
    return redirect(
        url_has_allowed_host_and_scheme_or(
            request, request.POST.get("next"), reverse("spare_request_queue")
        )
    )


# --- a spare for a service record --------------------------------------------------------------


@login_required
def spare_request_new(request: HttpRequest) -> HttpResponse:
    """Choose a part model (those serving the device's model first), see the warehouses
    that could send it nearest first, confirm: the spare is reserved and the record's spare
    clocks start."""
    _managers_only(request)
    try:
        record_id = int(request.GET.get("record", ""))
    except ValueError as exc:
        raise Http404 from exc
    record = (
        service_record_visible(user=request.user)
        .select_related("device__model")
        .prefetch_related(None)
        .filter(pk=record_id)
        .first()
    )
    if record is None:
        raise Http404
    part_models = selectors.part_models_for_record(user=request.user, record=record)
    if request.method == "POST":
        data = request.POST
    elif "part_model" in request.GET:
        data = {"quantity": "1"} | request.GET.dict()
    else:
        data = None
    form = forms.SpareRequestForm(data, part_models=part_models)
    candidates = None
    valid = form.is_bound and form.is_valid()
    if valid:
        fields = form.cleaned_data
        candidates = selectors.spare_request_proposal(
            record=record, part_model=fields["part_model"], quantity=fields["quantity"]
        )
        if request.method == "POST":
            try:
                spare = services.spare_request_create(
                    service_record=record, actor=request.user, **fields
                )
            except services.STEP_REFUSALS as exc:
                form.add_error(None, str(exc))
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Spare reserved at %(warehouse)s: %(part)s × %(quantity)d.")
                    % {
                        "warehouse": spare.warehouse.name,
                        "part": spare.part_model.part_number,
                        "quantity": spare.quantity,
                    },
                )
                return redirect("service_record_detail", pk=record.pk)
    part_models = list(part_models)
    return render(
        request,
        "spares/request_new.html",
        {
            "record": record,
            "form": form,
            "serving": [p for p in part_models if p.serves],
            "others": [p for p in part_models if not p.serves],
            "candidates": candidates,
            "chosen_warehouse": form.cleaned_data.get("warehouse") if valid else None,
            "open_requests": selectors.spare_request_visible(user=request.user).filter(
                service_record=record
            ),
        },
        status=422 if request.method == "POST" else 200,
    )
