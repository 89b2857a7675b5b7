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
