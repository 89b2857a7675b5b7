"""Forms of the issue pages. They parse input; the services decide what may happen."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from vcdesk.accounts.choices import Role
from vcdesk.customers.selectors import organisation_visible
from vcdesk.feedback.choices import IssueKind, Urgency
from vcdesk.service.selectors import service_record_visible

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date(label, *, required: bool = False) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=DATE)


def staff_members():
    return (
        get_user_model()
        .objects.filter(is_active=True, organisation=None)
        .exclude(groups__name=Role.CUSTOMER_CONTACT)
        .order_by("full_name", "username")
    )


class IssueForm(forms.Form):
    """客户问题记录. A customer contact sees the customer's fields only; staff the whole form
    (`staff=True`)."""

    organisation = forms.ModelChoiceField(
        label=_("Customer"), queryset=None, empty_label=_("Choose the customer")
    )
    received_on = _date(_("Received on"))
    contact_name = forms.CharField(label=_("Contact person"), max_length=100)
    contact_phone = forms.CharField(
        label=_("Contact phone"),
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel"}),
    )
    contact_fax = forms.CharField(label=_("Contact fax"), max_length=50, required=False)
    contact_email = forms.EmailField(label=_("Contact e-mail"), required=False)
    details = forms.CharField(
        label=_("Details of the issue"), max_length=10000, widget=forms.Textarea({"rows": 5})
    )
    kind = forms.ChoiceField(
        label=_("Type of issue"), choices=IssueKind.choices, widget=forms.RadioSelect
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=Urgency.choices, widget=forms.RadioSelect
    )
    service_record = forms.ModelChoiceField(
        label=_("Service record it concerns"),
        queryset=None,
        required=False,
        empty_label=_("None (not about a service record)"),
    )
    passed_to = forms.CharField(
        label=_("Passed to (department or person)"), max_length=100, required=False
    )
    passed_on = _date(_("Passed on"))
    expected_resolution_on = _date(_("Expected resolution date"))
    planned_measures = forms.CharField(
        label=_("Planned measures"),
        max_length=5000,
        required=False,
        widget=forms.Textarea({"rows": 3}),
    )
    responsible_person = forms.CharField(
        label=_("Responsible person"), max_length=100, required=False
    )
    specialist = forms.ModelChoiceField(
        label=_("Issue-handling specialist"),
        queryset=None,
        required=False,
        empty_label=_("Not chosen yet"),
    )

    STAFF_ONLY = (
        "organisation",
        "received_on",
        "passed_to",
        "passed_on",
        "expected_resolution_on",
        "planned_measures",
        "responsible_person",
        "specialist",
    )

    def __init__(self, *args, user, staff: bool, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not staff:
            for name in self.STAFF_ONLY:
                del self.fields[name]
        else:
            self.fields["organisation"].queryset = organisation_visible(user=user)
            self.fields["specialist"].queryset = staff_members()
            self.fields["received_on"].required = True
        if editing:
            del self.fields["organisation"]
        self.fields["service_record"].queryset = (
            service_record_visible(user=user).prefetch_related(None).order_by("-reported_at")
        )
        self.fields["kind"].initial = IssueKind.REQUEST
        self.fields["urgency"].initial = Urgency.NORMAL


class SupervisionForm(forms.Form):
    period_from = _date(pgettext_lazy("date range", "From"), required=True)
    period_to = _date(pgettext_lazy("date range", "Until"), required=True)
    resolution = forms.CharField(
        label=_("Degree of resolution"), max_length=5000, widget=forms.Textarea({"rows": 2})
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("Attach a file"))


class FeedbackForm(forms.Form):
    """客户问题回馈记录: the department's part."""

    department = forms.CharField(label=_("Department the issue belongs to"), max_length=100)
    result = forms.CharField(
        label=_("Result of handling"), max_length=10000, widget=forms.Textarea({"rows": 4})
    )
    responsible_person = forms.CharField(label=_("Person responsible for handling"), max_length=100)
    department_head = forms.CharField(label=_("Head of department"), max_length=100, required=False)
    department_head_opinion = forms.CharField(
        label=_("Opinion of the head of department"),
        max_length=5000,
        required=False,
        widget=forms.Textarea({"rows": 2}),
    )
    resolved_on = _date(_("Resolution date"))


class OpinionForm(forms.Form):
    opinion = forms.CharField(
        label=_("Your opinion of the resolution"),
        max_length=5000,
        widget=forms.Textarea({"rows": 3}),
    )
