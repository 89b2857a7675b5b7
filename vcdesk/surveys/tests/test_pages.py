"""The survey pages: the personal link's page (no password), the portal's answer page,
the invitations and the staff's results."""

import time_machine
from django.test import Client

from vcdesk.core.testing import PERSONA_PASSWORD
from vcdesk.surveys.models import SurveyAnswer
from vcdesk.surveys.tests.factories import DAY, HOUR, T0, answer, invite, items


def signed_in(persona) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(username=persona.user.username, password=PERSONA_PASSWORD)
    return client


def link_path(invitation) -> str:
    return invitation.link.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def form_data(invitation, score="5", **by_key) -> dict:
    data = {}
    for item in items(invitation):
        data[f"score_{item.pk}"] = by_key.get(item.key, score)
        data[f"comment_{item.pk}"] = ""
    data["overall_comments"] = "服务很及时"
    return data


def test_the_link_opens_the_survey_without_signing_in(client, org_a):
    invitation = invite(org_a)

    with time_machine.travel(T0 + HOUR, tick=False):
        response = client.get(link_path(invitation))

    assert response.status_code == 200
    assert "Functions of the software product / application system" in response.text
    assert response.text.count('type="radio"') == 15 * 6


def test_the_paper_forms_footnote_about_extra_pages_is_left_off_the_web_form(client, org_a):
    invitation = invite(org_a)
    assert invitation.survey.footnote  # printed under the paper form (its PDF)

    with time_machine.travel(T0 + HOUR, tick=False):
        response = client.get(link_path(invitation))

    assert invitation.survey.footnote not in response.text


def test_the_form_records_the_answers_with_not_applicable(client, org_a):
    invitation = invite(org_a)

    with time_machine.travel(T0 + HOUR, tick=False):
        response = client.post(link_path(invitation), form_data(invitation, user_manual="na"))

    assert response.status_code == 200
    assert "Thank you" in response.text
    scores = dict(SurveyAnswer.objects.values_list("item__key", "score"))
    assert scores["user_manual"] is None
    assert scores["attitude"] == 5


def test_a_second_submission_says_so_and_changes_nothing(client, org_a):
    invitation = invite(org_a)
    answer(invitation, score=4)

    with time_machine.travel(T0 + 2 * HOUR, tick=False):
        response = client.post(link_path(invitation), form_data(invitation, "1"))

    assert response.status_code == 409
    assert "already been answered" in response.text
    assert set(SurveyAnswer.objects.values_list("score", flat=True)) == {4}


def test_an_expired_link_says_when_it_expired(client, org_a):
    invitation = invite(org_a)

    with time_machine.travel(T0 + 40 * DAY, tick=False):
        response = client.get(link_path(invitation))

    assert "expired on 2026-04-09" in response.text
    assert 'type="radio"' not in response.text


def test_a_made_up_link_is_not_found(client, db):
    response = client.get("/s/not-a-real-token/")

    assert response.status_code == 404
    assert "not valid" in response.text


def test_an_incomplete_form_comes_back_with_the_choices_kept_and_the_gap_named(client, org_a):
    invitation = invite(org_a)
    data = form_data(invitation)
    skipped = items(invitation)[-1]
    del data[f"score_{skipped.pk}"]

    with time_machine.travel(T0 + HOUR, tick=False):
        response = client.post(link_path(invitation), data)

    assert response.status_code == 422
    assert "Are you satisfied with the product" in response.text
    assert response.text.count("checked") == 14
    assert not SurveyAnswer.objects.exists()


def test_a_contact_answers_in_the_portal_but_not_another_organisations_survey(
    org_a, org_b, contact_of_a
):
    mine, theirs = invite(org_a, at=None), invite(org_b, at=None)
    client = signed_in(contact_of_a)

    assert client.get(f"/surveys/{theirs.pk}/answer/").status_code == 404
    assert client.get(f"/surveys/{theirs.pk}/").status_code == 404
    response = client.post(f"/surveys/{mine.pk}/answer/", form_data(mine))
    assert "Thank you" in response.text
    assert SurveyAnswer.objects.filter(invitation=mine).count() == 15


def test_the_invitation_page_shows_the_answers(org_a, service_manager):
    invitation = invite(org_a)
    answer(invitation, score=3, attitude=None)

    response = signed_in(service_manager).get(f"/surveys/{invitation.pk}/")

    assert response.status_code == 200
    assert "3 · Average" in response.text
    assert "Not applicable" in response.text


def test_the_results_page_is_for_staff(org_a, service_manager, contact_of_a):
    answer(invite(org_a), score=4)

    staff_page = signed_in(service_manager).get("/surveys/results/?group_by=section")
    assert staff_page.status_code == 200
    assert staff_page.context["overall"]["average"] == 4.0
    assert signed_in(contact_of_a).get("/surveys/results/").status_code == 403
