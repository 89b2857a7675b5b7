from functools import cache

from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from vcdesk.accounts.choices import Role
from vcdesk.accounts.models import ApiToken, User, token_hash
from vcdesk.core.rawsql import instances_from_row, select_list


class BearerAuth(HttpBearer):
    """`Authorization: Bearer <token>` from POST /api/v1/auth/token."""

    def authenticate(self, request: HttpRequest, token: str):
        user = user_of_token(token)
        if user is None:
            return None
        # Pages and history (django-simple-history's middleware) read request.user.
        request.user = user
        return user


def user_of_token(raw: str) -> User | None:
    """The active user of an unexpired token, with their role, in one statement.

    Every API request starts here, so the statement is written once (`_token_sql`) rather
    than built by the ORM each time: composing the role's subquery cost more CPU than
    running it. The role is ranked as `User.objects.with_role()` ranks it (tests compare
    the two)."""
    sql = _token_sql()
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                *Role.values,  # IN (...)
                *Role.values,  # ORDER BY CASE ...
                token_hash(raw),
                connection.ops.adapt_datetimefield_value(timezone.now()),
            ],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    (user,), end = instances_from_row(row, User)
    if not user.is_active:
        return None
    role_name = row[end]
    user.__dict__["role"] = Role(role_name) if role_name else None
    return user


@cache
def _token_sql() -> str:
    q = connection.ops.quote_name
    token, user = ApiToken._meta, User._meta
    through = User.groups.through._meta
    group = through.get_field("group").related_model._meta
    group_col = q(through.get_field("group").column)
    user_col = q(through.get_field("user").column)
    roles = ", ".join(["%s"] * len(Role.values))
    rank = " ".join(f"WHEN %s THEN {i}" for i in range(len(Role.values)))
    sql = (
        f"SELECT {select_list('u', User)}, "
        f"(SELECT g.{q('name')} FROM {q(group.db_table)} g "
        f"JOIN {q(through.db_table)} ug ON ug.{group_col} = g.{q('id')} "
        f"WHERE ug.{user_col} = u.{q('id')} AND g.{q('name')} IN ({roles}) "
        f"ORDER BY CASE g.{q('name')} {rank} END LIMIT 1) "
        f"FROM {q(token.db_table)} t JOIN {q(user.db_table)} u "
        f"ON u.{q('id')} = t.{q(token.get_field('user').column)} "
        f"WHERE t.{q(token.get_field('key_hash').column)} = %s "
        f"AND t.{q(token.get_field('expires_at').column)} > %s"
    )
    return sql


class RoleModelBackend(ModelBackend):
    """Django's backend, reading the signed-in user with their role in one statement."""

    def get_user(self, user_id):
        user = User.objects.with_role().filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
