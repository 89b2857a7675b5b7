"""Tenancy: what a signed-in user may see.

Staff see every organisation; a customer contact sees only their own. Every selector that a
page, an API handler or an export uses passes its queryset through `scope_to_user`, so there
is no unscoped read path for a customer contact.
"""

from django.db.models import QuerySet


def sees_every_organisation(user) -> bool:
    """True for an active member of staff; a customer contact sees one organisation at most."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return not getattr(user, "is_customer_contact", False)


def scope_to_user(queryset: QuerySet, *, user, organisation_path: str) -> QuerySet:
    """Restrict `queryset` to what `user` may see; `organisation_path` leads to the org id."""
    if sees_every_organisation(user):
        return queryset
    organisation_id = getattr(user, "organisation_id", None)
    if not getattr(user, "is_active", False) or organisation_id is None:
        # Signed out, deactivated, or a customer contact the admin left without an
        # organisation: nothing, never everything.
        return queryset.none()
    return queryset.filter(**{organisation_path: organisation_id})
