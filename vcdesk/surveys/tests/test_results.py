"""Scores roll up per item, section, engineer, organisation and period; "not applicable"
never counts as a score (R9.1)."""

import pytest
from django.utils import translation

from vcdesk.surveys.choices import ResultGrouping
from vcdesk.surveys.selectors import answer_visible, overall_average, survey_results
from vcdesk.surveys.tests.factories import DAY, T0, answer, invite


def rows(user, group_by, **filters):
    """The groups by their label as the Chinese pages show it."""
    answers = answer_visible(user=user).filter(**filters)
    with translation.override("zh-hans"):
        return {r.label: r for r in survey_results(answers, group_by=group_by)}


@pytest.fixture
def answered(org_a, org_b, field_engineer, support_engineer):
    """Org A: two surveys of the field engineer (5s and 3s, training not applicable in
    one); org B: one of the support engineer, all 1s, a month later."""
    a1 = invite(org_a, engineers=[field_engineer.user])
    answer(a1, score=5, training_effect=None, user_manual=None)
    a2 = invite(org_a, engineers=[field_engineer.user])
    answer(a2, score=3)
    b = invite(org_b, at=T0 + 30 * DAY, engineers=[support_engineer.user])
    answer(b, score=1, at=T0 + 31 * DAY)


def test_not_applicable_is_left_out_of_the_averages_and_counted_apart(answered, service_manager):
    by_item = rows(
        service_manager.user, ResultGrouping.ITEM, invitation__organisation__name="北京广播电视台"
    )

    training = by_item["技术培训效果"]
    assert training.average == 3.0  # only the 3; the N/A is not a zero
    assert training.scores == 1
    assert training.not_applicable == 1
    assert by_item["技术能力"].average == 4.0


def test_a_section_averages_every_score_given_in_it(answered, service_manager):
    by_section = rows(service_manager.user, ResultGrouping.SECTION)

    training = by_section["客户培训/应用指导"]
    assert (training.average, training.scores, training.not_applicable) == (2.0, 4, 2)
    assert list(by_section)[0] == "产品功能"  # in the survey's order


def test_scores_roll_up_per_engineer_and_per_organisation(
    answered, service_manager, field_engineer, support_engineer
):
    by_engineer = rows(service_manager.user, ResultGrouping.ENGINEER)
    by_organisation = rows(service_manager.user, ResultGrouping.ORGANISATION)

    # 13 fives (two items not applicable) and 15 threes: 110 / 28
    assert by_engineer[str(field_engineer.user)].average == 3.93
    assert by_engineer[str(field_engineer.user)].surveys == 2
    assert by_engineer[str(support_engineer.user)].average == 1.0
    assert by_organisation["北京广播电视台"].average == 3.93
    assert by_organisation["上海浦东发展银行"].average == 1.0


def test_scores_roll_up_per_month_quarter_and_year_in_beijing_time(answered, service_manager):
    by_month = rows(service_manager.user, ResultGrouping.MONTH)
    by_quarter = rows(service_manager.user, ResultGrouping.QUARTER)
    by_year = rows(service_manager.user, ResultGrouping.YEAR)

    assert list(by_month) == ["2026-03", "2026-04"]
    assert by_month["2026-04"].average == 1.0
    assert list(by_quarter) == ["2026-Q1", "2026-Q2"]
    assert by_year["2026"].surveys == 3


def test_a_customer_contact_rolls_up_their_own_organisations_scores_only(answered, contact_of_b):
    figures = overall_average(answer_visible(user=contact_of_b.user))

    assert figures["average"] == 1.0
    assert figures["surveys"] == 1
