"""Before, during and after the meeting: checks and rehearsal, the spare kit, the engineer's
check-in, incidents (which can open service records) and the outcome."""

from datetime import timedelta

import pytest
import time_machine

from vcdesk.assurance import services
from vcdesk.assurance.choices import BookingStatus, CheckKind, CheckResult, Outcome
from vcdesk.assurance.models import Booking
from vcdesk.assurance.selectors import booking_detail, bookings_between
from vcdesk.assurance.services import BookingRefused
from vcdesk.assurance.tests.factories import beijing, book, contract_with_sites, senior_engineer
from vcdesk.core.history import HISTORY_TYPES, history_entries
from vcdesk.customers.tests.factories import SiteFactory
from vcdesk.service.choices import ClockKind, FaultClass
from vcdesk.service.models import Clock
from vcdesk.spares.services import stock_receive
from vcdesk.spares.tests.factories import PartModelFactory, WarehouseFactory

pytestmark = pytest.mark.django_db

NOW = beijing(2026, 3, 10, 9, 0)
START = beijing(2026, 3, 12, 9, 0)


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def meeting(clock, org_a, duty_officer):
    contract, sites = contract_with_sites(org_a, n_sites=2)
    booking = book(contract, sites, actor=duty_officer.user, starts_at=START, hours=3)
    chen = senior_engineer("chen", full_name="陈志强")
    services.booking_assign(booking, actor=duty_officer.user, engineers=[chen])
    return booking, sites, chen


def test_every_site_is_checked_and_the_flow_rehearsed_with_who_when_and_result(meeting):
    booking, sites, chen = meeting

    for site in sites:
        services.check_record(
            booking, kind=CheckKind.DEVICE_CHECK, site=site, result="passed", actor=chen
        )
    services.check_record(
        booking, kind=CheckKind.REHEARSAL, result="problem", note="回声", actor=chen
    )

    checks = list(booking.checks.order_by("id"))
    assert [(c.kind, c.site, c.result) for c in checks] == [
        (CheckKind.DEVICE_CHECK, sites[0], CheckResult.PASSED),
        (CheckKind.DEVICE_CHECK, sites[1], CheckResult.PASSED),
        (CheckKind.REHEARSAL, None, CheckResult.PROBLEM),
    ]
    assert {(c.checked_by, c.checked_at) for c in checks} == {(chen, NOW)}


def test_a_site_that_does_not_take_part_cannot_be_checked(meeting, org_a):
    booking, _sites, chen = meeting
    elsewhere = SiteFactory(organisation=org_a)

    with pytest.raises(services.ValidationError) as refused:
        services.check_record(
            booking, kind=CheckKind.DEVICE_CHECK, site=elsewhere, result="passed", actor=chen
        )
    assert "site" in refused.value.message_dict


def test_the_assigned_engineer_checks_in_from_four_hours_before_the_start(meeting, clock):
    booking, _sites, chen = meeting

    clock.move_to(START - timedelta(hours=5))
    with pytest.raises(BookingRefused, match="签到时间为"):
        services.booking_check_in(booking, engineer=chen, actor=chen)
    clock.move_to(START - timedelta(hours=1))
    assignment = services.booking_check_in(booking, engineer=chen, actor=chen)

    assert assignment.checked_in_at == START - timedelta(hours=1)
    assert booking_detail(user=chen, pk=booking.pk).status == BookingStatus.UNDER_WAY
    with pytest.raises(BookingRefused, match="已于 .* 签到"):
        services.booking_check_in(booking, engineer=chen, actor=chen)


def test_an_engineer_not_on_the_meeting_cannot_check_in(meeting, clock):
    booking, _sites, _chen = meeting
    wang = senior_engineer("wang")
    clock.move_to(START)

    with pytest.raises(services.ValidationError) as refused:
        services.booking_check_in(booking, engineer=wang, actor=wang)
    assert "engineer" in refused.value.message_dict


def test_an_engineer_who_checked_in_stays_on_the_meeting(meeting, clock, duty_officer):
    booking, _sites, chen = meeting
    clock.move_to(START)
    services.booking_check_in(booking, engineer=chen, actor=chen)

    with pytest.raises(BookingRefused):
        services.booking_release_engineer(booking, engineer=chen, actor=duty_officer.user)


def test_an_incident_opens_a_service_record_linked_both_ways(meeting, clock):
    booking, sites, chen = meeting
    device = sites[1].devices.get()
    clock.move_to(START + timedelta(minutes=40))

    incident = services.incident_record(
        booking,
        description="分会场终端黑屏",
        device=device,
        open_service_record=True,
        fault_class=FaultClass.NODE_DOWN,
        occurred_at=START + timedelta(minutes=35),
        actor=chen,
    )

    record = incident.service_record
    assert (record.device, record.site, incident.site) == (device, sites[1], sites[1])
    assert (record.caller_name, record.caller_phone) == (booking.contact_name, "13800000001")
    assert record.reported_at == START + timedelta(minutes=35)
    assert "全省视频工作会议" in record.description and "分会场终端黑屏" in record.description
    assert Clock.objects.filter(record=record, kind=ClockKind.RESPONSE).exists()
    assert record.assurance_incident == incident


