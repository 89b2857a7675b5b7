from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from vcdesk.accounts.permissions import may_edit_contracts
from vcdesk.contracts import forms, selectors, services
from vcdesk.core.views import ServiceFormView


class ContractFormView(ServiceFormView):
    form_class = forms.ContractForm
    may_write = staticmethod(may_edit_contracts)
    create = staticmethod(services.contract_create)
    update = staticmethod(services.contract_update)
    visible = staticmethod(selectors.contract_visible)
    title = _("Contract")

    def success_url(self, obj) -> str:
        return reverse("organisation_detail", args=[obj.organisation_id]) + "#contracts"
