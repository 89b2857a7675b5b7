from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest
from ninja.security import HttpBearer

from vcdesk.accounts.choices import Role
from vcdesk.accounts.models import ApiToken, User, role_name_of


class BearerAuth(HttpBearer):
    """`Authorization: Bearer <token>` from POST /api/v1/auth/token."""

    def authenticate(self, request: HttpRequest, token: str):
        # One statement: the token, its user and the user's role.
        api_token = (
            ApiToken.objects.for_raw(token)
            .select_related("user")
            .annotate(role_name=role_name_of("user_id"))
            .first()
        )
        if api_token is None or not api_token.user.is_active:
            return None
        user = api_token.user
        user.__dict__["role"] = Role(api_token.role_name) if api_token.role_name else None
        # Pages and history (django-simple-history's middleware) read request.user.
        request.user = user
        return user


class RoleModelBackend(ModelBackend):
    """Django's backend, reading the signed-in user with their role in one statement."""

    def get_user(self, user_id):
        user = User.objects.with_role().filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
