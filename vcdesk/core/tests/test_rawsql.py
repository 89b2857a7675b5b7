"""vcdesk.core.rawsql: the hand-written statements must store and read exactly what the ORM
would, on SQLite and on PostgreSQL."""

import datetime as dt

import pytest

from vcdesk.core.rawsql import insert_rows
from vcdesk.notify.models import Notification, Team

FIELDS = (
    "channel",
    "recipient",
    "team",
    "subject",
    "body",
    "created_at",
    "next_attempt_at",
    "attempts",
    "last_error",
    "level_name",
)
AT = dt.datetime(2026, 2, 14, 1, 30, 15, 123456, tzinfo=dt.UTC)


def row(i: int, team_id=None):
    return (
        "email",
        f"u{i}@example.cn",
        team_id,
        f"主题 {i}",
        "正文\n第二行",
        AT,
        None,
        i % 3,
        "",
        "",
    )


@pytest.mark.django_db
def test_inserted_rows_read_back_through_the_orm_as_written():
    team = Team.objects.create(name="值班组")
    ids = insert_rows(Notification, FIELDS, [row(0), row(1, team.pk)])

    first, second = (Notification.objects.get(pk=pk) for pk in ids)
    assert (first.recipient, first.team_id, first.subject, first.body) == (
        "u0@example.cn",
        None,
        "主题 0",
        "正文\n第二行",
    )
    assert first.created_at == AT and first.next_attempt_at is None and first.sent_at is None
    assert (second.team, second.attempts) == (team, 1)


@pytest.mark.django_db
def test_ids_come_back_in_row_order_across_batches():
    rows = [row(i) for i in range(700)]  # SQLite: several batches of its parameter limit

    ids = insert_rows(Notification, FIELDS, rows)

    assert len(ids) == len(set(ids)) == 700
    recipients = dict(Notification.objects.filter(pk__in=ids).values_list("pk", "recipient"))
    assert [recipients[pk] for pk in ids] == [f"u{i}@example.cn" for i in range(700)]


@pytest.mark.django_db
def test_nothing_to_insert_runs_no_statement(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert insert_rows(Notification, FIELDS, []) == []


@pytest.mark.django_db
def test_a_row_of_the_wrong_length_is_refused_before_anything_is_written():
    with pytest.raises(ValueError):
        insert_rows(Notification, FIELDS, [row(0)[:-1]])
    assert not Notification.objects.exists()


@pytest.mark.django_db
def test_a_column_left_out_gets_no_default_it_is_refused():
    from django.db import IntegrityError, transaction

    without_level = FIELDS[:-1]
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(Notification, without_level, [row(0)[:-1]])


@pytest.mark.django_db
def test_inserted_instances_are_stored_as_bulk_create_stores_them():
    from vcdesk.core.rawsql import insert_instances

    team = Team.objects.create(name="值班组")

    def unsaved():
        return [
            Notification(
                channel="email",
                recipient=f"r{i}@example.cn",
                team=team,
                subject="s",
                body="b",
                next_attempt_at=AT,
            )
            for i in range(3)
        ]

    ours, theirs = unsaved(), unsaved()

    insert_instances(ours)
    Notification.objects.bulk_create(theirs)

    assert all(obj.pk and not obj._state.adding for obj in ours)
    assert ours[0].created_at is not None  # auto_now_add, as bulk_create sets it
    skip = {"id", "created_at"}
    for mine, django in zip(ours, theirs, strict=True):
        stored_mine = Notification.objects.filter(pk=mine.pk).values().get()
        stored_django = Notification.objects.filter(pk=django.pk).values().get()
        assert {k: v for k, v in stored_mine.items() if k not in skip} == {
            k: v for k, v in stored_django.items() if k not in skip
        }


@pytest.mark.django_db
def test_an_instance_that_already_has_an_id_is_refused():
    from vcdesk.core.rawsql import insert_instances

    with pytest.raises(ValueError):
        insert_instances(
            [Notification(pk=5, channel="email", recipient="x", subject="s", body="b")]
        )
