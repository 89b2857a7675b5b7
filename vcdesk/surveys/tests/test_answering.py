"""A survey is answered once, through its link or by a contact signed in, until its link
expires; answers are 5…1 or "not applicable" for every item (R9.1)."""

import threading

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection

from vcdesk.surveys import services
from vcdesk.surveys.models import SurveyAnswer, SurveyInvitation
from vcdesk.surveys.tests.factories import DAY, HOUR, T0, answer, answers, invite, items


@pytest.fixture
def invitation(org_a):
    return invite(org_a)


def test_answers_are_kept_with_the_time_and_not_applicable_as_no_score(invitation):
    answer(invitation, score=4, training_effect=None, overall=5)

    invitation.refresh_from_db()
    assert invitation.answered_at == T0 + HOUR
    scores = dict(SurveyAnswer.objects.values_list("item__key", "score"))
    assert scores["training_effect"] is None
    assert scores["overall"] == 5
    assert scores["technical_ability"] == 4
    assert len(scores) == 15


def test_a_second_answer_is_refused_and_changes_nothing(invitation):
    answer(invitation, score=5)

    with pytest.raises(services.SurveyAlreadyAnswered):
        answer(invitation, score=1, at=T0 + 2 * HOUR)

    assert set(SurveyAnswer.objects.values_list("score", flat=True)) == {5}
    invitation.refresh_from_db()
    assert invitation.answered_at == T0 + HOUR


def test_a_link_past_its_expiry_is_refused(invitation):
    with pytest.raises(services.SurveyExpired):
        answer(invitation, at=T0 + 30 * DAY)

    assert not SurveyAnswer.objects.exists()
    assert SurveyInvitation.objects.get().answered_at is None


def test_a_link_answers_until_the_last_moment_of_its_thirtieth_day(invitation):
    answer(invitation, at=T0 + 30 * DAY - HOUR)

    assert SurveyAnswer.objects.count() == 15


def test_every_item_must_be_answered_or_marked_not_applicable(invitation):
    partial = answers(invitation)[:-1]

    with time_machine.travel(T0 + HOUR, tick=False):
        with pytest.raises(ValidationError) as refused:
            services.survey_answer(invitation, answers=partial)

    assert "您对产品/系统以及实施过程是否满意" in str(refused.value.message_dict["answers"])
    assert not SurveyAnswer.objects.exists()
    assert SurveyInvitation.objects.get().answered_at is None


@pytest.mark.parametrize("score", [0, 6, -1])
def test_a_score_outside_5_to_1_is_refused_naming_the_answer(invitation, score):
    given = answers(invitation)
    given[2]["score"] = score

    with time_machine.travel(T0 + HOUR, tick=False):
        with pytest.raises(ValidationError) as refused:
            services.survey_answer(invitation, answers=given)

    assert "answers.2.score" in refused.value.message_dict


def test_an_item_of_another_survey_is_refused(invitation, org_a):
    given = answers(invitation)
    given[0]["item"] = 999_999

    with time_machine.travel(T0 + HOUR, tick=False):
        with pytest.raises(ValidationError) as refused:
            services.survey_answer(invitation, answers=given)

    assert "answers.0.item" in refused.value.message_dict


@pytest.mark.django_db(transaction=True)
def test_two_answers_at_the_same_moment_keep_one(org_a):
    invitation = invite(org_a, at=None)
    given = answers(invitation, score=3)
    outcomes: list = []
    barrier = threading.Barrier(2)

    def submit(score: int) -> None:
        try:
            barrier.wait()
            services.survey_answer(invitation, answers=[{**a, "score": score} for a in given])
            outcomes.append("answered")
        except services.SurveyAlreadyAnswered:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=submit, args=(s,)) for s in (2, 4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["answered", "refused"]
    assert SurveyAnswer.objects.count() == len(items(invitation))
    assert SurveyAnswer.objects.values("score").distinct().count() == 1
