"""Named personas for tests: one user per role, and customer contacts of two organisations."""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from vcdesk.accounts.choices import Role
from vcdesk.accounts.models import ApiToken, User
from vcdesk.accounts.services import user_create

PERSONA_PASSWORD = "Vc-desk-persona-2026"


@dataclass
class Persona:
    user: User
    token: str

    @property
    def auth(self) -> dict[str, str]:
        """Headers for django.test.Client: `client.get(url, **persona.auth)`."""
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"}


def persona(username: str, role: Role, organisation=None) -> Persona:
    user = user_create(
        username=username,
        password=PERSONA_PASSWORD,
        full_name=username,
        role=role,
        organisation=organisation,
    )
    return persona_of(user)


def persona_of(user: User, *, valid_for: timedelta = timedelta(days=1)) -> Persona:
    """A persona for a user made some other way (the admin, a fixture); a negative
    `valid_for` gives it an expired token."""
    raw, key_hash = ApiToken.new_raw()
    ApiToken.objects.create(user=user, key_hash=key_hash, expires_at=timezone.now() + valid_for)
    return Persona(user=user, token=raw)
