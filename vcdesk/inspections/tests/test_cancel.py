"""Cancelling an inspection: a service manager says why; the visit of that contract year is
then not done — never planned again, never reminded of nor told overdue, shown as
cancelled (已取消) in the lists, the calendar and the API, and left out of the customer's
visits to come. A completed or already cancelled inspection cannot be cancelled (409)."""

import datetime as dt
import re

import pytest
import time_machine
from django.core.exceptions import ValidationError

from vcdesk.core.api import MAX_ID
from vcdesk.inspections import services
from vcdesk.inspections.choices import InspectionEventType, InspectionStatus
from vcdesk.inspections.models import Inspection, InspectionPlan
from vcdesk.inspections.sweep import inspections_sweep
from vcdesk.inspections.tests.factories import HOUR, T0, completed, planned, started
from vcdesk.notify.models import Notification

pytestmark = pytest.mark.django_db

URL = "/api/v1/inspections"
REASON = "客户单位搬迁，该场地设备已拆除"


@pytest.fixture(autouse=True)
def _at_t0():
    with time_machine.travel(T0, tick=False):
        yield


def beijing(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def cancel(inspection: Inspection, who, reason: str = REASON) -> Inspection:
    return services.inspection_cancel(inspection, reason=reason, actor=who.user)


def unchanged(inspection: Inspection) -> tuple:
    inspection.refresh_from_db()
    return (
        inspection.cancelled_at,
        inspection.cancel_reason,
        inspection.events.count(),
        inspection.history.count(),
    )


# --- the service --------------------------------------------------------------------------------


def test_a_manager_cancels_with_a_reason_kept_on_the_inspection_its_timeline_and_history(
    service_manager, field_engineer, org_a
):
    inspection = planned(org_a, engineer=field_engineer.user)

    cancel(inspection, service_manager)

    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.CANCELLED
    assert inspection.cancelled_at == T0
    assert inspection.cancelled_by == service_manager.user
    assert inspection.cancel_reason == REASON
    event = inspection.events.get(type=InspectionEventType.CANCELLED)
    assert (event.at, event.actor, event.reason) == (T0, service_manager.user, REASON)
    latest = inspection.history.order_by("-history_date", "-history_id").first()
    assert latest.cancelled_at == T0 and latest.cancel_reason == REASON
    assert latest.history_user == service_manager.user
    assert latest.history_change_reason == REASON
    assert inspection.history.order_by("history_date", "history_id").first().cancelled_at is None


def test_an_inspection_under_way_may_be_cancelled_too(service_manager, field_engineer, org_a):
    inspection = started(org_a, engineer=field_engineer.user)

    cancel(inspection, service_manager)

    inspection.refresh_from_db()
    assert inspection.status == InspectionStatus.CANCELLED
    assert Inspection.objects.with_status(InspectionStatus.IN_PROGRESS).count() == 0


@pytest.mark.parametrize("reason", ["", "   \n "])
def test_cancelling_needs_a_reason(service_manager, org_a, reason):
    inspection = planned(org_a)
    before = unchanged(inspection)

    with pytest.raises(ValidationError) as refused:
        cancel(inspection, service_manager, reason=reason)

    assert refused.value.message_dict == {"reason": ["Say why the inspection is cancelled."]}
    assert unchanged(inspection) == before


def test_a_completed_inspection_cannot_be_cancelled(service_manager, field_engineer, org_a):
    inspection = completed(org_a, engineer=field_engineer.user)
    before = unchanged(inspection)

    with pytest.raises(services.InspectionRefused, match="completed; its report is archived"):
        cancel(inspection, service_manager)

    assert unchanged(inspection) == before
    assert inspection.status == InspectionStatus.COMPLETED


def test_cancelling_twice_is_refused_and_the_first_reason_stays(service_manager, org_a):
    inspection = planned(org_a)
    cancel(inspection, service_manager)
    before = unchanged(inspection)

    with pytest.raises(services.InspectionRefused, match="already cancelled"):
        cancel(inspection, service_manager, reason="另一个原因")

    assert unchanged(inspection) == before
    assert inspection.cancel_reason == REASON


def test_a_cancelled_inspection_is_neither_started_moved_nor_filled_in(
    service_manager, field_engineer, org_a, org_b
):
    waiting = planned(org_a, engineer=field_engineer.user)
    under_way = started(org_b, engineer=field_engineer.user, suffix="B")
    cancel(waiting, service_manager)
    cancel(under_way, service_manager)
    answer = under_way.answers.first()

    with pytest.raises(services.InspectionRefused, match="cancelled"):
        services.inspection_start(waiting, actor=field_engineer.user)
    with pytest.raises(services.InspectionRefused, match="cancelled"):
        services.inspection_reschedule(
            waiting, due_on=dt.date(2026, 4, 30), reason="改期", actor=service_manager.user
        )
    with pytest.raises(services.InspectionRefused, match="cancelled"):
        services.checklist_answer_record(answer, result="ok", actor=field_engineer.user)
    with pytest.raises(services.InspectionRefused, match="cancelled"):
        services.inspection_complete(under_way, summary="正常", actor=field_engineer.user)


def test_the_assigned_engineer_is_told_in_chinese(service_manager, field_engineer, org_a):
    field_engineer.user.email = "field@vcdesk.example"
    field_engineer.user.save()
    inspection = planned(org_a, engineer=field_engineer.user)

    cancel(inspection, service_manager)

    [notice] = Notification.objects.all()
    assert notice.recipient == "field@vcdesk.example"
    assert notice.subject.startswith(f"【巡检取消】{inspection.number} 现场巡检")
    assert REASON in notice.body


# --- the sweep and planning ---------------------------------------------------------------------


def test_a_cancelled_inspection_gets_no_reminder_and_no_overdue_notice(service_manager, org_a):
    inspection = planned(org_a)  # due 2026-05-31: reminded on 05-24, overdue from 06-01
    cancel(inspection, service_manager)

    reminded = inspections_sweep(now=beijing(2026, 5, 24, 9))
    overdue = inspections_sweep(now=beijing(2026, 6, 2, 9))

    assert reminded["reminded"] == 0 and overdue["overdue"] == 0
    assert not Notification.objects.exists()
    assert not inspection.events.filter(
        type__in=[InspectionEventType.REMINDED, InspectionEventType.OVERDUE_NOTICE]
    ).exists()
    assert not Inspection.objects.overdue_on(dt.date(2026, 6, 2)).exists()


def test_an_inspection_cancelled_after_its_reminder_is_not_told_overdue(service_manager, org_a):
    inspection = planned(org_a)
    assert inspections_sweep(now=beijing(2026, 5, 24, 9))["reminded"] == 1
    cancel(inspection, service_manager)
    Notification.objects.all().delete()

    assert inspections_sweep(now=beijing(2026, 6, 2, 9))["overdue"] == 0
    assert not Notification.objects.exists()


def test_planning_again_does_not_recreate_a_cancelled_inspection(api, service_manager, org_a):
    inspection = planned(org_a, per_year=2)
    cancel(inspection, service_manager)

    again = services.inspection_plans_ensure(contract=inspection.contract_id)
    swept = inspections_sweep(now=beijing(2026, 3, 11, 9))
    generated = api.post(
        "/api/v1/inspection-plans/generate", service_manager, {"contract": inspection.contract_id}
    )

    assert again == [] and swept["planned"] == 0 and generated.json() == []
    assert Inspection.objects.filter(plan=inspection.plan).count() == 2
    plan = api.get(f"/api/v1/inspection-plans/{inspection.plan_id}", service_manager).json()
    assert (plan["inspections_planned"], plan["inspections_done"]) == (2, 0)
    assert plan["inspections_cancelled"] == 1
    assert InspectionPlan.objects.get().inspections_planned == 2


# --- the API ------------------------------------------------------------------------------------


def test_the_api_cancels_with_a_reason(api, service_manager, org_a):
    inspection = planned(org_a)

    response = api.post(f"{URL}/{inspection.pk}/cancel", service_manager, {"reason": REASON})

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "cancelled" and body["overdue"] is False
    assert body["cancel_reason"] == REASON and body["cancelled_by"] == service_manager.user.pk
    assert body["cancelled_at"] is not None
    assert [(e["type"], e["reason"]) for e in body["events"]][-1] == ("cancelled", REASON)
    listed = api.get(URL, service_manager, status="cancelled").json()
    assert [i["id"] for i in listed["items"]] == [inspection.pk]
    assert api.get(URL, service_manager, status="planned").json()["count"] == 0


@pytest.mark.parametrize("payload", [{}, {"reason": ""}, {"reason": "  "}])
def test_the_api_answers_422_naming_the_reason_when_it_is_missing(
    api, service_manager, org_a, payload
):
    inspection = planned(org_a)

    response = api.post(f"{URL}/{inspection.pk}/cancel", service_manager, payload)

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "reason"
    inspection.refresh_from_db()
    assert inspection.cancelled_at is None


def test_the_api_answers_409_for_a_completed_or_cancelled_inspection(
    api, service_manager, field_engineer, org_a, org_b
):
    done = completed(org_a, engineer=field_engineer.user)
    gone = planned(org_b, suffix="B")
    cancel(gone, service_manager)
    before = unchanged(done), unchanged(gone)

    with time_machine.travel(T0 + 3 * HOUR, tick=False):
        to_done = api.post(f"{URL}/{done.pk}/cancel", service_manager, {"reason": "x"})
        to_gone = api.post(f"{URL}/{gone.pk}/cancel", service_manager, {"reason": "x"})

    assert (to_done.status_code, to_gone.status_code) == (409, 409)
    assert "report is archived" in to_done.json()["detail"]
    assert to_gone.json()["detail"] == "The inspection is already cancelled."
    assert (unchanged(done), unchanged(gone)) == before


def test_only_a_service_manager_cancels(
    api, field_engineer, duty_officer, contact_of_a, contact_of_b, org_a
):
    inspection = planned(org_a, engineer=field_engineer.user)
    url = f"{URL}/{inspection.pk}/cancel"

    answers = [
        api.post(url, who, {"reason": "x"}).status_code
        for who in (field_engineer, duty_officer, contact_of_a, contact_of_b)
    ]

    assert answers == [403, 403, 403, 404]
    inspection.refresh_from_db()
    assert inspection.cancelled_at is None


def test_an_id_beyond_64_bits_is_bad_input_not_a_server_error(api, service_manager):
    response = api.post(f"{URL}/{MAX_ID + 1}/cancel", service_manager, {"reason": "x"})

    assert response.status_code == 422
    assert api.get(f"{URL}/{MAX_ID + 1}", service_manager).status_code == 422


def test_the_cancel_operation_is_documented(client):
    operation = client.get("/api/v1/openapi.json").json()["paths"][
        "/api/v1/inspections/{inspection_id}/cancel"
    ]["post"]

    assert operation["operationId"] == "inspections_cancel"
    assert {"200", "403", "404", "409", "422"} <= set(operation["responses"])
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert schema["$ref"].endswith("/InspectionCancelIn")  # not meeting assurance's CancelIn


# --- the pages ----------------------------------------------------------------------------------


def test_the_manager_cancels_from_the_inspection_page_after_confirming(
    client, service_manager, org_a
):
    inspection = planned(org_a, per_year=2)
    client.force_login(service_manager.user)
    url = f"/inspections/{inspection.pk}/cancel/"

    detail = client.get(f"/inspections/{inspection.pk}/").content.decode()
    confirm = client.get(url).content.decode()
    without_reason = client.post(url, {"reason": " "}).content.decode()
    response = client.post(url, {"reason": REASON})

    assert f'href="{url}" data-testid="cancel"' in detail
    assert "the year still counts 2 inspections" in confirm
    assert f'href="/inspections/{inspection.pk}/reschedule/" data-testid="alternative"' in confirm
    assert "Keep the inspection" in confirm
    assert 'id="id_reason_error"' in without_reason
    assert response.status_code == 302 and response["Location"] == f"/inspections/{inspection.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert 'data-status="cancelled"' in page and REASON in page
    assert 'data-testid="cancel"' not in page and 'data-testid="reschedule"' not in page
    assert 'data-event="cancelled"' in page


def test_the_page_says_cancelled_in_chinese(client, service_manager, org_a):
    inspection = planned(org_a)
    cancel(inspection, service_manager)
    client.force_login(service_manager.user)

    page = client.get(f"/inspections/{inspection.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert "已取消" in page.content.decode()


def test_only_a_manager_opens_the_cancel_form(client, field_engineer, duty_officer, org_a):
    inspection = planned(org_a, engineer=field_engineer.user)

    for who in (field_engineer, duty_officer):
        client.force_login(who.user)
        assert client.get(f"/inspections/{inspection.pk}/cancel/").status_code == 403
        page = client.get(f"/inspections/{inspection.pk}/").content.decode()
        assert 'data-testid="cancel"' not in page


def test_cancelling_a_completed_inspection_from_its_page_says_why(
    client, service_manager, field_engineer, org_a
):
    inspection = completed(org_a, engineer=field_engineer.user)
    client.force_login(service_manager.user)

    response = client.post(f"/inspections/{inspection.pk}/cancel/", {"reason": "x"}, follow=True)

    assert "report is archived" in response.content.decode()
    inspection.refresh_from_db()
    assert inspection.cancelled_at is None


def test_the_engineer_cannot_fill_in_the_checklist_of_a_cancelled_inspection(
    client, service_manager, field_engineer, org_a
):
    inspection = started(org_a, engineer=field_engineer.user)
    cancel(inspection, service_manager)
    answer = inspection.answers.first()
    client.force_login(field_engineer.user)

    detail = client.get(f"/inspections/{inspection.pk}/").content.decode()
    response = client.post(
        f"/inspections/{inspection.pk}/checklist/?unit=0", {f"result-{answer.pk}": "ok"}
    )

    assert 'data-testid="fill"' not in detail and 'data-testid="start"' not in detail
    assert response.status_code == 302
    answer.refresh_from_db()
    assert answer.result == ""


def test_the_lists_leave_a_cancelled_inspection_out_of_the_open_ones_and_show_it_cancelled(
    client, service_manager, org_a, org_b
):
    kept = planned(org_a)
    gone = planned(org_b, suffix="B", per_year=2)  # the first was due 2025-11-30: overdue
    cancel(gone, service_manager)
    client.force_login(service_manager.user)

    open_ones = client.get("/inspections/").content.decode()
    overdue = client.get("/inspections/?tab=overdue").content.decode()
    cancelled = client.get("/inspections/?tab=cancelled").content.decode()
    everything = client.get("/inspections/?tab=all").content.decode()

    assert kept.number in open_ones and gone.number not in open_ones
    assert gone.number not in overdue
    assert gone.number in cancelled and kept.number not in cancelled
    assert re.search(rf'data-inspection="{gone.number}" class="row-cancelled"', everything)


def test_the_calendar_shows_a_cancelled_inspection_struck_out(client, service_manager, org_a):
    inspection = planned(org_a)
    cancel(inspection, service_manager)
    client.force_login(service_manager.user)

    page = client.get("/calendar/?month=2026-05").content.decode()

    cell = re.search(r'data-day="2026-05-31">(.*?)</td>', page, re.S).group(1)
    assert re.search(
        rf'class="ev inspection cancelled"[^>]*data-inspection="{inspection.number}"', cell
    )
