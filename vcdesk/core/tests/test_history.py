"""The change history shown on pages: foreign keys read as the objects they name."""

import pytest
from django.utils import translation

from vcdesk.core.history import history_entries
from vcdesk.customers.tests.factories import OrganisationFactory, SiteFactory

pytestmark = pytest.mark.django_db


def test_a_changed_foreign_key_shows_the_objects_it_named_not_their_ids():
    before = OrganisationFactory(short_name="北京市政府办公厅")
    after = OrganisationFactory(short_name="上海市政府办公厅")
    site = SiteFactory(organisation=before, name="一号会议室")
    site.organisation = after
    site.save()

    with translation.override("en"):
        changes = [
            (str(c["field"]), c["old"], c["new"]) for c in history_entries(site)[0]["changes"]
        ]

    assert changes == [("organisation", "北京市政府办公厅", "上海市政府办公厅")]


def test_a_foreign_key_to_a_row_since_deleted_shows_its_key():
    gone = OrganisationFactory(name="已撤销单位")
    site = SiteFactory(organisation=gone)
    site.organisation = OrganisationFactory()
    site.save()
    gone_pk = gone.pk
    gone.delete()

    (change,) = history_entries(site)[0]["changes"]

    assert change["old"] == f"#{gone_pk}"


def test_the_newest_changes_come_first_and_the_limit_holds():
    site = SiteFactory(travel_minutes=10)
    for minutes in (20, 30, 40):
        site.travel_minutes = minutes
        site.save()

    entries = history_entries(site, limit=2)

    assert [(e["changes"][0]["old"], e["changes"][0]["new"]) for e in entries] == [
        (30, 40),
        (20, 30),
    ]
