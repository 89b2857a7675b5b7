from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from vcdesk.accounts.choices import Role
from vcdesk.accounts.models import User
from vcdesk.accounts.permissions import may_manage_users
from vcdesk.accounts.services import token_issue, user_create
from vcdesk.core.api import ErrorOut, Input, require

router = Router(tags=["auth & users"])


class TokenIn(Input):
    username: str
    password: str


class TokenOut(Schema):
    token: str


@router.post("/auth/token", auth=None, response={200: TokenOut, 401: ErrorOut})
def auth_token(request: HttpRequest, payload: TokenIn):
    """Exchange a username and password for a bearer token."""
    token = token_issue(username=payload.username, password=payload.password)
    if token is None:
        return Status(401, {"detail": _("Wrong username or password.")})
    return {"token": token}


class UserIn(Input):
    username: str
    password: str
    full_name: str
    role: Role
    organisation: int | None = None
    email: str = ""
    is_senior: bool = False


class UserOut(Schema):
    id: int
    username: str
    full_name: str
    email: str
    role: Role | None
    organisation: int | None
    is_senior: bool

    @staticmethod
    def resolve_organisation(obj: User) -> int | None:
        return obj.organisation_id


@router.post("/users", response={201: UserOut, 403: ErrorOut, 422: ErrorOut})
def users_create(request: HttpRequest, payload: UserIn):
    """Create a staff account or a customer contact (service managers and superusers)."""
    require(may_manage_users(request.auth))
    return Status(201, user_create(actor=request.auth, **payload.dict()))
