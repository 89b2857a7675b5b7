"""Contract years and staffing rules of meeting assurance (pure functions).

A contract year runs from an anniversary of `accepted_on` (inclusive) to the next one
(exclusive); year 1 starts on the acceptance day. Anniversaries are always counted from the
acceptance day itself, so a contract accepted on 29 February has its years start on
28 February in common years and on 29 February again in leap years (vcdesk.core.dates).
"""

from datetime import date

from vcdesk.assurance.choices import Importance
from vcdesk.core.dates import add_years


def contract_year_bounds(accepted_on: date, year: int) -> tuple[date, date]:
    """(first day, first day of the next year) of contract year `year` (1-based)."""
    return add_years(accepted_on, year - 1), add_years(accepted_on, year)


def contract_year_of(accepted_on: date, day: date) -> int:
    """The contract year (1-based) that `day` falls in; `day` must not precede acceptance."""
    if day < accepted_on:
        raise ValueError("The day precedes the contract's acceptance.")
    year = max(day.year - accepted_on.year, 0) + 1
    # The calendar-year difference is right or one too many (the anniversary not yet reached).
    while add_years(accepted_on, year - 1) > day:
        year -= 1
    return year


def engineers_required(*, importance: Importance | str, site_count: int, many_sites: int) -> int:
    """Senior engineers a meeting needs: one, or two when it is critical or more than
    `many_sites` sites take part (the plan: 1–2 by importance and scale)."""
    if Importance(importance) == Importance.CRITICAL or site_count > many_sites:
        return 2
    return 1
