"""Who may change meeting assurance bookings. Reads are scoped by
vcdesk.assurance.selectors; these gate writes.

A customer contact books, changes and cancels their own organisation's meetings. Duty
officers, support engineers and service managers book for any customer; service managers
and duty officers staff the meetings; any member of staff records checks, the spare kit,
check-ins, incidents and outcomes (the engineers on site do most of it).
"""

from vcdesk.accounts.choices import Role

BOOKERS = (Role.SERVICE_MANAGER, Role.DUTY_OFFICER, Role.SUPPORT_ENGINEER)
STAFFERS = (Role.SERVICE_MANAGER, Role.DUTY_OFFICER)


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def _staff_with(user, roles) -> bool:
    if not _active(user) or user.is_customer_contact:
        return False
    return user.is_superuser or user.has_role(*roles)


def may_book(user) -> bool:
    """Book a meeting: a customer contact (for their organisation) or booking staff."""
    if not _active(user):
        return False
    if user.is_customer_contact:
        return user.organisation_id is not None
    return _staff_with(user, BOOKERS)


def may_change_booking(user, booking) -> bool:
    """Change or cancel a booking: its organisation's contact, or booking staff."""
    if not _active(user):
        return False
    if user.is_customer_contact:
        return user.organisation_id == booking.organisation_id
    return _staff_with(user, BOOKERS)


def may_staff(user) -> bool:
    """Assign and release the senior engineers who guard a meeting."""
    return _staff_with(user, STAFFERS)


def may_guard(user) -> bool:
    """Record checks, the spare kit, check-ins, incidents and the outcome: any staff."""
    return _active(user) and not user.is_customer_contact
