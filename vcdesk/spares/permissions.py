"""Who may change stock and spare requests. Reads are scoped by vcdesk.spares.selectors.

Kept here until vcdesk.accounts.permissions takes it over (it has the same shape as the
checks there).
"""

from vcdesk.accounts.choices import Role

SPARES_ROLES = (Role.SPARES_KEEPER, Role.SUPPORT_ENGINEER, Role.SERVICE_MANAGER)


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def may_manage_spares(user) -> bool:
    """Warehouses, part models, stock and spare requests: the spares keeper, support
    engineers and service managers (and superusers)."""
    if not _active(user):
        return False
    if user.is_superuser:
        return True
    return not user.is_customer_contact and user.has_role(*SPARES_ROLES)


def may_see_stock(user) -> bool:
    """Stock levels and movements are the company's own business: staff only. A customer
    contact sees their organisation's spare requests, never the warehouses' stock."""
    return _active(user) and not user.is_customer_contact
