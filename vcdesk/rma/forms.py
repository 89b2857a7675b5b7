"""Forms of the RMA and quote pages. They parse input; the services decide what may happen."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from vcdesk.customers.selectors import organisation_visible
from vcdesk.rma.models import post_code_validator
from vcdesk.service.forms import LOCAL_MINUTE, EventForm
from vcdesk.spares.choices import WarehouseKind
from vcdesk.spares.models import PartModel, Warehouse

__all__ = ["EventForm"]  # a step of the RMA takes a note and a time, as a record's event


def _local_datetime(label, *, required: bool = False) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_MINUTE),
        input_formats=[LOCAL_MINUTE],
    )


class PartModelChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: PartModel) -> str:
        if obj.market_price is None:
            price = _("no market price recorded")
        else:
            price = _("market price ¥%(price)s") % {"price": f"{obj.market_price:,.2f}"}
        return f"{obj.vendor} {obj.part_number} · {obj.name} — {price}"


class WarehouseChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Warehouse) -> str:
        return f"{obj.name} · {obj.city}"


def _part_model_field(*, required: bool = True) -> PartModelChoice:
    return PartModelChoice(
        label=_("Spare-part model"),
        queryset=PartModel.objects.order_by("vendor", "part_number"),
        required=required,
        empty_label=_("Choose a part model"),
    )


class RmaForm(forms.Form):
    """The form's own fields (设备维修申请表); on a new RMA also its first product line."""

    service_record = forms.IntegerField(required=False, widget=forms.HiddenInput)
    organisation = forms.ModelChoiceField(
        label=_("Full name of the customer unit"),
        queryset=None,
        empty_label=_("Choose the customer unit"),
    )
    date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    contact_name = forms.CharField(label=_("Contact person"), max_length=100)
    phone = forms.CharField(
        label=_("Phone"), max_length=50, widget=forms.TextInput(attrs={"type": "tel"})
    )
    fax = forms.CharField(label=_("Fax"), max_length=50, required=False)
    consignee = forms.CharField(label=_("Consignee"), max_length=100)
    address = forms.CharField(label=_("Consignee's full address"), max_length=300)
    post_code = forms.CharField(
        label=_("Post code"),
        max_length=6,
        validators=[post_code_validator],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "pattern": "[0-9]{6}"}),
    )
    product_device = forms.IntegerField(required=False, widget=forms.HiddenInput)
    product_model = forms.CharField(label=_("Device model"), max_length=200, required=False)
    product_serial = forms.CharField(label=_("Serial number"), max_length=100, required=False)
    product_quantity = forms.IntegerField(
        label=_("Quantity"), min_value=1, max_value=10_000, initial=1, required=False
    )
    fault_symptom = forms.CharField(
        label=_("Fault symptom"), max_length=5000, widget=forms.Textarea({"rows": 3})
    )
    cause_and_measures = forms.CharField(
        label=_("Cause analysis and measures"),
        max_length=5000,
        required=False,
        widget=forms.Textarea({"rows": 3}),
    )

    PRODUCT_FIELDS = ("product_device", "product_model", "product_serial", "product_quantity")

    def __init__(self, *args, user, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisation_visible(user=user).only("id", "name")
        if editing:
            # The customer unit and the lines stay as filed; lines have their own forms.
            for name in ("organisation", *self.PRODUCT_FIELDS):
                del self.fields[name]

    def clean_product_quantity(self):
        return self.cleaned_data.get("product_quantity") or 1

    def service_fields(self) -> dict:
        """The cleaned fields as the services take them."""
        data = dict(self.cleaned_data)
        if "product_model" not in data:
            return data
        line = {
            "device": data.pop("product_device"),
            "device_model": data.pop("product_model"),
            "serial": data.pop("product_serial"),
            "quantity": data.pop("product_quantity"),
        }
        # Left empty on a form from a service record: the record's device is the unit.
        named = line["device"] or line["device_model"] or line["serial"]
        data["products"] = [line] if named else []
        return data


# Where a service's error about an RMA's first line shows on the form.
PRODUCT_ERROR_FIELDS = {
    "products": "product_serial",
    "products.0.device": "product_serial",
    "products.0.device_model": "product_model",
    "products.0.serial": "product_serial",
    "products.0.quantity": "product_quantity",
}


class ProductForm(forms.Form):
    device_model = forms.CharField(label=_("Device model"), max_length=200)
    serial = forms.CharField(label=_("Serial number"), max_length=100)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=10_000, initial=1)


class AdvanceReplacementForm(forms.Form):
    warehouse = WarehouseChoice(
        label=_("Ship from"),
        queryset=Warehouse.objects.filter(active=True).order_by("kind", "city", "name"),
        empty_label=_("Choose a warehouse"),
    )
    part_model = _part_model_field()
    serial = forms.CharField(
        label=_("Serial number (empty: the first in stock)"), max_length=100, required=False
    )
    note = forms.CharField(label=_("Note"), max_length=5000, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bonded = Warehouse.objects.filter(active=True, kind=WarehouseKind.BONDED).first()
        if bonded is not None:  # the vendor's bonded warehouse, as usual for 先行发货
            self.fields["warehouse"].initial = bonded.pk


class PartForm(forms.Form):
    part_model = _part_model_field()
    serial = forms.CharField(label=_("Serial number"), max_length=100, required=False)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=10_000, initial=1)
    arrived_at = _local_datetime(_("Part arrived at"))
    returned_to_user_at = _local_datetime(_("Returned to the user at"))


class PartTimesForm(forms.Form):
    arrived_at = _local_datetime(_("Part arrived at"))
    returned_to_user_at = _local_datetime(_("Returned to the user at"))


class QuoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note to the customer"),
        max_length=5000,
        required=False,
        widget=forms.Textarea({"rows": 2}),
    )


class QuoteLineForm(forms.Form):
    """A part line of a quote; a blank row is skipped. Labour is added at 0 by the service."""

    part_model = _part_model_field(required=False)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    quantity = forms.IntegerField(
        label=_("Quantity"), min_value=1, max_value=10_000, initial=1, required=False
    )
    unit_price = forms.DecimalField(
        label=_("Unit price (CNY)"),
        min_value=Decimal("0"),
        max_digits=12,
        decimal_places=2,
        required=False,
    )

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not data.get("part_model") and data.get("unit_price") is None


QuoteLineFormSet = forms.formset_factory(QuoteLineForm, extra=3, max_num=50)


class DecisionForm(forms.Form):
    note = forms.CharField(
        label=_("How the customer answered"),
        max_length=2000,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. by phone, 张伟")}),
    )
    at = _local_datetime(_("Time (empty: now)"))
