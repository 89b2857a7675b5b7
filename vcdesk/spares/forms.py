"""Forms of the spares keeper's pages. They parse input; the services decide what may happen."""

import re

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from vcdesk.spares.models import PartModel, Warehouse

# The carriers the keeper ships with; the value stored is the carrier's own (Chinese) name.
CARRIERS = [
    ("顺丰速运", _("SF Express")),
    ("京东物流", _("JD Logistics")),
    ("EMS", _("EMS")),
    ("德邦快递", _("Deppon Express")),
]
OTHER_CARRIER = "other"
MAX_QUANTITY = 100_000


def split_serials(text: str) -> list[str]:
    """Serial numbers typed or scanned one per line (or separated by commas or spaces)."""
    return [s for s in re.split(r"[\s,，;；]+", text) if s]


class QuickSelect(forms.Select):
    """A select written in one pass. Django writes every option through a template of its
    own, about a millisecond per ten options, and the stock page has five long lists (a
    vendor's catalogue runs to hundreds of part models)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (
                    option["value"],
                    mark_safe(" selected") if option["selected"] else "",
                    option["label"],
                )
                for _group, group, _index in widget["optgroups"]
                for option in group
            ),
        )
        return format_html(
            '<select name="{}"{}>{}</select>', name, flatatt(widget["attrs"]), options
        )


class QuickSelectMultiple(QuickSelect, forms.SelectMultiple):
    """QuickSelect choosing several (the serial numbers of a spare of several units)."""


class WarehouseChoice(forms.ModelChoiceField):
    widget = QuickSelect

    def label_from_instance(self, obj: Warehouse) -> str:
        return f"{obj.name} · {obj.city}"


class PartModelChoice(forms.ModelChoiceField):
    widget = QuickSelect

    def label_from_instance(self, obj: PartModel) -> str:
        return f"{obj.part_number} · {obj.name} ({obj.vendor})"


def _warehouse_field(label) -> WarehouseChoice:
    return WarehouseChoice(
        label=label,
        queryset=Warehouse.objects.filter(active=True).only("id", "name", "city"),
        empty_label=_("Choose a warehouse"),
    )


def _part_model_field() -> PartModelChoice:
    return PartModelChoice(
        label=_("Part model"),
        queryset=PartModel.objects.only("id", "vendor", "part_number", "name"),
        empty_label=_("Choose a part model"),
    )


def _quantity_field() -> forms.IntegerField:
    return forms.IntegerField(label=_("Quantity"), min_value=1, max_value=MAX_QUANTITY, initial=1)


def _serials_field() -> forms.CharField:
    return forms.CharField(
        label=_("Serial numbers"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Serialised parts only: one per unit, one per line."),
    )


class StockReceiveForm(forms.Form):
    warehouse = _warehouse_field(_("Warehouse"))
    part_model = _part_model_field()
    quantity = _quantity_field()
    serials = _serials_field()
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=300,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. purchase order number")}),
    )

    def clean_serials(self) -> list[str]:
        return split_serials(self.cleaned_data["serials"])


class StockTransferForm(forms.Form):
    from_warehouse = _warehouse_field(_("From"))
    to_warehouse = _warehouse_field(_("To"))
    part_model = _part_model_field()
    quantity = _quantity_field()
    serials = _serials_field()

    def clean_serials(self) -> list[str]:
        return split_serials(self.cleaned_data["serials"])


class SpareShipForm(forms.Form):
    """Carrier, tracking number and, for a serialised part, the serial numbers shipped:
    chosen from those in stock at the request's warehouse, one per unit."""

    carrier = forms.ChoiceField(
        label=_("Carrier"), choices=[*CARRIERS, (OTHER_CARRIER, _("Other carrier"))]
    )
    carrier_other = forms.CharField(
        label=_("Other carrier"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"placeholder": _("Carrier name")}),
    )
    tracking_number = forms.CharField(label=_("Tracking number"), max_length=50)

    def __init__(self, *args, serials: list[str] | None = None, quantity: int = 1, **kwargs):
        super().__init__(*args, **kwargs)
        if serials is None:
            return
        choices = [(s, s) for s in serials]
        if quantity == 1:
            self.fields["serials"] = forms.ChoiceField(
                label=_("Serial number"),
                choices=[("", _("Choose the serial shipped")), *choices],
                widget=QuickSelect,
            )
        else:
            # One per unit: how many must be chosen is the ship service's rule, and its
            # refusal shows next to this field.
            self.fields["serials"] = forms.MultipleChoiceField(
                label=_("Serial numbers (%(quantity)d, one per unit)") % {"quantity": quantity},
                choices=choices,
                widget=QuickSelectMultiple(attrs={"size": min(max(len(choices), 2), 8)}),
                help_text=_("Hold Ctrl (⌘ on a Mac) to choose several."),
            )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("carrier") == OTHER_CARRIER:
            other = (cleaned.get("carrier_other") or "").strip()
            if not other:
                self.add_error("carrier_other", _("Name the carrier."))
            cleaned["carrier"] = other
        return cleaned

    def service_fields(self) -> dict:
        """What spare_request_ship takes."""
        serials = self.cleaned_data.get("serials") or []
        return {
            "carrier": self.cleaned_data["carrier"],
            "tracking_number": self.cleaned_data["tracking_number"],
            "serials": [serials] if isinstance(serials, str) else list(serials),
        }


class SpareCancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the spare no longer needed?"),
        max_length=500,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. fixed by a reboot")}),
    )


class SpareRequestForm(forms.Form):
    """A spare for a service record: which part, how many, from which warehouse."""

    part_model = _part_model_field()
    quantity = _quantity_field()
    warehouse = WarehouseChoice(
        label=_("Warehouse"), queryset=Warehouse.objects.filter(active=True), required=False
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=5000)

    def __init__(self, *args, part_models=None, **kwargs):
        super().__init__(*args, **kwargs)
        if part_models is not None:
            self.fields["part_model"].queryset = part_models
