"""Test personas and shared fixtures. Browser fixtures live in vcdesk/core/tests/browser.py."""

import os

import pytest
from django.test import Client

from vcdesk.accounts.choices import Role
from vcdesk.core.testing import Persona, persona
from vcdesk.customers.tests.factories import OrganisationFactory

# Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run
# next to one unless told that this test process is single-threaded per test.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytest_plugins = ["vcdesk.core.tests.browser"]


@pytest.fixture
def org_a(db):
    return OrganisationFactory(name="北京广播电视台", short_name="北京台")


@pytest.fixture
def org_b(db):
    return OrganisationFactory(name="上海浦东发展银行", short_name="浦发银行")


@pytest.fixture
def service_manager(db) -> Persona:
    return persona("manager", Role.SERVICE_MANAGER)


@pytest.fixture
def duty_officer(db) -> Persona:
    return persona("duty", Role.DUTY_OFFICER)


@pytest.fixture
def support_engineer(db) -> Persona:
    return persona("support", Role.SUPPORT_ENGINEER)


@pytest.fixture
def field_engineer(db) -> Persona:
    return persona("field", Role.FIELD_ENGINEER)


@pytest.fixture
def spares_keeper(db) -> Persona:
    return persona("spares", Role.SPARES_KEEPER)


@pytest.fixture
def contact_of_a(org_a) -> Persona:
    return persona("contact_a", Role.CUSTOMER_CONTACT, organisation=org_a)


@pytest.fixture
def contact_of_b(org_b) -> Persona:
    return persona("contact_b", Role.CUSTOMER_CONTACT, organisation=org_b)


@pytest.fixture
def api(client: Client):
    """A JSON client: api.get(url, persona), api.post(url, persona, json)."""

    class Api:
        def get(self, url: str, who: Persona | None = None, **params):
            return client.get(url, params, **(who.auth if who else {}))

        def post(self, url: str, who: Persona | None, payload: dict):
            return client.post(
                url, payload, content_type="application/json", **(who.auth if who else {})
            )

        def patch(self, url: str, who: Persona | None, payload: dict):
            return client.patch(
                url, payload, content_type="application/json", **(who.auth if who else {})
            )

    return Api()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Personas are made in almost every test; the strong hasher would dominate the run."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
