from datetime import date
from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from vcdesk.accounts.choices import Role
from vcdesk.accounts.models import User
from vcdesk.assets.choices import DeviceKind, DeviceStatus
from vcdesk.assets.models import Device, DeviceModel, FirmwareChange
from vcdesk.assurance.models import Booking
from vcdesk.contracts.models import Contract
from vcdesk.customers.choices import Industry
from vcdesk.customers.models import Contact, Organisation, Site
from vcdesk.feedback.models import FeedbackRecord, IssueRecord
from vcdesk.inspections.models import Finding, Inspection, InspectionPlan, InspectionReport
from vcdesk.rma.models import Order, Quote, QuoteLine, Rma, RmaEvent, RmaPart, RmaProduct
from vcdesk.service.models import ServiceRecord
from vcdesk.spares.models import (
    PartModel,
    Reservation,
    SpareRequest,
    StockLevel,
    StockMovement,
    Warehouse,
)
from vcdesk.surveys.models import ContractSurveySchedule, SurveyInvitation

DEMO_LOGINS = ["admin", "manager", "duty", "support", "field", "spares", "contact", "contact2"]


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.VCDESK_DEMO_PASSWORD = "demo-pass"


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    """Rows of every vcdesk table and of the users, history tables included."""
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in {"customers", "assets", "contracts", "accounts"}
    }


@pytest.mark.django_db
def test_seed_demo_loads_the_installed_base_once():
    today = timezone.localdate()
    assert "Loaded demo data" in seed()

    assert Organisation.objects.count() >= 6
    assert {o.industry for o in Organisation.objects.all()} == set(Industry.values)
    assert Site.objects.count() >= 40
    assert {"北京", "上海", "广州", "成都", "武汉"} <= set(
        Site.objects.values_list("city", flat=True)
    )
    assert all(20 <= m <= 240 for m in Site.objects.values_list("travel_minutes", flat=True))
    for org in Organisation.objects.all():
        assert 2 <= org.contacts.count() <= 3
        assert 1 <= org.contracts.count() <= 2
    assert Device.objects.count() >= 300
    assert Device.objects.filter(model__kind=DeviceKind.MCU).exists()
    assert Device.objects.filter(status=DeviceStatus.RETIRED).exists()
    assert FirmwareChange.objects.filter(from_version="").count() == Device.objects.count()
    # Every device sits at a site of the organisation that holds its contract.
    assert not Device.objects.exclude(site__organisation=F("contract__organisation"))

    # Out of warranty, in warranty, and a five-year warranty.
    assert Contract.objects.filter(warranty_ends_on__lt=today).exists()
    assert Contract.objects.filter(warranty_ends_on__gte=today).exists()
    assert Contract.objects.filter(warranty_years=5).exists()
    # One model past end of production: repair ended 2022-12-31, and devices still run it.
    rmx = DeviceModel.objects.get(vendor="Polycom", name="RMX 2000")
    assert rmx.end_of_production == date(2019, 12, 31)
    assert rmx.repair_until == date(2022, 12, 31) < today
    assert rmx.devices.exists()
    assert [m.name for m in DeviceModel.objects.filter(end_of_production__isnull=False)] == [
        "RMX 2000"
    ]

    # One login per role, a superuser, two customer contacts; all with the demo password.
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_LOGINS)}
    assert set(users) == set(DEMO_LOGINS)
    for username in DEMO_LOGINS:
        assert authenticate(username=username, password="demo-pass") == users[username]
    assert users["admin"].is_superuser
    assert {users[n].role for n in ["manager", "duty", "support", "field", "spares"]} == (
        set(Role) - {Role.CUSTOMER_CONTACT}
    )
    assert users["contact"].role == Role.CUSTOMER_CONTACT
    assert users["contact"].organisation != users["contact2"].organisation
    # Created through the services: history rows name the author.
    assert Device.history.filter(history_user=users["manager"]).count() >= 300

    before = row_counts()
    serials = sorted(Device.objects.values_list("serial", flat=True))
    assert "already loaded" in seed()
    assert row_counts() == before
    assert sorted(Device.objects.values_list("serial", flat=True)) == serials

    logins = seed("--logins").splitlines()
    assert [line.split()[-2] for line in logins] == DEMO_LOGINS
    assert row_counts() == before


@pytest.mark.django_db
def test_seed_demo_is_the_same_every_time():
    seed()
    first = sorted(Device.objects.values_list("serial", "firmware_version", "site__name"))
    contacts = sorted(Contact.objects.values_list("name", "phone"))
    Booking.objects.all().delete()  # cascades assignments, checks, kit items, incidents
    for model in (FeedbackRecord, IssueRecord, SurveyInvitation, ContractSurveySchedule):
        model.objects.all().delete()  # cascades answers, supervision entries, attachments
    for model in (Order, QuoteLine, Quote, RmaPart, RmaProduct, RmaEvent, Rma):
        model.objects.all().delete()
    for model in (SpareRequest, StockMovement, Reservation, StockLevel, PartModel, Warehouse):
        model.objects.all().delete()
    for model in (InspectionReport, Finding, Inspection, InspectionPlan):
        model.objects.all().delete()  # cascades checklist answers, trainings, events
    ServiceRecord.objects.all().delete()  # cascades events, clocks, dispatches
    Device.objects.all().delete()  # cascades firmware changes; start again from scratch
    for model in (Contract, Contact, Site):
        model.objects.all().delete()
    User.objects.filter(username__in=DEMO_LOGINS).delete()
    Organisation.objects.all().delete()
    DeviceModel.objects.all().delete()
    seed()
    assert sorted(Device.objects.values_list("serial", "firmware_version", "site__name")) == first
    assert sorted(Contact.objects.values_list("name", "phone")) == contacts


@pytest.mark.django_db
def test_logins_before_loading_load_nothing():
    assert "seed_demo" in seed("--logins")
    assert not Organisation.objects.exists()
