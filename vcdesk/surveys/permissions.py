"""Who may send surveys and record answers. Reads are scoped by vcdesk.surveys.selectors."""

from vcdesk.accounts.choices import Role

SURVEY_SENDERS = (Role.SERVICE_MANAGER, Role.SUPPORT_ENGINEER, Role.DUTY_OFFICER)


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def may_send_surveys(user) -> bool:
    """Send a survey by hand; record a customer's answers given on the paper form."""
    if not _active(user) or user.is_customer_contact:
        return False
    return user.is_superuser or user.has_role(*SURVEY_SENDERS)


def may_answer(user, invitation) -> bool:
    """A contact of the invitation's organisation, or staff transcribing a paper answer."""
    if not _active(user):
        return False
    if user.is_customer_contact:
        return user.organisation_id == invitation.organisation_id
    return may_send_surveys(user)
