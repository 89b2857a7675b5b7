from django import forms

from vcdesk.customers.models import Contact, Organisation, Site


class OrganisationForm(forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "short_name", "industry", "address"]


class SiteForm(forms.ModelForm):
    class Meta:
        model = Site
        fields = ["organisation", "name", "city", "address", "travel_minutes"]
        widgets = {"travel_minutes": forms.NumberInput(attrs={"min": 0, "step": 5})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            # A site stays with its organisation: its devices' contracts are that customer's.
            self.fields["organisation"].disabled = True


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["organisation", "name", "phone", "fax", "email", "role"]
