"""Findings (R5.3): a problem not fixed on the spot becomes a service record of its fault
class, linked both ways; training given during the visit is recorded (R5.4)."""

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.test import RequestFactory

from vcdesk.inspections import services
from vcdesk.inspections.tests.factories import started
from vcdesk.service.choices import ClockKind, FaultClass, RecordStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def inspection(org_a, field_engineer):
    return started(org_a, engineer=field_engineer.user)


@pytest.fixture
def problem(inspection, field_engineer):
    answer = inspection.answers.get(template_item__code="mcu_diagnostics")
    return services.checklist_answer_record(
        answer, result="problem", note="诊断发现端口板 3 报错", actor=field_engineer.user
    )


def open_finding(inspection, problem, actor, **fields):
    return services.finding_open(
        inspection=inspection,
        answer=problem,
        fault_class=fields.pop("fault_class", FaultClass.PORT),
        description=fields.pop("description", "端口板 3 无法现场修复，需备件"),
        caller_name="张伟",
        caller_phone="13800001111",
        actor=actor,
        **fields,
    )


def test_a_problem_found_becomes_a_service_record_of_its_fault_class_linked_both_ways(
    inspection, problem, field_engineer
):
    finding = open_finding(inspection, problem, field_engineer.user)

    record = finding.service_record
    assert record.fault_class == FaultClass.PORT
    assert record.device == problem.device and record.organisation == inspection.organisation
    assert record.status == RecordStatus.NEW
    assert inspection.number in record.description and "使用管理软件进行诊断" in record.description
    assert "端口板 3 无法现场修复" in record.description
    assert ClockKind.RESPONSE in set(record.clocks.values_list("kind", flat=True))
    # Both ways: inspection → record, record → inspection.
    assert list(inspection.findings.values_list("service_record", flat=True)) == [record.pk]
    assert record.inspection_finding.inspection == inspection
    assert record.inspection_finding.answer == problem


def test_the_record_page_tag_names_the_inspection_it_came_from(
    inspection, problem, field_engineer, contact_of_a, contact_of_b
):
    record = open_finding(inspection, problem, field_engineer.user).service_record
    template = Template("{% load inspections %}{% record_inspection record %}")

    def rendered(user) -> str:
        request = RequestFactory().get("/")
        request.user = user
        return template.render(Context({"request": request, "record": record}))

    assert inspection.number in rendered(field_engineer.user)
    assert f"/inspections/{inspection.pk}/" in rendered(contact_of_a.user)
    assert inspection.number not in rendered(contact_of_b.user)


def test_the_service_record_page_links_back_to_the_inspection(
    inspection, problem, field_engineer, client
):
    record = open_finding(inspection, problem, field_engineer.user).service_record
    client.force_login(field_engineer.user)

    page = client.get(f"/service/{record.pk}/").content.decode()

    assert inspection.number in page and f"/inspections/{inspection.pk}/" in page


def test_an_environment_problem_names_the_device_it_affects(inspection, field_engineer):
    power = inspection.answers.filter(template_item__code="site_power", site__name="中心机房").get()
    services.checklist_answer_record(
        power, result="problem", note="UPS 电池老化", actor=field_engineer.user
    )
    mcu = inspection.answers.get(template_item__code="mcu_error_log").device

    with pytest.raises(ValidationError) as refused:
        open_finding(inspection, power, field_engineer.user, fault_class=FaultClass.FULL_OUTAGE)
    assert "device" in refused.value.message_dict

    finding = open_finding(
        inspection, power, field_engineer.user, device=mcu, fault_class=FaultClass.FULL_OUTAGE
    )
    assert finding.service_record.device == mcu


def test_only_a_problem_item_becomes_a_finding(inspection, field_engineer):
    answer = inspection.answers.first()
    services.checklist_answer_record(answer, result="ok", actor=field_engineer.user)

    with pytest.raises(ValidationError) as refused:
        open_finding(inspection, answer, field_engineer.user)

    assert "answer" in refused.value.message_dict


def test_a_device_of_another_contract_is_refused(inspection, problem, field_engineer, org_b):
    from vcdesk.assets.tests.factories import DeviceFactory
    from vcdesk.customers.tests.factories import SiteFactory

    other = DeviceFactory(site=SiteFactory(organisation=org_b))

    with pytest.raises(ValidationError) as refused:
        open_finding(inspection, None, field_engineer.user, device=other)

    assert "device" in refused.value.message_dict


def test_training_given_during_the_visit_is_recorded(inspection, field_engineer):
    training = services.training_record(
        inspection=inspection,
        topic="MCU 会议模板的使用与多画面设置",
        attendees="李娜、王强、赵敏",
        attendee_count=3,
        duration_minutes=45,
        actor=field_engineer.user,
    )

    assert list(inspection.trainings.all()) == [training]
    assert training.recorded_by == field_engineer.user


def test_training_needs_a_topic_and_at_least_one_attendee(inspection, field_engineer):
    with pytest.raises(ValidationError) as refused:
        services.training_record(
            inspection=inspection,
            topic=" ",
            attendees="李娜",
            attendee_count=0,
            duration_minutes=30,
            actor=field_engineer.user,
        )

    assert {"topic", "attendee_count"} <= set(refused.value.message_dict)
