"""The customer portal: a customer contact's home, with their organisation's devices,
service records and clocks, inspections, meeting assurance, repairs, surveys and issues —
and nothing of another organisation's."""

import pytest
from django.test import Client

from vcdesk.assets.tests.factories import DeviceFactory
from vcdesk.core.testing import PERSONA_PASSWORD
from vcdesk.feedback.tests.factories import record_issue
from vcdesk.portal.views import url_or_none
from vcdesk.surveys.services import survey_answer
from vcdesk.surveys.tests.factories import answers, device_of, invite, resolved_record


def signed_in(persona) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(username=persona.user.username, password=PERSONA_PASSWORD)
    return client


@pytest.fixture
def two_customers(org_a, org_b, duty_officer):
    """Each organisation: devices, an open service record, a survey to answer, one
    answered, and an issue."""
    world = {}
    for org, devices in ((org_a, 2), (org_b, 3)):
        device = device_of(org)
        DeviceFactory.create_batch(devices - 1, site=device.site, contract=device.contract)
        record = resolved_record(device, staff=duty_officer.user)
        world[org.pk] = {
            "record": record,
            "survey": invite(org, at=None),
            "issue": record_issue(org, actor=duty_officer.user, at=None),
        }
        answered = invite(org, at=None)
        survey_answer(answered, answers=answers(answered))
    return world


def test_a_contacts_home_is_their_organisations_portal(two_customers, org_a, contact_of_a):
    response = signed_in(contact_of_a).get("/")

    assert response.status_code == 200
    assert response.templates[0].name == "portal/home.html"
    assert response.context["organisation"] == org_a


def test_the_portal_counts_and_lists_only_the_contacts_organisation(
    two_customers, org_a, org_b, contact_of_a
):
    response = signed_in(contact_of_a).get("/portal/")
    portal = response.context["portal"]
    mine, theirs = two_customers[org_a.pk], two_customers[org_b.pk]

    assert portal.devices["total"] == 2
    assert portal.open_record_count == 1
    assert [r.pk for r in portal.open_records] == [mine["record"].pk]
    assert [s.pk for s in portal.surveys] == [mine["survey"].pk]
    assert [i.pk for i in portal.issues] == [mine["issue"].pk]
    assert portal.open_issue_count == 1
    for other in (theirs["record"].number, theirs["issue"].number):
        assert other not in response.text
    assert f"/surveys/{theirs['survey'].pk}/" not in response.text


def test_the_portal_shows_each_open_records_clocks(two_customers, org_a, contact_of_a):
    response = signed_in(contact_of_a).get("/portal/")

    (record,) = response.context["portal"].open_records
    kinds = [kind for kind, *_ in record.clock_states]
    assert "Response (1 hour)" in kinds
    assert 'data-testid="portal-records"' in response.text


def test_the_portal_offers_to_report_a_fault_and_raise_an_issue(two_customers, contact_of_a):
    text = signed_in(contact_of_a).get("/portal/").text

    assert 'href="/service/new/"' in text
    assert 'href="/issues/new/"' in text
    assert 'href="/rma/"' in text and 'href="/quotes/"' in text


def test_staff_see_an_organisations_portal_as_its_contacts_do(
    two_customers, org_b, service_manager
):
    client = signed_in(service_manager)

    preview = client.get(f"/portal/?organisation={org_b.pk}")
    assert preview.context["organisation"] == org_b
    assert preview.context["portal"].devices["total"] == 3
    assert client.get("/portal/").status_code == 302
    assert client.get("/").templates[0].name == "dashboard/home.html"


def test_a_contact_cannot_open_another_organisations_portal(
    two_customers, org_a, org_b, contact_of_a
):
    response = signed_in(contact_of_a).get(f"/portal/?organisation={org_b.pk}")

    assert response.context["organisation"] == org_a


def test_a_link_to_a_page_no_app_provides_is_left_out():
    assert url_or_none("no_such_page") is None
    assert url_or_none("rma_list") == "/rma/"


def test_the_portal_links_the_coming_meetings_but_not_past_or_cancelled_ones(
    org_a, org_b, contact_of_a, duty_officer
):
    from datetime import timedelta

    from django.utils import timezone

    from vcdesk.assurance.services import booking_cancel
    from vcdesk.assurance.tests.factories import book, contract_with_sites

    contract, sites = contract_with_sites(org_a, accepted_on=timezone.localdate() - timedelta(1))
    soon = timezone.now() + timedelta(days=3)
    coming = book(contract, sites[:1], actor=duty_officer.user, starts_at=soon, title="年度会议")
    cancelled = book(contract, sites[:1], actor=duty_officer.user, starts_at=soon + timedelta(1))
    booking_cancel(cancelled, actor=duty_officer.user)
    theirs, their_sites = contract_with_sites(org_b, accepted_on=contract.accepted_on)
    other = book(theirs, their_sites[:1], actor=duty_officer.user, starts_at=soon)

    response = signed_in(contact_of_a).get("/portal/")

    assert [b.pk for b in response.context["portal"].bookings] == [coming.pk]
    assert f'href="/assurance/{coming.pk}/"' in response.text
    for hidden in (cancelled, other):
        assert f'href="/assurance/{hidden.pk}/"' not in response.text


def test_staff_previewing_a_portal_open_a_survey_rather_than_answer_it(
    two_customers, org_a, field_engineer
):
    survey = two_customers[org_a.pk]["survey"]

    text = signed_in(field_engineer).get(f"/portal/?organisation={org_a.pk}").text

    assert f'href="/surveys/{survey.pk}/"' in text
    assert f"/surveys/{survey.pk}/answer/" not in text


def test_the_portals_inspections_to_come_leave_out_a_cancelled_one(
    org_a, contact_of_a, service_manager
):
    from vcdesk.inspections.models import Inspection
    from vcdesk.inspections.services import inspection_cancel
    from vcdesk.inspections.tests.factories import planned

    first = planned(org_a, per_year=2)
    second = Inspection.objects.exclude(pk=first.pk).get(contract=first.contract)
    inspection_cancel(first, reason="客户单位搬迁", actor=service_manager.user)

    response = signed_in(contact_of_a).get("/portal/")

    assert [i.pk for i in response.context["portal"].inspections_due] == [second.pk]
    assert response.context["portal"].inspections_done == []
    assert first.number not in response.text
