"""Pure arithmetic of inspection plans: contract years, due dates, methods, deadlines.

Contract year k (1-based) runs from `accepted_on + (k-1) years` to the day before
`accepted_on + k years`, each counted from the acceptance date itself (never chained), so
a contract accepted on 29 February starts its years on 28 February in common years and on
29 February again in leap years (vcdesk.core.dates.add_years). Inspections are owed in the
warranty years (service plan: 保修期内…免费提供预防性现场维护巡检服务).
"""

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from vcdesk.calendars.workdays import BEIJING
from vcdesk.core.dates import add_years
from vcdesk.inspections.choices import InspectionMethod

# People are told at the start of a working day, Beijing time, not at midnight.
NOTIFY_TIME = time(9, 0)


@dataclass(frozen=True)
class ContractYear:
    year: int
    starts_on: date
    ends_on: date

    def contains(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


def contract_year(accepted_on: date, year: int) -> ContractYear:
    return ContractYear(
        year=year,
        starts_on=add_years(accepted_on, year - 1),
        ends_on=add_years(accepted_on, year) - timedelta(days=1),
    )


def years_to_plan(*, accepted_on: date, warranty_years: int, today: date) -> list[ContractYear]:
    """The contract years whose inspections should exist on `today`: the year running
    today, and the first year while it has not begun (so a new contract shows its plan at
    once). Years already over are not planned after the fact."""
    years = []
    for number in range(1, warranty_years + 1):
        year = contract_year(accepted_on, number)
        if year.starts_on > today and number > 1:
            break
        if year.ends_on >= today:
            years.append(year)
    return years


def add_months(day: date, months: int) -> date:
    """`day` plus whole months; a day the month lacks becomes its last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def due_dates(year: ContractYear, count: int) -> list[date]:
    """`count` due dates spread evenly over the year, the last on its last day: one a year
    is due by the year's end, two at the end of each half, four at each quarter's end (by
    whole months when they divide the year, else by days)."""
    if 12 % count == 0:
        step = 12 // count
        return [
            add_months(year.starts_on, step * i) - timedelta(days=1) for i in range(1, count + 1)
        ]
    days = (year.ends_on - year.starts_on).days + 1
    return [year.starts_on + timedelta(days=days * i // count - 1) for i in range(1, count + 1)]


def methods(count: int) -> list[InspectionMethod]:
    """On site first, then by phone and on site in turn (service plan 5: the inspections
    are partly on site, partly by phone); one a year is on site."""
    return [
        InspectionMethod.ON_SITE if i % 2 == 0 else InspectionMethod.PHONE for i in range(count)
    ]


def deadlines(due_on: date, *, remind_days: int) -> tuple[datetime, datetime]:
    """(when to remind, when to tell that it is late): 09:00 Beijing time `remind_days`
    before the due date, and 09:00 on the day after it."""
    remind = datetime.combine(due_on - timedelta(days=remind_days), NOTIFY_TIME, tzinfo=BEIJING)
    overdue = datetime.combine(due_on + timedelta(days=1), NOTIFY_TIME, tzinfo=BEIJING)
    return remind, overdue
