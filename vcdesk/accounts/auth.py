from django.http import HttpRequest
from ninja.security import HttpBearer

from vcdesk.accounts.models import ApiToken


class BearerAuth(HttpBearer):
    """`Authorization: Bearer <token>` from POST /api/v1/auth/token."""

    def authenticate(self, request: HttpRequest, token: str):
        api_token = (
            ApiToken.objects.for_raw(token)
            .select_related("user")
            .prefetch_related("user__groups")
            .first()
        )
        if api_token is None or not api_token.user.is_active:
            return None
        # Pages and history (django-simple-history's middleware) read request.user.
        request.user = api_token.user
        return api_token.user
