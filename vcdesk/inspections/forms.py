"""The inspection pages' forms. They parse and show; the services decide."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from vcdesk.assets.choices import DeviceStatus
from vcdesk.assets.models import Device
from vcdesk.inspections.choices import InspectionMethod, ItemResult
from vcdesk.inspections.models import Inspection
from vcdesk.inspections.permissions import ENGINEER_ROLES
from vcdesk.service.choices import FaultClass


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class EngineerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        role = obj.role.label if obj.role else ""
        return f"{obj} · {role}" if role else str(obj)


def engineers():
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            organisation__isnull=True,
            groups__name__in=[role.value for role in ENGINEER_ROLES],
        )
        .prefetch_related("groups")
        .distinct()
        .order_by("full_name", "username")
    )


class RescheduleForm(forms.Form):
    """A manager moves, re-plans or reassigns one inspection, saying why."""

    due_on = forms.DateField(label=_("Due on"), widget=DateInput())
    method = forms.ChoiceField(label=_("Method"), choices=InspectionMethod.choices)
    engineer = EngineerChoiceField(label=_("Engineer"), queryset=None, required=False)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept with the change, e.g. the customer's room is booked that week."),
    )

    def __init__(self, *args, inspection: Inspection, **kwargs):
        kwargs.setdefault(
            "initial",
            {
                "due_on": inspection.due_on,
                "method": inspection.method,
                "engineer": inspection.engineer_id,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["engineer"].queryset = engineers()

    def changes(self) -> dict:
        """The service's keyword arguments: the reason and what changed."""
        changed = {name: self.cleaned_data[name] for name in self.changed_data if name != "reason"}
        if "engineer" in changed and changed["engineer"] is None:
            del changed["engineer"]  # leaving it empty changes nothing
        return {"reason": self.cleaned_data["reason"], **changed}


class CancelForm(forms.Form):
    """A manager cancels one inspection, saying why."""

    reason = forms.CharField(
        label=_("Reason for cancelling"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept with the inspection, e.g. the customer has moved out of the site."),
    )


class FindingForm(forms.Form):
    """A problem not fixed on the spot, passed on as a service record."""

    answer = forms.TypedChoiceField(
        label=_("Checklist item"), coerce=int, required=False, empty_value=None
    )
    device = forms.ModelChoiceField(label=_("Device"), queryset=Device.objects.none())
    fault_class = forms.ChoiceField(label=_("Fault class"), choices=FaultClass.choices)
    description = forms.CharField(
        label=_("Problem"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    caller_name = forms.CharField(
        label=_("Customer contact"),
        max_length=100,
        help_text=_("Whom technical support calls back about it."),
    )
    caller_phone = forms.CharField(label=_("Contact phone"), max_length=50)

    def __init__(self, *args, inspection: Inspection, **kwargs):
        super().__init__(*args, **kwargs)
        problems = [a for a in inspection.answers.all() if a.result == ItemResult.PROBLEM]
        self.fields["answer"].choices = [("", "—")] + [
            (a.pk, f"{a.device or a.site.name} · {a.label}") for a in problems
        ]
        self.fields["device"].queryset = (
            Device.objects.filter(contract_id=inspection.contract_id, status=DeviceStatus.ACTIVE)
            .select_related("model", "site")
            .order_by("site__name", "serial")
        )
        self.fields["device"].label_from_instance = lambda d: f"{d} · {d.site.name}"


class TrainingForm(forms.Form):
    topic = forms.CharField(label=_("Topic"), max_length=200)
    attendees = forms.CharField(
        label=_("Attendees"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Names, one per line or comma."),
    )
    attendee_count = forms.IntegerField(label=_("Number of attendees"), min_value=1, max_value=1000)
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), min_value=1, max_value=24 * 60
    )


class CompleteForm(forms.Form):
    summary = forms.CharField(
        label=_("Conclusion"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("How the system runs, what was done, what the customer should watch."),
    )
    customer_representative = forms.CharField(
        label=_("Customer representative"), max_length=100, required=False
    )
