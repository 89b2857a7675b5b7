"""Tenancy: what a signed-in user may see.

Staff see every organisation; a customer contact sees only their own. Every selector that a
page, an API handler or an export uses passes its queryset through `scope_to_user`, so there
is no unscoped read path for a customer contact.
"""

from django.db.models import QuerySet


def visible_organisation_id(user) -> int | None:
    """None when the user sees every organisation, else the one organisation's id."""
    if getattr(user, "is_customer_contact", False):
        return user.organisation_id
    return None


def scope_to_user(queryset: QuerySet, *, user, organisation_path: str) -> QuerySet:
    """Restrict `queryset` to what `user` may see; `organisation_path` leads to the org id."""
    if user is None or not user.is_authenticated or not user.is_active:
        return queryset.none()
    organisation_id = visible_organisation_id(user)
    if organisation_id is None:
        return queryset
    return queryset.filter(**{organisation_path: organisation_id})
