from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vcdesk.accounts.permissions import may_edit_contacts, may_edit_installed_base
from vcdesk.core.history import history_entries
from vcdesk.core.pages import filters_from_request, page_of
from vcdesk.core.views import ServiceFormView
from vcdesk.customers import forms, selectors, services
from vcdesk.customers.choices import Industry
from vcdesk.customers.filters import OrganisationFilter


@login_required
def organisation_list(request: HttpRequest) -> HttpResponse:
    filters, filter_errors = filters_from_request(OrganisationFilter, request)
    organisations = filters.filter(selectors.organisation_list_with_counts(user=request.user))
    return render(
        request,
        "customers/organisation_list.html",
        {
            "page": page_of(request, organisations),
            "filters": filters,
            "filter_errors": filter_errors,
            "industries": Industry.choices,
            "may_edit": may_edit_installed_base(request.user),
        },
    )


@login_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_object_or_404(selectors.organisation_visible(user=request.user), pk=pk)
    sites = organisation.sites.annotate(device_count=Count("devices"))
    return render(
        request,
        "customers/organisation_detail.html",
        {
            "organisation": organisation,
            "sites": sites,
            "contacts": organisation.contacts.all(),
            "contracts": organisation.contracts.annotate(device_count=Count("devices")),
            "device_count": sum(site.device_count for site in sites),
            "today": timezone.localdate(),
            "history": history_entries(organisation, limit=20),
            "may_edit": may_edit_installed_base(request.user),
            "may_edit_contacts": may_edit_contacts(request.user),
        },
    )


def _organisation_url(obj) -> str:
    organisation_id = getattr(obj, "organisation_id", None) or obj.pk
    return reverse("organisation_detail", args=[organisation_id])


class OrganisationFormView(ServiceFormView):
    form_class = forms.OrganisationForm
    may_write = staticmethod(may_edit_installed_base)
    create = staticmethod(services.organisation_create)
    update = staticmethod(services.organisation_update)
    visible = staticmethod(selectors.organisation_visible)
    title = _("Organisation")

    def success_url(self, obj) -> str:
        return _organisation_url(obj)


class SiteFormView(ServiceFormView):
    form_class = forms.SiteForm
    may_write = staticmethod(may_edit_installed_base)
    create = staticmethod(services.site_create)
    update = staticmethod(services.site_update)
    visible = staticmethod(selectors.site_visible)
    title = _("Site")

    def success_url(self, obj) -> str:
        return _organisation_url(obj)


class ContactFormView(ServiceFormView):
    form_class = forms.ContactForm
    may_write = staticmethod(may_edit_contacts)
    create = staticmethod(services.contact_create)
    update = staticmethod(services.contact_update)
    visible = staticmethod(selectors.contact_visible)
    title = _("Contact")

    def success_url(self, obj) -> str:
        return _organisation_url(obj)
