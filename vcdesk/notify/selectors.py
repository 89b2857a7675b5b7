"""Who belongs to which team, for resolving an escalation level's audience."""

from django.contrib.auth import get_user_model

from vcdesk.notify.models import Team


def head_of_service_team_ids() -> frozenset[int]:
    return frozenset(Team.objects.filter(is_head_of_service=True).values_list("pk", flat=True))


def head_of_service_user_ids() -> frozenset[int]:
    """Active members of the teams flagged as head of service."""
    return frozenset(
        get_user_model()
        .objects.filter(is_active=True, notify_teams__is_head_of_service=True)
        .values_list("pk", flat=True)
    )
