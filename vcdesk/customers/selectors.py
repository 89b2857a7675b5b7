"""Reads of customers, scoped to what the user may see (tenancy)."""

from django.db.models import Count, QuerySet

from vcdesk.core.tenancy import scope_to_user
from vcdesk.customers.models import Contact, Organisation, Site


def organisation_visible(*, user) -> QuerySet[Organisation]:
    return scope_to_user(Organisation.objects.all(), user=user, organisation_path="id")


def organisation_list_with_counts(*, user) -> QuerySet[Organisation]:
    return (
        organisation_visible(user=user)
        .annotate(
            site_count=Count("sites", distinct=True),
            contract_count=Count("contracts", distinct=True),
        )
        .order_by("name")
    )


def site_visible(*, user) -> QuerySet[Site]:
    return scope_to_user(Site.objects.all(), user=user, organisation_path="organisation_id")


def contact_visible(*, user) -> QuerySet[Contact]:
    return scope_to_user(Contact.objects.all(), user=user, organisation_path="organisation_id")
