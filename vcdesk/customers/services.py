"""Every change to organisations, sites and contacts goes through these functions."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from vcdesk.core.services import validated_save
from vcdesk.customers.models import Contact, Organisation, Site


@transaction.atomic
def organisation_create(*, actor, **fields) -> Organisation:
    return validated_save(Organisation(), actor=actor, changes=fields)


@transaction.atomic
def organisation_update(organisation: Organisation, *, actor, **changes) -> Organisation:
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    return validated_save(organisation, actor=actor, changes=changes)


@transaction.atomic
def site_create(*, actor, **fields) -> Site:
    return validated_save(Site(), actor=actor, changes=fields)


@transaction.atomic
def site_update(site: Site, *, actor, **changes) -> Site:
    site = Site.objects.select_for_update().get(pk=site.pk)
    moved = (
        "organisation" in changes
        and getattr(changes["organisation"], "pk", changes["organisation"]) != site.organisation_id
    )
    if moved and site.devices.exists():
        # Its devices' contracts belong to the old organisation.
        raise ValidationError(
            {"organisation": _("A site with devices cannot move to another organisation.")}
        )
    return validated_save(site, actor=actor, changes=changes)


@transaction.atomic
def contact_create(*, actor, **fields) -> Contact:
    return validated_save(Contact(), actor=actor, changes=fields)


@transaction.atomic
def contact_update(contact: Contact, *, actor, **changes) -> Contact:
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    return validated_save(contact, actor=actor, changes=changes)
