"""Forms of the hotline pages. They parse input; the services decide what may happen."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vcdesk.accounts.choices import Role
from vcdesk.accounts.models import User
from vcdesk.assets.selectors import device_visible
from vcdesk.service.choices import FaultClass

LOCAL_MINUTE = "%Y-%m-%dT%H:%M"


def _local_datetime_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_MINUTE)


def now_to_the_minute() -> str:
    return timezone.localtime().strftime(LOCAL_MINUTE)


class IntakeForm(forms.Form):
    """One hotline call: the device (picked from the search), what is wrong, who called."""

    device = forms.ModelChoiceField(
        label=_("Device"),
        queryset=None,
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Find the device and pick it from the results."),
            "invalid_choice": _("No such device."),
        },
    )
    fault_class = forms.ChoiceField(
        label=_("Fault class"), choices=[("", "—")] + FaultClass.choices
    )
    description = forms.CharField(
        label=_("Fault description"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    caller_name = forms.CharField(label=_("Caller"), max_length=100)
    caller_phone = forms.CharField(
        label=_("Caller phone"), max_length=50, widget=forms.TextInput(attrs={"type": "tel"})
    )
    caller_fax = forms.CharField(label=_("Caller fax"), max_length=50, required=False)
    caller_email = forms.EmailField(label=_("Caller e-mail"), required=False)
    reported_at = forms.DateTimeField(
        label=_("Reported at"), widget=_local_datetime_input(), input_formats=[LOCAL_MINUTE]
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # A customer contact can pick only their own organisation's devices.
        self.fields["device"].queryset = device_visible(user=user)
        self.fields["reported_at"].initial = now_to_the_minute


class EventForm(forms.Form):
    """One step of the process recorded from the record page."""

    note = forms.CharField(label=_("Note"), max_length=5000, required=False)
    at = forms.DateTimeField(
        label=_("Time (empty: now)"),
        required=False,
        widget=_local_datetime_input(),
        input_formats=[LOCAL_MINUTE],
    )


class HistoryEntryForm(forms.Form):
    symptom = forms.CharField(
        label=_("Symptom"), max_length=5000, required=False, widget=forms.Textarea({"rows": 2})
    )
    action = forms.CharField(
        label=_("Action or solution"),
        max_length=5000,
        required=False,
        widget=forms.Textarea({"rows": 2}),
    )


def field_engineers():
    return User.objects.filter(is_active=True, groups__name=Role.FIELD_ENGINEER).order_by(
        "full_name", "username"
    )


class DispatchForm(forms.Form):
    engineer = forms.ModelChoiceField(
        label=_("Field engineer"), queryset=None, empty_label=_("Choose a field engineer")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["engineer"].queryset = field_engineers()


class CheckOutForm(forms.Form):
    report = forms.CharField(
        label=_("On-site report"),
        max_length=5000,
        widget=forms.Textarea({"rows": 4}),
        error_messages={"required": _("Write what was done on site.")},
    )
    resolved = forms.BooleanField(label=_("The fault is resolved"), required=False)
