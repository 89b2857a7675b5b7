"""Who may change what. Reads are scoped by tenancy selectors; these gate writes."""

from vcdesk.accounts.choices import Role


def _is_staff_with(user, *roles: Role) -> bool:
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return not user.is_customer_contact and user.has_role(*roles)


def may_manage_users(user) -> bool:
    return _is_staff_with(user, Role.SERVICE_MANAGER)


def may_edit_installed_base(user) -> bool:
    """Organisations, sites, device models, devices and contracts."""
    return _is_staff_with(user, Role.SERVICE_MANAGER, Role.SUPPORT_ENGINEER)


def may_edit_contacts(user) -> bool:
    return _is_staff_with(user, Role.SERVICE_MANAGER, Role.SUPPORT_ENGINEER, Role.DUTY_OFFICER)


def may_edit_contracts(user) -> bool:
    return _is_staff_with(user, Role.SERVICE_MANAGER)


def may_handle_service(user, *, event_type: str | None = None) -> bool:
    """Staff record every step of a service record; a customer contact only confirms the
    resolution of their own organisation's record."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_customer_contact:
        return event_type == "confirmed"
    return True
