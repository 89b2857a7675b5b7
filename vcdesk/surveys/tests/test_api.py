"""The survey API: definitions, invitations, answers by a contact or by the link's token,
results; another organisation's invitation answers 404 (R9.1)."""

import time_machine

from vcdesk.surveys.models import Survey, SurveyAnswer
from vcdesk.surveys.tests.factories import DAY, HOUR, T0, answer, answers, invite


def link_auth(invitation) -> dict:
    token = invitation.link.rstrip("/").rsplit("/", 1)[-1]
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_the_definition_lists_the_sections_items_and_scale(api, contact_of_a):
    survey = Survey.objects.get(is_default=True)

    body = api.get(f"/api/v1/survey-definitions/{survey.pk}", contact_of_a).json()

    assert [s["title_zh"] for s in body["sections"]][0] == "产品功能"
    assert sum(len(s["items"]) for s in body["sections"]) == 15
    assert [s["value"] for s in body["scale"]] == [5, 4, 3, 2, 1]


def test_a_contact_lists_and_reads_only_their_organisations_invitations(
    api, org_a, org_b, contact_of_a
):
    mine = invite(org_a)
    theirs = invite(org_b)

    listed = api.get("/api/v1/survey-invitations", contact_of_a).json()
    assert [i["id"] for i in listed["items"]] == [mine.pk]
    assert listed["count"] == 1
    assert api.get(f"/api/v1/survey-invitations/{theirs.pk}", contact_of_a).status_code == 404
    assert (
        api.get("/api/v1/survey-invitations", contact_of_a, organisation=org_b.pk).json()["count"]
        == 0
    )


def test_a_contact_answers_once_and_a_second_answer_gets_409(api, org_a, contact_of_a):
    invitation = invite(org_a)
    url = f"/api/v1/survey-invitations/{invitation.pk}/answers"
    payload = {"answers": answers(invitation, 4, overall=None), "overall_comments": "很好"}

    with time_machine.travel(T0 + HOUR, tick=False):
        first = api.post(url, contact_of_a, payload)
        second = api.post(url, contact_of_a, payload)

    assert first.status_code == 201, first.content
    body = first.json()
    assert body["state"] == "answered"
    overall = next(a for a in body["answers"] if a["item_key"] == "overall")
    assert overall["score"] is None and overall["not_applicable"] is True
    assert second.status_code == 409
    assert "already" in second.json()["detail"]


def test_another_organisations_invitation_cannot_be_answered(api, org_b, contact_of_a):
    invitation = invite(org_b)

    response = api.post(
        f"/api/v1/survey-invitations/{invitation.pk}/answers",
        contact_of_a,
        {"answers": answers(invitation)},
    )

    assert response.status_code == 404
    assert not SurveyAnswer.objects.exists()


def test_bad_answers_get_422_naming_the_answer_and_write_nothing(api, org_a, contact_of_a):
    invitation = invite(org_a)
    given = answers(invitation)
    given[3]["score"] = 7
    url = f"/api/v1/survey-invitations/{invitation.pk}/answers"

    with time_machine.travel(T0 + HOUR, tick=False):
        out_of_range = api.post(url, contact_of_a, {"answers": given})
        missing = api.post(url, contact_of_a, {"answers": answers(invitation)[:3]})
        no_score = api.post(url, contact_of_a, {"answers": [{"item": given[0]["item"]}]})

    assert out_of_range.status_code == 422
    assert out_of_range.json()["detail"][0]["loc"] == ["body", "payload", "answers", 3, "score"]
    assert missing.status_code == 422
    assert missing.json()["detail"][0]["loc"] == ["body", "answers"]
    assert no_score.status_code == 422
    assert not SurveyAnswer.objects.exists()


def test_the_link_token_opens_and_answers_the_survey_without_an_account(client, org_a):
    invitation = invite(org_a)

    with time_machine.travel(T0 + HOUR, tick=False):
        opened = client.get("/api/v1/survey-link", **link_auth(invitation))
        answered = client.post(
            "/api/v1/survey-link/answers",
            {"answers": answers(invitation, 5)},
            content_type="application/json",
            **link_auth(invitation),
        )
        again = client.post(
            "/api/v1/survey-link/answers",
            {"answers": answers(invitation, 1)},
            content_type="application/json",
            **link_auth(invitation),
        )

    assert opened.status_code == 200
    assert opened.json()["state"] == "pending"
    assert opened.json()["survey"]["title_zh"] == "客户满意度调查表"
    assert answered.status_code == 201
    assert answered.json()["state"] == "answered"
    assert again.status_code == 409
    assert set(SurveyAnswer.objects.values_list("score", flat=True)) == {5}


def test_an_expired_link_answers_410_and_a_made_up_one_401(client, org_a):
    invitation = invite(org_a)

    with time_machine.travel(T0 + 31 * DAY, tick=False):
        expired = client.post(
            "/api/v1/survey-link/answers",
            {"answers": answers(invitation)},
            content_type="application/json",
            **link_auth(invitation),
        )
    made_up = client.get("/api/v1/survey-link", HTTP_AUTHORIZATION="Bearer not-a-link")

    assert expired.status_code == 410
    assert "expired" in expired.json()["detail"]
    assert made_up.status_code == 401


def test_staff_send_a_survey_by_hand_and_get_its_link_once(api, org_a, service_manager):
    response = api.post(
        "/api/v1/survey-invitations",
        service_manager,
        {"organisation": org_a.pk, "recipient_name": "张伟", "recipient_email": "zw@example.cn"},
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["link"].startswith("http")
    assert body["trigger"] == "manual"
    assert body["surveyor"] == str(service_manager.user)
    read = api.get(f"/api/v1/survey-invitations/{body['id']}", service_manager).json()
    assert "link" not in read


def test_sending_by_hand_refuses_a_bad_address_naming_it(api, org_a, service_manager):
    response = api.post(
        "/api/v1/survey-invitations",
        service_manager,
        {"organisation": org_a.pk, "recipient_email": "not an address"},
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "recipient_email"]


def test_a_customer_contact_may_not_send_surveys(api, org_a, contact_of_a):
    response = api.post("/api/v1/survey-invitations", contact_of_a, {"organisation": org_a.pk})

    assert response.status_code == 403


def test_results_roll_up_and_leave_not_applicable_out(api, org_a, service_manager):
    answer(invite(org_a), score=4, technical_ability=None)

    body = api.get("/api/v1/survey-results", service_manager, group_by="item").json()

    rows = {row["label"]: row for row in body["rows"]}
    assert rows["Technical ability"]["average"] is None
    assert rows["Technical ability"]["not_applicable"] == 1
    assert rows["Professionalism"]["average"] == 4.0
    assert body["overall"]["scores"] == 14


def test_results_with_a_bad_grouping_get_422(api, service_manager):
    response = api.get("/api/v1/survey-results", service_manager, group_by="weekday")

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "group_by"
