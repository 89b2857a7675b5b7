"""Reads of customer issue records and feedback records, scoped to what the user may see
(tenancy): a customer contact sees their own organisation's; another organisation's
answers 404."""

from django.db.models import Prefetch, QuerySet

from vcdesk.core.tenancy import scope_to_user
from vcdesk.feedback.models import FeedbackRecord, IssueAttachment, IssueRecord, SupervisionEntry


def issue_visible(*, user) -> QuerySet[IssueRecord]:
    """Issues newest first, with their feedback record in the same query."""
    return scope_to_user(
        IssueRecord.objects.select_related(
            "organisation", "recorder", "specialist", "service_record", "feedback"
        ),
        user=user,
        organisation_path="organisation_id",
    )


def issue_detail(*, user, pk: int) -> IssueRecord | None:
    return (
        issue_visible(user=user)
        .prefetch_related(
            Prefetch(
                "supervision", queryset=SupervisionEntry.objects.select_related("recorded_by")
            ),
            Prefetch("attachments", queryset=IssueAttachment.objects.select_related("uploaded_by")),
        )
        .select_related("feedback__customer_opinion_by")
        .filter(pk=pk)
        .first()
    )


def feedback_visible(*, user) -> QuerySet[FeedbackRecord]:
    return scope_to_user(
        FeedbackRecord.objects.select_related(
            "issue__organisation", "issue__specialist", "customer_opinion_by"
        ),
        user=user,
        organisation_path="issue__organisation_id",
    )


def attachment_visible(*, user) -> QuerySet[IssueAttachment]:
    return scope_to_user(
        IssueAttachment.objects.select_related("record"),
        user=user,
        organisation_path="record__organisation_id",
    )
