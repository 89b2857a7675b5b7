"""Who may change inspections. Reads are scoped by vcdesk.inspections.selectors; these gate
writes. A service manager plans (moves, reassigns); the assigned engineer, a support
engineer or a service manager carries an inspection out; a customer contact only reads."""

from vcdesk.accounts.choices import Role

# The roles an inspection may be assigned to.
ENGINEER_ROLES = (Role.FIELD_ENGINEER, Role.SUPPORT_ENGINEER, Role.SERVICE_MANAGER)


def _staff(user) -> bool:
    return (
        user is not None
        and user.is_authenticated
        and user.is_active
        and not user.is_customer_contact
    )


def may_plan_inspections(user) -> bool:
    """Move, reassign, change the method, generate plans."""
    return _staff(user) and (user.is_superuser or user.has_role(Role.SERVICE_MANAGER))


def may_perform_inspection(user, inspection) -> bool:
    """Start it, fill its checklist, record findings and training, complete it."""
    if not _staff(user):
        return False
    if user.is_superuser or user.has_role(Role.SERVICE_MANAGER, Role.SUPPORT_ENGINEER):
        return True
    return user.has_role(Role.FIELD_ENGINEER) and inspection.engineer_id == user.pk
