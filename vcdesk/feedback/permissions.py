"""Who may change customer issue records and feedback records. Reads are scoped by
vcdesk.feedback.selectors; these gate writes.

Duty officers, support engineers and service managers record and handle issues. A customer
contact raises issues for their own organisation (the customer's fields only), adds
attachments to them, and gives their opinion of a resolution."""

from vcdesk.accounts.choices import Role

ISSUE_HANDLERS = (Role.SERVICE_MANAGER, Role.SUPPORT_ENGINEER, Role.DUTY_OFFICER)


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def may_handle_issues(user) -> bool:
    """Record, pass on, supervise and resolve issues; write feedback records."""
    if not _active(user) or user.is_customer_contact:
        return False
    return user.is_superuser or user.has_role(*ISSUE_HANDLERS)


def may_raise_issue(user) -> bool:
    if not _active(user):
        return False
    if user.is_customer_contact:
        return user.organisation_id is not None
    return may_handle_issues(user)


def may_attach(user, issue) -> bool:
    if not _active(user):
        return False
    if user.is_customer_contact:
        return user.organisation_id == issue.organisation_id
    return may_handle_issues(user)


def may_give_customer_opinion(user, issue) -> bool:
    """A contact of the issue's organisation, or staff recording what the customer said."""
    return may_attach(user, issue)
