"""Forms of the meeting assurance pages. They parse input; the services decide what may
happen (quota, staffing, times), and their refusals are shown next to the fields."""

from django import forms
from django.utils.translation import gettext_lazy as _

from vcdesk.assets.models import Device
from vcdesk.assurance.choices import CheckResult, Importance, Outcome
from vcdesk.assurance.selectors import bookable_contracts, senior_engineers
from vcdesk.contracts.models import Contract
from vcdesk.customers.models import Site
from vcdesk.customers.selectors import site_visible
from vcdesk.service.choices import FaultClass
from vcdesk.service.forms import LOCAL_MINUTE
from vcdesk.spares.models import PartModel, Warehouse


def _local_datetime(label, *, required: bool = True) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_MINUTE),
        input_formats=[LOCAL_MINUTE],
    )


class ContractChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Contract) -> str:
        return _("%(number)s (accepted %(day)s)") % {
            "number": obj.number,
            "day": obj.accepted_on.isoformat(),
        }


class SiteChoices(forms.ModelMultipleChoiceField):
    """Sites named with the contracts whose devices stand there: a booking's sites must be
    covered by its contract, and the customer should see which before choosing."""

    contracts_at: dict[int, list[str]] = {}

    def label_from_instance(self, obj: Site) -> str:
        label = f"{obj.name} · {obj.city}"
        numbers = self.contracts_at.get(obj.pk)
        return f"{label}（{'、'.join(numbers)}）" if numbers else label


class BookingForm(forms.Form):
    """会议保障申请: the meeting, its sites and the customer's contact person."""

    title = forms.CharField(label=_("Meeting title"), max_length=200)
    contract = ContractChoice(
        label=_("Service contract"), queryset=Contract.objects.none(), empty_label=None
    )
    sites = SiteChoices(
        label=_("Participating sites"),
        queryset=Site.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    starts_at = _local_datetime(_("Starts at"))
    ends_at = _local_datetime(_("Ends at"))
    importance = forms.ChoiceField(
        label=_("Importance"),
        choices=Importance.choices,
        initial=Importance.NORMAL,
        widget=forms.RadioSelect,
    )
    expected_participants = forms.IntegerField(
        label=_("Expected participants"), min_value=1, max_value=100_000
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=100)
    contact_phone = forms.CharField(
        label=_("Contact phone"), max_length=50, widget=forms.TextInput(attrs={"type": "tel"})
    )
    notes = forms.CharField(
        label=_("Notes"),
        max_length=5000,
        required=False,
        widget=forms.Textarea({"rows": 3}),
        help_text=_("Meeting flow, leaders attending, special equipment…"),
    )

    def __init__(self, *args, user, organisation_id: int, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sites"].queryset = (
            site_visible(user=user).filter(organisation_id=organisation_id).order_by("name")
        )
        contracts = bookable_contracts(user=user, organisation_id=organisation_id)
        if editing:
            del self.fields["contract"]  # a booking stays counted against its contract
        else:
            self.fields["contract"].queryset = contracts
        contracts_at: dict[int, list[str]] = {}
        covered = (
            Device.objects.filter(contract__in=contracts, site__organisation_id=organisation_id)
            .values_list("site_id", "contract__number")
            .order_by("site_id", "contract__number")
            .distinct()
        )
        for site_id, number in covered:
            contracts_at.setdefault(site_id, []).append(number)
        self.fields["sites"].contracts_at = contracts_at

    def clean(self):
        data = super().clean()
        starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("The meeting must end after it starts."))
        return data


class AssignForm(forms.Form):
    engineers = forms.ModelMultipleChoiceField(
        label=_("Senior engineers"),
        queryset=senior_engineers(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: the least busy free ones are picked."),
    )

    def __init__(self, *args, free_ids: set[int], **kwargs):
        super().__init__(*args, **kwargs)
        busy = _("busy at that time")
        self.fields["engineers"].label_from_instance = lambda user: (
            str(user) if user.pk in free_ids else f"{user} ({busy})"
        )


class CheckForm(forms.Form):
    result = forms.ChoiceField(
        label=_("Result"), choices=CheckResult.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Note"), max_length=5000, required=False, widget=forms.Textarea({"rows": 2})
    )


class DeviceCheckForm(CheckForm):
    site = forms.IntegerField(widget=forms.HiddenInput)


class KitForm(forms.Form):
    warehouse = forms.ModelChoiceField(
        label=_("Warehouse"),
        queryset=Warehouse.objects.filter(active=True).order_by("kind", "city", "name"),
        empty_label=_("Choose a warehouse"),
    )
    part_model = forms.ModelChoiceField(
        label=_("Spare-part model"),
        queryset=PartModel.objects.order_by("vendor", "part_number"),
        empty_label=_("Choose a part model"),
    )
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=1000, initial=1)
    site = forms.ModelChoiceField(label=_("For site"), queryset=Site.objects.none(), required=False)

    def __init__(self, *args, booking, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = booking.sites.all()


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Outcome.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Note"), max_length=5000, required=False, widget=forms.Textarea({"rows": 3})
    )


class IncidentForm(forms.Form):
    description = forms.CharField(
        label=_("What happened"), max_length=5000, widget=forms.Textarea({"rows": 3})
    )
    occurred_at = _local_datetime(_("Occurred at"), required=False)
    site = forms.ModelChoiceField(label=_("Site"), queryset=Site.objects.none(), required=False)
    device = forms.ModelChoiceField(
        label=_("Device"), queryset=None, required=False, empty_label=_("No device")
    )
    open_service_record = forms.BooleanField(label=_("Open a service record"), required=False)
    fault_class = forms.ChoiceField(
        label=_("Fault class"), choices=[("", "—"), *FaultClass.choices], required=False
    )

    def __init__(self, *args, booking, **kwargs):
        super().__init__(*args, **kwargs)
        sites = booking.sites.all()
        self.fields["site"].queryset = sites
        self.fields["device"].queryset = (
            Device.objects.filter(site__in=sites).select_related("model", "site").order_by("site")
        )
        self.fields["device"].label_from_instance = lambda d: (
            f"{d.site.name} · {d.model.name} #{d.serial}"
        )


class EngineerForm(forms.Form):
    """Which engineer a step is for (check-in, release); none: the one signed in."""

    engineer = forms.IntegerField(required=False, widget=forms.HiddenInput)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason for cancelling"), max_length=300, required=False)


class KitReleaseForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)


class IncidentRecordForm(forms.Form):
    """Open the service record of an incident recorded without one."""

    incident = forms.IntegerField(widget=forms.HiddenInput)
    fault_class = forms.ChoiceField(label=_("Fault class"), choices=FaultClass.choices)
