import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, Group
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models import Case, OuterRef, Subquery, Value, When
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from vcdesk.accounts.choices import Role


class UserQuerySet(models.QuerySet):
    def with_role(self):
        """Users with `role` already known (no query for their groups): the name of their
        first group in `Role`'s order, read in the same statement. API tokens read the same
        through vcdesk.accounts.auth.user_of_token."""
        rank = Case(*(When(name=role.value, then=Value(i)) for i, role in enumerate(Role)))
        role_name = (
            Group.objects.filter(user=OuterRef("pk"), name__in=Role.values)
            .annotate(rank=rank)
            .order_by("rank")
            .values("name")[:1]
        )
        return self.annotate(role_name=Subquery(role_name))


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A person who signs in. The role is the user's group; a customer contact also
    belongs to exactly one organisation and sees only its data."""

    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    organisation = models.ForeignKey(
        "customers.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    is_senior = models.BooleanField(
        _("senior engineer"),
        default=False,
        help_text=_("Senior field engineers guard important meetings (meeting assurance)."),
    )
    history = HistoricalRecords(excluded_fields=["last_login", "password"])

    objects = UserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    @cached_property
    def role(self) -> Role | None:
        if "role_name" in self.__dict__:  # read with the user: UserQuerySet.with_role()
            return Role(self.role_name) if self.role_name else None
        names = {g.name for g in self.groups.all()}
        for role in Role:
            if role.value in names:
                return role
        return None

    @property
    def is_customer_contact(self) -> bool:
        return self.organisation_id is not None or self.role == Role.CUSTOMER_CONTACT

    @property
    def is_staff_member(self) -> bool:
        return self.is_active and not self.is_customer_contact

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the HTTP API. Only its hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"API token of {self.user} until {self.expires_at:%Y-%m-%d}"

    @staticmethod
    def new_raw() -> tuple[str, str]:
        raw = secrets.token_urlsafe(32)
        return raw, token_hash(raw)
