from ninja import Field, ModelSchema, Router

from vcdesk.accounts.permissions import may_edit_contacts, may_edit_installed_base
from vcdesk.core.api import Input, crud_routes
from vcdesk.customers import filters, selectors, services
from vcdesk.customers.choices import Industry
from vcdesk.customers.models import Contact, Organisation, Site

router = Router(tags=["customers"])


class OrganisationOut(ModelSchema):
    class Meta:
        model = Organisation
        fields = ["id", "name", "short_name", "industry", "address"]


class OrganisationIn(Input):
    name: str = Field(min_length=1, max_length=200)
    short_name: str = Field("", max_length=50)
    industry: Industry = Industry.OTHER
    address: str = Field("", max_length=300)


class OrganisationPatch(Input):
    name: str = Field(None, min_length=1, max_length=200)
    short_name: str = Field(None, max_length=50)
    industry: Industry = None
    address: str = Field(None, max_length=300)


class SiteOut(ModelSchema):
    class Meta:
        model = Site
        fields = ["id", "organisation", "name", "city", "address", "travel_minutes"]


class SiteIn(Input):
    organisation: int
    name: str = Field(min_length=1, max_length=200)
    city: str = Field(min_length=1, max_length=50)
    address: str = Field("", max_length=300)
    travel_minutes: int = Field(ge=0, le=7 * 24 * 60)


class SitePatch(Input):
    name: str = Field(None, min_length=1, max_length=200)
    city: str = Field(None, min_length=1, max_length=50)
    address: str = Field(None, max_length=300)
    travel_minutes: int = Field(None, ge=0, le=7 * 24 * 60)


class ContactOut(ModelSchema):
    class Meta:
        model = Contact
        fields = ["id", "organisation", "name", "phone", "fax", "email", "role"]


class ContactIn(Input):
    organisation: int
    name: str = Field(min_length=1, max_length=100)
    phone: str = Field("", max_length=50)
    fax: str = Field("", max_length=50)
    email: str = Field("", max_length=254)
    role: str = Field("", max_length=100)


class ContactPatch(Input):
    name: str = Field(None, min_length=1, max_length=100)
    phone: str = Field(None, max_length=50)
    fax: str = Field(None, max_length=50)
    email: str = Field(None, max_length=254)
    role: str = Field(None, max_length=100)


crud_routes(
    router,
    path="/customers",
    name="customers",
    out=OrganisationOut,
    create_in=OrganisationIn,
    patch_in=OrganisationPatch,
    filters=filters.OrganisationFilter,
    visible=selectors.organisation_visible,
    may_write=may_edit_installed_base,
    create=services.organisation_create,
    update=services.organisation_update,
)
crud_routes(
    router,
    path="/sites",
    name="sites",
    out=SiteOut,
    create_in=SiteIn,
    patch_in=SitePatch,
    filters=filters.SiteFilter,
    visible=selectors.site_visible,
    may_write=may_edit_installed_base,
    create=services.site_create,
    update=services.site_update,
)
crud_routes(
    router,
    path="/contacts",
    name="contacts",
    out=ContactOut,
    create_in=ContactIn,
    patch_in=ContactPatch,
    filters=filters.ContactFilter,
    visible=selectors.contact_visible,
    may_write=may_edit_contacts,
    create=services.contact_create,
    update=services.contact_update,
)
