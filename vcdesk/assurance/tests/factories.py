"""Meeting assurance test helpers: a contract with covered sites, senior engineers, bookings."""

from datetime import date, datetime, timedelta

from vcdesk.accounts.choices import Role
from vcdesk.accounts.models import User
from vcdesk.accounts.services import user_create
from vcdesk.assets.tests.factories import DeviceFactory
from vcdesk.assurance import services
from vcdesk.assurance.models import Booking
from vcdesk.calendars.workdays import BEIJING
from vcdesk.contracts.models import Contract
from vcdesk.contracts.tests.factories import ContractFactory
from vcdesk.core.testing import PERSONA_PASSWORD
from vcdesk.customers.models import Site
from vcdesk.customers.tests.factories import SiteFactory


def covered_sites(contract: Contract, n: int) -> list[Site]:
    """`n` sites of the contract's organisation, each with a device under the contract."""
    sites = [SiteFactory(organisation=contract.organisation) for _ in range(n)]
    for site in sites:
        DeviceFactory(site=site, contract=contract)
    return sites


def contract_with_sites(
    organisation, *, n_sites: int = 2, accepted_on: date = date(2025, 3, 1), per_year: int = 4
) -> tuple[Contract, list[Site]]:
    contract = ContractFactory(
        organisation=organisation, accepted_on=accepted_on, assurance_visits_per_year=per_year
    )
    return contract, covered_sites(contract, n_sites)


def senior_engineer(username: str, *, senior: bool = True, full_name: str = "") -> User:
    return user_create(
        username=username,
        password=PERSONA_PASSWORD,
        full_name=full_name or username,
        role=Role.FIELD_ENGINEER,
        is_senior=senior,
    )


def beijing(*args) -> datetime:
    return datetime(*args, tzinfo=BEIJING)


def book(
    contract: Contract,
    sites: list[Site],
    *,
    actor,
    starts_at: datetime,
    hours: float = 2,
    **fields,
) -> Booking:
    values = {
        "title": "全省视频工作会议",
        "expected_participants": 120,
        "contact_name": "张伟",
        "contact_phone": "13800000001",
    } | fields
    return services.booking_create(
        contract=contract,
        sites=sites,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=hours),
        actor=actor,
        **values,
    )
