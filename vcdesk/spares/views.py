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
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
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

    def __init__(self, level: tuple[int, int] | None, threshold: int):
        self.kept = level is not None
        self.on_hand, self.reserved = level or (0, 0)
        self.available = self.on_hand - self.reserved
        # Never stocked here is not "low": only a warehouse that keeps the part can run low.
        self.mark = _low_mark(self.available, threshold) if self.kept else ""

    def html(self, warehouse_id: int, on_hand_label: str) -> str:
        if not self.kept:
            return '<td class="none">—</td>'
        return format_html(
            '<td class="cell {}" data-warehouse="{}" data-testid="stock-cell" title="{}">'
            "<b>{}</b><small>{} {}</small></td>",
            self.mark,
            warehouse_id,
            _("%(on_hand)s on hand, %(reserved)s reserved")
            % {"on_hand": self.on_hand, "reserved": self.reserved},
            self.available,
            self.on_hand,
            on_hand_label,
        )


class Row:
    """One part model across the warehouses shown. The page has a cell per part model and
    warehouse (400 on a page of 50 part models in 8 warehouses), so the row writes its
    cells in one pass (`cells_html`), as a select widget writes its options, instead of
    through a dozen template lookups per cell."""

    def __init__(self, part_model, warehouses: list, levels: dict):
        self.part_model = part_model
        threshold = part_model.low_stock_threshold
        self.cells = [
            (w.pk, Cell(levels.get((part_model.pk, w.pk)), threshold)) for w in warehouses
        ]
        self.available = sum(cell.available for _w, cell in self.cells)
        self.on_hand = sum(cell.on_hand for _w, cell in self.cells)
        self.mark = _low_mark(self.available, threshold)

    def cells_html(self) -> SafeString:
        on_hand_label = _("on hand")
        return mark_safe("".join(cell.html(w, on_hand_label) for w, cell in self.cells))


def _warehouses_shown(user) -> list:
    """Active warehouses: regional ones by city, the vendor's bonded warehouse last."""
    return sorted(
        selectors.warehouse_visible(user=user).filter(active=True),
        key=lambda w: (w.kind != WarehouseKind.REGIONAL, w.city, w.name),
    )


@login_required
def stock_overview(request: HttpRequest) -> HttpResponse:
    """Part models × warehouses: available (on hand), low stock marked."""
    _staff_only(request)
    filters, filter_errors = filters_from_request(StockLevelFilter, request)
    user = request.user
    all_warehouses = _warehouses_shown(user)
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
    return render(
        request,
        "spares/stock.html",
        {
            "page": page,
            "rows": [Row(part_model, warehouses, levels) for part_model in page],
            "warehouses": warehouses,
            "all_warehouses": all_warehouses,
            "part_model_choices": selectors.part_model_visible(user=user)
            .prefetch_related(None)
            .only("id", "vendor", "part_number", "name"),
            "filters": filters,
            "filter_errors": filter_errors,
            "may_manage": may_manage_spares(user),
        },
    )


def _back_to_stock(request: HttpRequest) -> str:
    query = request.GET.urlencode()
    return reverse("spares_stock") + (f"?{query}" if query else "")


def _stock_form_page(
    request: HttpRequest, form_class, *, prefix: str, title: str, initial, change, done
) -> HttpResponse:
    """The receive and the transfer page: GET shows the form (filled from the stock page's
    warehouse and part model filters, which it keeps in its address); POST calls `change`
    and returns to the stock page as it was, or shows the refusals next to the fields."""
    _managers_only(request)
    form = form_class(request.POST or None, initial=initial, auto_id=f"{prefix}_%s")
    if request.method == "POST" and form.is_valid():
        try:
            change(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done(form.cleaned_data))
            return redirect(_back_to_stock(request))
    return render(
        request,
        "spares/stock_form.html",
        {"form": form, "title": title, "prefix": prefix, "back": _back_to_stock(request)},
        status=422 if request.method == "POST" else 200,
    )


def _stock_filters_as_initial(request: HttpRequest, **fields: str) -> dict:
    """{form field: the stock page's filter value} for the filters given as form=filter."""
    filters, _errors = filters_from_request(StockLevelFilter, request)
    return {field: getattr(filters, name) for field, name in fields.items()}


@login_required
def stock_receive(request: HttpRequest) -> HttpResponse:
    return _stock_form_page(
        request,
        forms.StockReceiveForm,
        prefix="receive",
        title=_("Receive stock"),
        initial=_stock_filters_as_initial(request, warehouse="warehouse", part_model="part_model"),
        change=services.stock_receive,
        done=lambda data: (
            _("Received %(quantity)d × %(part)s into %(warehouse)s.")
            % {
                "quantity": data["quantity"],
                "part": data["part_model"].part_number,
                "warehouse": data["warehouse"].name,
            }
        ),
    )


@login_required
def stock_transfer(request: HttpRequest) -> HttpResponse:
    return _stock_form_page(
        request,
        forms.StockTransferForm,
        prefix="transfer",
        title=_("Transfer between warehouses"),
        initial=_stock_filters_as_initial(
            request, from_warehouse="warehouse", part_model="part_model"
        ),
        change=services.stock_transfer,
        done=lambda data: (
            _("Moved %(quantity)d × %(part)s from %(source)s to %(target)s.")
            % {
                "quantity": data["quantity"],
                "part": data["part_model"].part_number,
                "source": data["from_warehouse"].name,
                "target": data["to_warehouse"].name,
            }
        ),
    )


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


def _ship_form(spare: SpareRequest, data=None, *, serials: list[str] | None = None):
    """The ship form of a reserved spare; `serials`: those in stock at its warehouse (read
    here when not given), for a serialised part."""
    if spare.part_model.serialised and serials is None:
        serials = services.serials_in_stock(
            warehouse=spare.reservation.warehouse, part_model=spare.part_model
        )
    return forms.SpareShipForm(
        data,
        serials=serials if spare.part_model.serialised else None,
        quantity=spare.quantity,
        auto_id=f"ship{spare.pk}_%s",
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
    to_ship = [s for s in page if may_manage and s.status == SpareRequestStatus.RESERVED]
    # The serials in stock for every serialised spare on the page, in one query.
    in_stock = services.serials_in_stock_at(
        [(s.reservation.warehouse_id, s.part_model_id) for s in to_ship if s.part_model.serialised]
    )
    for spare in page:
        spare.due_clock = _due_clock(spare, now)
    for spare in to_ship:
        serials = in_stock.get((spare.reservation.warehouse_id, spare.part_model_id), [])
        spare.ship_form = (
            failed[1] if failed and failed[0] == spare.pk else _ship_form(spare, serials=serials)
        )
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
