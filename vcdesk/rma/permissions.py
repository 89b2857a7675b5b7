"""Who may change RMAs and quotes. Reads are scoped by vcdesk.rma.selectors; these gate
writes. Staff of the spares keeper, support engineer and service manager roles write; a
customer contact may only accept or decline their own organisation's sent quotes."""

from vcdesk.accounts.choices import Role

RMA_WRITERS = (Role.SPARES_KEEPER, Role.SUPPORT_ENGINEER, Role.SERVICE_MANAGER)


def _active(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def may_handle_rma(user) -> bool:
    """File and advance RMAs, ship advance replacements, prepare and send quotes."""
    if not _active(user) or user.is_customer_contact:
        return False
    return user.is_superuser or user.has_role(*RMA_WRITERS)


def may_decide_quote(user, quote) -> bool:
    """Accept or decline: a contact of the quote's organisation, or staff recording the
    customer's answer."""
    if not _active(user):
        return False
    if user.is_customer_contact:
        return user.organisation_id == quote.organisation_id
    return may_handle_rma(user)
