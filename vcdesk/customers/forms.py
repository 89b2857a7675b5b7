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


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = ["organisation", "name", "phone", "fax", "email", "role"]
