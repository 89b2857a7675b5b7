"""Surveys at contract milestones: each anniversary of acceptance and the end of the
warranty, swept once each from a stored date (R9.1)."""

import datetime as dt

import pytest

from vcdesk.contracts.tests.factories import ContractFactory
from vcdesk.surveys.choices import InvitationTrigger
from vcdesk.surveys.models import ContractSurveySchedule, MilestoneKind, SurveyInvitation
from vcdesk.surveys.services import next_milestone, survey_milestones_sweep

D = dt.date


@pytest.mark.parametrize(
    "on_or_after, expected",
    [
        (D(2025, 3, 2), (D(2026, 3, 1), MilestoneKind.ANNIVERSARY)),
        (D(2026, 3, 1), (D(2026, 3, 1), MilestoneKind.ANNIVERSARY)),
        (D(2026, 3, 2), (D(2027, 3, 1), MilestoneKind.ANNIVERSARY)),
        (D(2027, 3, 2), (D(2028, 3, 1), MilestoneKind.WARRANTY_END)),
        (D(2028, 3, 2), (D(2029, 3, 1), MilestoneKind.ANNIVERSARY)),
    ],
)
def test_the_next_milestone_is_an_anniversary_or_the_warrantys_end_on_the_same_day(
    on_or_after, expected
):
    found = next_milestone(
        accepted_on=D(2025, 3, 1),
        warranty_ends_on=D(2028, 3, 1),
        on_or_after=on_or_after,
        anniversaries=True,
        warranty_end=True,
    )

    assert found == expected


def test_with_anniversaries_off_only_the_warrantys_end_is_a_milestone():
    kwargs = {"accepted_on": D(2025, 3, 1), "warranty_ends_on": D(2028, 3, 1)}

    assert next_milestone(
        **kwargs, on_or_after=D(2026, 1, 1), anniversaries=False, warranty_end=True
    ) == (
        D(2028, 3, 1),
        MilestoneKind.WARRANTY_END,
    )
    assert (
        next_milestone(**kwargs, on_or_after=D(2028, 3, 2), anniversaries=False, warranty_end=True)
        is None
    )


@pytest.fixture
def contract(org_a, contact_of_a):
    contact_of_a.user.email = "contact@example.cn"
    contact_of_a.user.save()
    return ContractFactory(organisation=org_a, accepted_on=D(2025, 3, 1), warranty_years=3)


def test_an_anniversary_invites_once_however_often_the_sweep_runs(contract):
    assert survey_milestones_sweep(today=D(2026, 2, 20)) == 0
    assert ContractSurveySchedule.objects.get(contract=contract).next_on == D(2026, 3, 1)

    assert survey_milestones_sweep(today=D(2026, 3, 1)) == 1
    assert survey_milestones_sweep(today=D(2026, 3, 1)) == 0
    assert survey_milestones_sweep(today=D(2026, 3, 5)) == 0

    invitation = SurveyInvitation.objects.get()
    assert invitation.trigger == InvitationTrigger.CONTRACT_ANNIVERSARY
    assert invitation.milestone_on == D(2026, 3, 1)
    assert invitation.contract == contract
    assert invitation.contract_name == contract.number
    assert invitation.recipient_email == "contact@example.cn"
    assert ContractSurveySchedule.objects.get().next_on == D(2027, 3, 1)


def test_the_end_of_the_warranty_invites_as_such(contract):
    survey_milestones_sweep(today=D(2027, 3, 2))  # scheduled from then on: 2028-03-01

    assert survey_milestones_sweep(today=D(2028, 3, 1)) == 1

    assert SurveyInvitation.objects.get().trigger == InvitationTrigger.WARRANTY_END


def test_a_milestone_missed_for_long_is_skipped_not_sent_late(contract):
    survey_milestones_sweep(today=D(2026, 2, 20))

    assert survey_milestones_sweep(today=D(2026, 6, 1)) == 0
    assert not SurveyInvitation.objects.exists()
    assert ContractSurveySchedule.objects.get().next_on == D(2027, 3, 1)


def test_milestone_surveys_can_be_switched_off(contract, settings):
    settings.VCDESK_SURVEY_ON_ANNIVERSARY = False
    settings.VCDESK_SURVEY_ON_WARRANTY_END = False

    assert survey_milestones_sweep(today=D(2026, 3, 1)) == 0
    assert not ContractSurveySchedule.objects.exists()
