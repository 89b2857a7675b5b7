from django import forms

from vcdesk.contracts.models import SLA_FIELDS, Contract


class ContractForm(forms.ModelForm):
    class Meta:
        model = Contract
        fields = [
            "number",
            "organisation",
            "signed_on",
            "accepted_on",
            "warranty_years",
            "inspections_per_year",
            "assurance_visits_per_year",
            "free_upgrades",
            *SLA_FIELDS,
        ]
        widgets = {
            "signed_on": forms.DateInput(attrs={"type": "date"}),
            "accepted_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            # A contract does not move to another customer: its devices sit at their sites.
            self.fields["organisation"].disabled = True