def test_an_incident_can_open_its_service_record_later(meeting, clock):
    booking, sites, chen = meeting
    clock.move_to(START + timedelta(minutes=40))
    incident = services.incident_record(booking, description="声音断续", actor=chen)

    with pytest.raises(services.ValidationError) as refused:
        services.incident_open_service_record(incident, fault_class="port", actor=chen)
    assert "device" in refused.value.message_dict
    services.incident_open_service_record(
        incident, fault_class="port", device=sites[0].devices.get(), actor=chen
    )
    with pytest.raises(BookingRefused):
        services.incident_open_service_record(incident, fault_class="port", actor=chen)


def test_an_incident_needs_a_device_and_fault_class_to_open_a_record(meeting, clock):
    booking, _sites, chen = meeting

    with pytest.raises(services.ValidationError) as refused:
        services.incident_record(booking, description="掉线", open_service_record=True, actor=chen)
    assert set(refused.value.message_dict) == {"device", "fault_class"}
    assert not booking.incidents.exists()


def test_the_outcome_is_recorded_once_the_meeting_started_and_the_kit_goes_back(
    meeting, clock, spares_keeper
):
    booking, _sites, chen = meeting
    warehouse, part = WarehouseFactory(), PartModelFactory()
    stock_receive(warehouse=warehouse, part_model=part, quantity=1, actor=spares_keeper.user)
    item = services.kit_item_reserve(booking, warehouse=warehouse, part_model=part, actor=chen)
    assert item.reservation.purpose == f"meeting-assurance:{booking.pk}"

    with pytest.raises(BookingRefused, match="尚未开始"):
        services.booking_outcome(booking, outcome=Outcome.SUCCESSFUL, actor=chen)
    clock.move_to(START + timedelta(hours=3))
    services.booking_outcome(booking, outcome=Outcome.SUCCESSFUL, note="顺利", actor=chen)

    item.reservation.refresh_from_db()
    assert item.reservation.released_at is not None
    assert booking_detail(user=chen, pk=booking.pk).status == BookingStatus.DONE
    with pytest.raises(BookingRefused):
        services.check_record(booking, kind=CheckKind.REHEARSAL, result="passed", actor=chen)


def test_a_started_meeting_keeps_its_times_and_cannot_be_cancelled(meeting, clock, duty_officer):
    booking, _sites, _chen = meeting
    clock.move_to(START + timedelta(minutes=1))

    with pytest.raises(BookingRefused):
        services.booking_update(
            booking, actor=duty_officer.user, ends_at=START + timedelta(hours=5)
        )
    with pytest.raises(BookingRefused):
        services.booking_cancel(booking, actor=duty_officer.user)
    services.booking_update(booking, actor=duty_officer.user, contact_phone="13900000000")


def test_every_change_of_a_booking_is_kept_with_who_made_it(meeting, contact_of_a):
    booking, _sites, _chen = meeting

    services.booking_update(booking, actor=contact_of_a.user, title="改名后的会议")

    latest = booking.history.order_by("-history_date", "-history_id").first()
    assert (latest.title, latest.history_user) == ("改名后的会议", contact_of_a.user)
    assert booking.history.filter(title="全省视频工作会议").exists()


def test_calendars_get_the_visible_bookings_overlapping_a_range(
    meeting, org_b, contact_of_a, contact_of_b, service_manager
):
    booking, sites, _chen = meeting
    later = book(
        booking.contract,
        sites[:1],
        actor=service_manager.user,
        starts_at=START + timedelta(days=2),
    )
    cancelled = book(booking.contract, sites[:1], actor=service_manager.user, starts_at=START)
    services.booking_cancel(cancelled, actor=service_manager.user)
    day = (beijing(2026, 3, 12, 0, 0), beijing(2026, 3, 13, 0, 0))

    assert list(bookings_between(user=service_manager.user, start=day[0], end=day[1])) == [booking]
    week = (beijing(2026, 3, 9, 0, 0), beijing(2026, 3, 16, 0, 0))
    assert list(bookings_between(user=contact_of_a.user, start=week[0], end=week[1])) == [
        booking,
        later,
    ]
    assert list(bookings_between(user=contact_of_b.user, start=week[0], end=week[1])) == []
    # [start, end): a meeting ending exactly at the range's start is not in it.
    after = (START + timedelta(hours=3), START + timedelta(hours=4))
    assert list(bookings_between(user=service_manager.user, start=after[0], end=after[1])) == []


def test_a_new_booking_is_one_created_entry_in_its_history_sites_included(meeting, duty_officer):
    booking, sites, _chen = meeting

    [entry] = history_entries(booking)

    assert (entry["what"], entry["who"], entry["changes"]) == (
        HISTORY_TYPES["+"],
        duty_officer.user,
        [],
    )
    created = booking.history.get(history_type="+")
    assert {row.site_id for row in created.sites.all()} == {site.pk for site in sites}


def test_changing_a_bookings_sites_and_title_is_one_entry_naming_both(meeting, clock, contact_of_a):
    booking, sites, _chen = meeting
    before = booking.history.count()
    clock.shift(timedelta(minutes=5))

    services.booking_update(
        booking, actor=contact_of_a.user, title="改名后的会议", sites=[sites[0]]
    )

    assert booking.history.count() == before + 1
    latest = history_entries(booking)[0]
    assert (latest["what"], latest["who"]) == (HISTORY_TYPES["~"], contact_of_a.user)
    assert {c["field"] for c in latest["changes"]} == {
        Booking._meta.get_field("title").verbose_name,
        Booking._meta.get_field("sites").verbose_name,
    }
