"""The inspection pages without a browser: the list, an inspection's page, the checklist
form, the finding, training and completion forms, the manager's reschedule form and the
calendar of inspections and meeting assurance bookings."""

import datetime as dt
import re

import pytest
import time_machine

from vcdesk.inspections.models import Inspection
from vcdesk.inspections.tests.factories import HOUR, T0, answer_all, planned, started
from vcdesk.service.models import ServiceRecord

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _at_t0():
    with time_machine.travel(T0, tick=False):
        yield


def test_the_list_shows_open_inspections_and_marks_the_overdue(
    client, service_manager, org_a, org_b
):
    due = planned(org_a)
    late = planned(org_b, suffix="B", per_year=2)  # due 2025-11-30 and 2026-05-31
    client.force_login(service_manager.user)

    page = client.get("/inspections/").content.decode()
    overdue = client.get("/inspections/?tab=overdue").content.decode()

    assert due.number in page and late.number in page
    assert re.search(rf'data-inspection="{late.number}" class="row-bad"', page)
    assert late.number in overdue and due.number not in overdue


def test_a_field_engineer_finds_their_own_under_mine(client, field_engineer, org_a, org_b):
    mine = planned(org_a, engineer=field_engineer.user)
    other = planned(org_b, suffix="B")
    Inspection.objects.filter(pk=other.pk).update(engineer=None)
    client.force_login(field_engineer.user)

    page = client.get("/inspections/?tab=mine").content.decode()

    assert mine.number in page and other.number not in page


def test_the_engineer_starts_and_fills_one_unit_at_a_time(client, field_engineer, org_a):
    inspection = planned(org_a, engineer=field_engineer.user)
    client.force_login(field_engineer.user)

    response = client.post(f"/inspections/{inspection.pk}/start/")
    assert response.status_code == 302
    assert response["Location"] == f"/inspections/{inspection.pk}/checklist/"
    first_unit = inspection.answers.filter(site__name="一号会议室", device=None)
    page = client.get(f"/inspections/{inspection.pk}/checklist/").content.decode()
    assert "Power supply and grounding" in page  # the English label: the browser asks for en

    data = {f"result-{a.pk}": "ok" for a in first_unit}
    problem = first_unit.get(template_item__code="site_network")
    data[f"result-{problem.pk}"] = "problem"  # …without a note
    response = client.post(f"/inspections/{inspection.pk}/checklist/?unit=0", data)
    assert response.status_code == 200
    assert "Describe the problem." in response.content.decode()

    data[f"note-{problem.pk}"] = "交换机端口协商为半双工"
    response = client.post(f"/inspections/{inspection.pk}/checklist/?unit=0", data)
    assert response.status_code == 302
    assert response["Location"].endswith("?unit=1")
    assert sorted(first_unit.values_list("result", flat=True)) == ["ok", "ok", "problem"]


def test_a_problem_is_passed_on_from_the_finding_form(client, field_engineer, org_a):
    inspection = started(org_a, engineer=field_engineer.user)
    answer = inspection.answers.get(template_item__code="mcu_error_log")
    from vcdesk.inspections import services

    services.checklist_answer_record(
        answer, result="problem", note="主控板重复告警", actor=field_engineer.user
    )
    client.force_login(field_engineer.user)

    form = client.get(f"/inspections/{inspection.pk}/findings/new/?answer={answer.pk}")
    assert "主控板重复告警" in form.content.decode()
    response = client.post(
        f"/inspections/{inspection.pk}/findings/new/",
        {
            "answer": answer.pk,
            "device": answer.device_id,
            "fault_class": "main_module",
            "description": "主控板重复告警，需更换",
            "caller_name": "张伟",
            "caller_phone": "13800001111",
        },
    )

    assert response.status_code == 302
    record = ServiceRecord.objects.get()
    page = client.get(f"/inspections/{inspection.pk}/").content.decode()
    assert record.number in page and f"/service/{record.pk}/" in page


def test_training_and_completion_from_the_pages(client, field_engineer, org_a):
    inspection = started(org_a, engineer=field_engineer.user)
    client.force_login(field_engineer.user)

    refused = client.post(
        f"/inspections/{inspection.pk}/complete/", {"summary": "正常"}, follow=True
    )
    assert "17 checklist items are not answered yet." in refused.content.decode()

    client.post(
        f"/inspections/{inspection.pk}/trainings/new/",
        {"topic": "多画面", "attendees": "李娜", "attendee_count": 1, "duration_minutes": 30},
    )
    with time_machine.travel(T0 + 3 * HOUR, tick=False):
        answer_all(inspection, actor=field_engineer.user)
        response = client.post(
            f"/inspections/{inspection.pk}/complete/",
            {"summary": "系统运行正常", "customer_representative": "张伟"},
        )

    assert response.status_code == 302, response.content.decode()
    page = client.get(f"/inspections/{inspection.pk}/").content.decode()
    assert 'data-testid="report"' in page and "多画面" in page


def test_the_manager_moves_an_inspection_with_a_reason(
    client, service_manager, support_engineer, org_a
):
    inspection = planned(org_a)
    client.force_login(service_manager.user)
    url = f"/inspections/{inspection.pk}/reschedule/"

    without_reason = client.post(url, {"due_on": "2026-04-20", "method": "on_site"})
    response = client.post(
        url,
        {
            "due_on": "2026-04-20",
            "method": "on_site",
            "engineer": support_engineer.user.pk,
            "reason": "客户年中大会前完成",
        },
    )

    assert without_reason.status_code == 200 and "field-error" in without_reason.content.decode()
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert (inspection.due_on, inspection.engineer) == (dt.date(2026, 4, 20), support_engineer.user)
    page = client.get(f"/inspections/{inspection.pk}/").content.decode()
    assert "客户年中大会前完成" in page and "2026-05-31 → 2026-04-20" in page


def test_only_a_manager_opens_the_reschedule_form(client, field_engineer, org_a):
    inspection = planned(org_a, engineer=field_engineer.user)
    client.force_login(field_engineer.user)

    assert client.get(f"/inspections/{inspection.pk}/reschedule/").status_code == 403


def test_the_calendar_shows_a_month_of_inspections_monday_first(client, service_manager, org_a):
    inspection = planned(org_a)
    client.force_login(service_manager.user)

    page = client.get("/calendar/?month=2026-05").content.decode()

    assert 'data-testid="month">2026-05<' in page
    cell = re.search(r'data-day="2026-05-31">(.*?)</td>', page, re.S).group(1)
    assert inspection.number in cell
    # May 2026 starts on a Friday: the grid starts on Monday 27 April.
    assert page.index('data-day="2026-04-27"') < page.index('data-day="2026-05-01"')
    assert client.get("/calendar/?month=garbage").status_code == 200


def test_the_calendar_shows_meeting_assurance_bookings_too(client, service_manager, org_a):
    pytest.importorskip("vcdesk.assurance.selectors")
    factories = pytest.importorskip("vcdesk.assurance.tests.factories")
    contract, sites = factories.contract_with_sites(org_a)
    booking = factories.book(
        contract,
        sites,
        actor=service_manager.user,
        starts_at=factories.beijing(2026, 3, 20, 9),
        title="全省视频工作会议",
    )
    client.force_login(service_manager.user)

    page = client.get("/calendar/?month=2026-03").content.decode()

    cell = re.search(r'data-day="2026-03-20">(.*?)</td>', page, re.S).group(1)
    assert "全省视频工作会议" in cell and f'data-booking="{booking.pk}"' in cell
