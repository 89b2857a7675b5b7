"""The meeting assurance pages: the customer's booking form and list with the quota, the
staff's booking page and its steps, and organisation isolation."""

import pytest
import time_machine
from django.test import Client

from vcdesk.assurance.models import Assignment, Booking, Check
from vcdesk.assurance.tests.factories import beijing, book, contract_with_sites, senior_engineer
from vcdesk.customers.tests.factories import SiteFactory

pytestmark = pytest.mark.django_db

NOW = beijing(2026, 3, 10, 9, 0)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def setup(org_a):
    return contract_with_sites(org_a, n_sites=3, per_year=2)


def signed_in(persona) -> Client:
    client = Client()
    client.force_login(persona.user)
    return client


def form_data(contract, sites, **overrides) -> dict:
    return {
        "title": "全省防汛视频会议",
        "contract": contract.pk,
        "sites": [s.pk for s in sites],
        "starts_at": "2026-04-01T09:00",
        "ends_at": "2026-04-01T11:00",
        "importance": "critical",
        "expected_participants": "80",
        "contact_name": "张伟",
        "contact_phone": "13800000001",
        "notes": "",
    } | overrides


def test_the_customers_form_offers_only_their_own_sites_in_chinese(setup, org_b, contact_of_a):
    _contract, sites = setup
    foreign = SiteFactory(organisation=org_b, name="浦发银行总行会议室")

    page = signed_in(contact_of_a).get("/assurance/new/")

    html = page.content.decode()
    assert page.status_code == 200
    assert all(site.name in html for site in sites)
    assert foreign.name not in html
    assert "会议名称" in html and "参会会场" in html and "特别重要" in html


def test_the_form_names_the_contract_covering_each_site(setup, org_a, contact_of_a):
    contract, sites = setup
    other, other_sites = contract_with_sites(org_a, n_sites=1)
    bare = SiteFactory(organisation=org_a, name="无设备会议室")

    html = signed_in(contact_of_a).get("/assurance/new/").content.decode()

    assert f"{sites[0].name} · {sites[0].city}（{contract.number}）" in html
    assert f"{other_sites[0].name} · {other_sites[0].city}（{other.number}）" in html
    assert f"{bare.name} · {bare.city}<" in html


def test_the_customer_books_and_sees_the_quota_used_of_included(setup, contact_of_a):
    contract, sites = setup
    client = signed_in(contact_of_a)

    answer = client.post("/assurance/new/", form_data(contract, sites[:2]))

    booking = Booking.objects.get()
    assert answer.status_code == 302
    assert answer["Location"] == f"/assurance/{booking.pk}/"
    assert (booking.organisation, booking.engineers_required) == (contract.organisation, 2)
    listing = client.get("/assurance/").content.decode()
    assert 'data-testid="quota-used">1<' in listing
    assert 'data-testid="quota-included">2<' in listing
    assert booking.title in listing


def test_the_form_shows_each_refusal_next_to_its_field(setup, contact_of_a):
    contract, sites = setup

    answer = signed_in(contact_of_a).post(
        "/assurance/new/",
        form_data(
            contract,
            [],
            starts_at="2026-03-01T09:00",
            ends_at="2026-03-01T11:00",
            title="",
        ),
    )

    html = answer.content.decode()
    assert answer.status_code == 200
    assert not Booking.objects.exists()
    assert 'id="id_sites_error"' in html
    assert 'id="id_title_error"' in html


def test_a_meeting_in_the_past_is_refused_next_to_its_start(setup, contact_of_a):
    contract, sites = setup

    answer = signed_in(contact_of_a).post(
        "/assurance/new/",
        form_data(contract, sites[:1], starts_at="2026-03-09T09:00", ends_at="2026-03-09T11:00"),
    )

    assert answer.status_code == 200
    assert 'id="id_starts_at_error"' in answer.content.decode()
    assert not Booking.objects.exists()


def test_staff_choose_the_organisation_before_the_form(setup, duty_officer, org_a):
    client = signed_in(duty_officer)

    chooser = client.get("/assurance/new/")
    form = client.get(f"/assurance/new/?organisation={org_a.pk}")

    assert org_a.name in chooser.content.decode()
    assert 'data-testid="booking-form"' in form.content.decode()


def test_staff_carry_the_meeting_through_on_its_page(setup, service_manager, contact_of_a):
    contract, sites = setup
    booking = book(contract, sites[:1], actor=contact_of_a.user, starts_at=beijing(2026, 4, 1, 9))
    chen = senior_engineer("chen", full_name="陈志强")
    client = signed_in(service_manager)
    base = f"/assurance/{booking.pk}"

    page = client.get(f"{base}/").content.decode()
    assert 'data-testid="assign-form"' in page
    client.post(f"{base}/assign/", {"engineers": [chen.pk]})
    client.post(f"{base}/check/", {"site": sites[0].pk, "result": "passed", "note": "正常"})
    client.post(f"{base}/rehearsal/", {"result": "problem", "note": "音频啸叫"})

    assert Assignment.objects.get(booking=booking).engineer == chen
    assert sorted(Check.objects.values_list("kind", "result")) == [
        ("device_check", "passed"),
        ("rehearsal", "problem"),
    ]
    page = client.get(f"{base}/").content.decode()
    assert "陈志强" in page and "音频啸叫" in page


def test_a_refused_step_is_shown_as_a_message(setup, service_manager, contact_of_a):
    contract, sites = setup
    booking = book(contract, sites[:1], actor=contact_of_a.user, starts_at=beijing(2026, 4, 1, 9))

    answer = signed_in(service_manager).post(
        f"/assurance/{booking.pk}/assign/", {"engineers": []}, follow=True
    )

    assert "没有空闲的资深现场工程师" in answer.content.decode()


def test_another_organisations_booking_pages_are_not_there(
    setup, contact_of_a, contact_of_b, service_manager
):
    contract, sites = setup
    booking = book(contract, sites[:1], actor=contact_of_a.user, starts_at=beijing(2026, 4, 1, 9))
    client = signed_in(contact_of_b)

    assert client.get(f"/assurance/{booking.pk}/").status_code == 404
    assert client.get(f"/assurance/{booking.pk}/edit/").status_code == 404
    assert client.post(f"/assurance/{booking.pk}/cancel/", {}).status_code == 404
    assert booking.title not in client.get("/assurance/").content.decode()
    Booking.objects.get(pk=booking.pk, cancelled_at__isnull=True)


def test_a_customer_contact_cannot_post_staff_steps(setup, contact_of_a):
    contract, sites = setup
    booking = book(contract, sites[:1], actor=contact_of_a.user, starts_at=beijing(2026, 4, 1, 9))

    answer = signed_in(contact_of_a).post(f"/assurance/{booking.pk}/assign/", {})

    assert answer.status_code == 403
