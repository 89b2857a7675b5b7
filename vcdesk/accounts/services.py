from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vcdesk.accounts.choices import Role
from vcdesk.accounts.models import ApiToken, User
from vcdesk.customers.models import Organisation


def role_groups_ensure() -> dict[Role, Group]:
    """One Django group per role (idempotent)."""
    return {role: Group.objects.get_or_create(name=role.value)[0] for role in Role}


# What service managers maintain in the Django admin (reference data, accounts). Deleting is
# left out on purpose: records are retired, never lost.
SERVICE_MANAGER_ADMIN_APPS = (
    "customers",
    "assets",
    "contracts",
    "accounts",
    "calendars",
    "service",
    "notify",
    "assurance",
    "inspections",
    "surveys",
    "feedback",
)


def role_permissions_grant() -> None:
    """Give the service-manager group the admin permissions it needs (idempotent)."""
    groups = role_groups_ensure()
    permissions = Permission.objects.filter(
        content_type__app_label__in=SERVICE_MANAGER_ADMIN_APPS,
        codename__regex=r"^(add|change|view)_",
    ).exclude(content_type__model="apitoken")
    groups[Role.SERVICE_MANAGER].permissions.add(*permissions)


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    full_name: str,
    role: Role,
    organisation: int | Organisation | None = None,
    email: str = "",
    is_senior: bool = False,
    actor=None,
) -> User:
    """Create a person with one role. A customer contact must, and only a customer contact
    may, belong to an organisation; only a field engineer may be senior (guards important
    meetings). The password goes through Django's validators."""
    role = Role(role)
    errors: dict[str, list[str]] = {}
    organisation_obj = None
    if role == Role.CUSTOMER_CONTACT:
        if organisation is None:
            errors["organisation"] = [_("A customer contact must belong to an organisation.")]
        elif isinstance(organisation, Organisation):
            organisation_obj = organisation
        else:
            organisation_obj = Organisation.objects.filter(pk=organisation).first()
            if organisation_obj is None:
                errors["organisation"] = [_("No such organisation.")]
    elif organisation is not None:
        errors["organisation"] = [_("Only a customer contact belongs to an organisation.")]
    if is_senior and role != Role.FIELD_ENGINEER:
        errors["is_senior"] = [_("Only a field engineer can be a senior engineer.")]
    user = User(
        username=username,
        full_name=full_name,
        email=email,
        organisation=organisation_obj,
        is_senior=is_senior,
    )
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    try:
        user.full_clean(exclude=["password"])
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    user.set_password(password)
    user.is_staff = role == Role.SERVICE_MANAGER  # managers maintain reference data in admin
    user._history_user = actor
    user.save()
    user.groups.add(role_groups_ensure()[role])
    return user


@transaction.atomic
def user_set_senior(user: User, *, is_senior: bool, actor=None) -> User:
    """Mark a field engineer senior (they may guard important meetings), or not."""
    user = User.objects.select_for_update().get(pk=user.pk)
    if is_senior and not user.has_role(Role.FIELD_ENGINEER):
        raise ValidationError({"is_senior": [_("Only a field engineer can be a senior engineer.")]})
    if user.is_senior != is_senior:
        user.is_senior = is_senior
        user._history_user = actor
        user.save(update_fields=["is_senior"])
    return user


def token_issue(*, username: str, password: str) -> str | None:
    """A new API token for valid credentials, else None."""
    user = authenticate(username=username, password=password)
    if user is None or not user.is_active:
        return None
    raw, key_hash = ApiToken.new_raw()
    ApiToken.objects.create(
        user=user,
        key_hash=key_hash,
        expires_at=timezone.now() + timedelta(days=settings.VCDESK_API_TOKEN_DAYS),
    )
    return raw
