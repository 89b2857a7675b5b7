"""Every API request is authenticated by `user_of_token`, one hand-written statement: it must
answer exactly what the ORM would."""

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext

from vcdesk.accounts.auth import user_of_token
from vcdesk.accounts.choices import Role
from vcdesk.accounts.models import User
from vcdesk.core.testing import persona_of


def test_the_token_gives_the_same_user_as_the_orm_with_its_role(contact_of_a):
    with CaptureQueriesContext(connection) as queries:
        user = user_of_token(contact_of_a.token)

    assert len(queries) == 1
    stored = User.objects.get(pk=contact_of_a.user.pk)
    for field in User._meta.concrete_fields:
        assert getattr(user, field.attname) == getattr(stored, field.attname), field.name
    assert user.date_joined.tzinfo is not None
    assert user.is_active is True
    assert user.role == Role.CUSTOMER_CONTACT
    assert user.organisation_id == contact_of_a.user.organisation_id
    assert user._state.adding is False  # a saved row: saving it updates, not inserts


def test_a_user_in_no_role_group_has_no_role(duty_officer):
    duty_officer.user.groups.clear()
    assert user_of_token(duty_officer.token).role is None


def test_unknown_expired_and_inactive_tokens_give_no_user(duty_officer):
    expired = persona_of(duty_officer.user, valid_for=timedelta(seconds=-1))
    assert user_of_token("not-a-token") is None
    assert user_of_token(expired.token) is None
    assert user_of_token(duty_officer.token) is not None

    duty_officer.user.is_active = False
    duty_officer.user.save()
    assert user_of_token(duty_officer.token) is None


def test_the_api_refuses_an_expired_token(api, duty_officer):
    expired = persona_of(duty_officer.user, valid_for=timedelta(seconds=-1))
    assert api.get("/api/v1/service-records", expired).status_code == 401
    assert api.get("/api/v1/service-records", duty_officer).status_code == 200


def test_the_token_ranks_several_roles_as_the_orm_does(duty_officer):
    from django.contrib.auth.models import Group

    duty_officer.user.groups.add(Group.objects.get(name=Role.SERVICE_MANAGER))
    assert (
        user_of_token(duty_officer.token).role
        == User.objects.with_role().get(pk=duty_officer.user.pk).role
        == Role.DUTY_OFFICER
    )
