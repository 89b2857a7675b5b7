from datetime import timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from vcdesk.accounts.permissions import may_edit_installed_base
from vcdesk.assets import forms, selectors, services
from vcdesk.assets import io as device_io
from vcdesk.assets.choices import DeviceKind, DeviceStatus
from vcdesk.assets.filters import DeviceFilter
from vcdesk.contracts.selectors import contract_visible
from vcdesk.core.history import history_entries
from vcdesk.core.pages import filters_from_request, page_of
from vcdesk.core.views import ServiceFormView
from vcdesk.customers.selectors import organisation_visible, site_visible


def _filtered_devices(request: HttpRequest):
    filters, errors = filters_from_request(DeviceFilter, request)
    return filters, errors, filters.filter(selectors.device_visible(user=request.user))


@login_required
def device_list(request: HttpRequest) -> HttpResponse:
    filters, filter_errors, devices = _filtered_devices(request)
    page = page_of(request, devices)
    if filters.q and page.paginator.count == 1:
        # A serial typed in full finds exactly one device: go straight to it.
        return redirect("device_detail", pk=page.object_list[0].pk)
    return render(
        request,
        "assets/device_list.html",
        {
            "page": page,
            "filters": filters,
            "filter_errors": filter_errors,
            "organisations": organisation_visible(user=request.user).only("id", "name"),
            "site": site_visible(user=request.user).filter(pk=filters.site).first()
            if filters.site
            else None,
            "contract": contract_visible(user=request.user).filter(pk=filters.contract).first()
            if filters.contract
            else None,
            "kinds": DeviceKind.choices,
            "statuses": DeviceStatus.choices,
            "today": timezone.localdate(),
            "may_edit": may_edit_installed_base(request.user),
        },
    )


@login_required
def device_export(request: HttpRequest) -> HttpResponse:
    _filters, _errors, devices = _filtered_devices(request)
    response = HttpResponse(
        device_io.devices_export_xlsx(devices=devices), content_type=device_io.XLSX_CONTENT_TYPE
    )
    filename = device_io.devices_export_filename(on=timezone.localdate())
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def device_detail(request: HttpRequest, pk: int) -> HttpResponse:
    device = get_object_or_404(selectors.device_visible(user=request.user), pk=pk)
    today = timezone.localdate()
    entitlement = selectors.device_entitlement(device=device, on=today)
    return render(
        request,
        "assets/device_detail.html",
        {
            "device": device,
            "entitlement": entitlement,
            "last_warranty_day": entitlement.warranty_ends_on - timedelta(days=1),
            "today": today,
            "firmware_history": selectors.device_firmware_history(device=device)[:20],
            "history": history_entries(device, limit=20),
            "may_edit": may_edit_installed_base(request.user),
        },
    )


@login_required
def device_import(request: HttpRequest) -> HttpResponse:
    if not may_edit_installed_base(request.user):
        raise PermissionDenied
    form = forms.DeviceImportForm(request.POST or None, request.FILES or None)
    row_errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            created = device_io.devices_import(
                filename=upload.name,
                data=upload.read(device_io.IMPORT_MAX_BYTES + 1),
                actor=request.user,
            )
        except device_io.ImportRejected as exc:
            row_errors = exc.errors
            form.add_error("file", _("The file was rejected; nothing was imported."))
        else:
            messages.success(
                request,
                ngettext("%(count)d device imported.", "%(count)d devices imported.", created)
                % {"count": created},
            )
            return redirect("device_list")
    return render(request, "assets/device_import.html", {"form": form, "row_errors": row_errors})


class DeviceFormView(ServiceFormView):
    form_class = forms.DeviceForm
    may_write = staticmethod(may_edit_installed_base)
    create = staticmethod(services.device_create)
    update = staticmethod(services.device_update)
    visible = staticmethod(selectors.device_visible)
    title = gettext_lazy("Device")

    def success_url(self, obj) -> str:
        return reverse("device_detail", args=[obj.pk])
