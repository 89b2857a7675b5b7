from django.test import Client

from vcdesk.accounts.choices import Role
from vcdesk.core.testing import PERSONA_PASSWORD


def test_every_role_is_a_group(db):
    from django.contrib.auth.models import Group

    assert {g.name for g in Group.objects.all()} >= {role.value for role in Role}


def test_a_service_manager_maintains_reference_data_in_the_admin(service_manager):
    client = Client()
    client.login(username=service_manager.user.username, password=PERSONA_PASSWORD)
    for url in ["/admin/", "/admin/assets/devicemodel/", "/admin/customers/organisation/add/"]:
        assert client.get(url).status_code == 200, url
    assert service_manager.user.has_perm("assets.change_devicemodel")
    assert not service_manager.user.has_perm("assets.delete_device")


def test_other_staff_and_customer_contacts_have_no_admin(duty_officer, contact_of_a):
    for persona in (duty_officer, contact_of_a):
        client = Client()
        client.login(username=persona.user.username, password=PERSONA_PASSWORD)
        assert client.get("/admin/").status_code == 302


def test_a_service_manager_edits_the_survey_and_the_checklist_templates_in_the_admin(
    service_manager,
):
    client = Client()
    client.login(username=service_manager.user.username, password=PERSONA_PASSWORD)
    for url in ["/admin/surveys/survey/", "/admin/inspections/checklistitemtemplate/"]:
        assert client.get(url).status_code == 200, url
    assert service_manager.user.has_perm("surveys.change_surveyitem")
    assert service_manager.user.has_perm("inspections.change_checklistitemtemplate")
    assert service_manager.user.has_perm("feedback.view_issuerecord")


def test_the_role_read_with_the_user_is_the_first_of_their_groups_in_role_order(duty_officer):
    from django.contrib.auth.models import Group

    from vcdesk.accounts.models import User

    user = duty_officer.user
    user.groups.add(Group.objects.get(name=Role.SERVICE_MANAGER))  # later in Role's order
    user.groups.add(Group.objects.create(name="wall display"))  # not a role

    read = User.objects.with_role().get(pk=user.pk)
    assert read.role == Role.DUTY_OFFICER
    assert read.role == User.objects.get(pk=user.pk).role  # the same as from the groups
    user.groups.clear()
    assert User.objects.with_role().get(pk=user.pk).role is None


def test_a_signed_in_page_reads_the_user_and_their_role_in_one_statement(duty_officer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.login(username=duty_officer.user.username, password=PERSONA_PASSWORD)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/service/").status_code == 200  # the queue reads the role
    sql = [q["sql"] for q in queries.captured_queries]
    assert not any(s.startswith('SELECT "auth_group"') for s in sql), sql
    assert sum(s.startswith('SELECT "accounts_user"') for s in sql) == 1, sql


def test_an_api_token_of_a_user_without_a_role_still_authenticates_without_one(api, duty_officer):
    duty_officer.user.groups.clear()
    response = api.get("/api/v1/service-records", duty_officer)
    assert response.status_code in (200, 403)
    from vcdesk.accounts.models import User

    assert User.objects.with_role().get(pk=duty_officer.user.pk).role is None
