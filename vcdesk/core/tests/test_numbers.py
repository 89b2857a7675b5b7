"""Document numbers (vcdesk.core.numbers): one counter per day or per year, one statement per
number, never the same number twice, and a rolled-back document gives its number back."""

import datetime as dt
import threading

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from vcdesk.core.numbers import next_number
from vcdesk.rma.models import DocumentNumberSequence
from vcdesk.service.models import RecordNumberSequence

DAY = dt.date(2026, 3, 10)


@pytest.mark.django_db
def test_the_first_number_of_a_key_is_one_and_each_next_adds_one():
    assert [next_number(DocumentNumberSequence, "RMA-2026") for _ in range(3)] == [1, 2, 3]
    assert DocumentNumberSequence.objects.get(key="RMA-2026").last == 3


@pytest.mark.django_db
def test_each_key_counts_on_its_own():
    next_number(DocumentNumberSequence, "RMA-2026")
    next_number(DocumentNumberSequence, "RMA-2026")

    assert next_number(DocumentNumberSequence, "QT-2026") == 1
    assert next_number(DocumentNumberSequence, "RMA-2027") == 1
    assert next_number(DocumentNumberSequence, "RMA-2026") == 3


@pytest.mark.django_db
def test_a_day_counter_is_keyed_by_its_date():
    assert next_number(RecordNumberSequence, DAY) == 1
    assert next_number(RecordNumberSequence, DAY) == 2
    assert next_number(RecordNumberSequence, DAY + dt.timedelta(days=1)) == 1
    assert RecordNumberSequence.objects.get(day=DAY).last == 2


@pytest.mark.django_db
def test_a_number_is_one_statement_on_the_first_call_of_a_key_and_after():
    with CaptureQueriesContext(connection) as queries:
        next_number(RecordNumberSequence, DAY)
        next_number(RecordNumberSequence, DAY)

    assert len(queries.captured_queries) == 2


@pytest.mark.django_db
def test_a_rolled_back_document_gives_its_number_back():
    next_number(DocumentNumberSequence, "ORD-2026")
    with pytest.raises(RuntimeError), transaction.atomic():
        next_number(DocumentNumberSequence, "ORD-2026")
        raise RuntimeError("the document was refused")

    assert next_number(DocumentNumberSequence, "ORD-2026") == 2


CALLERS = 12


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises writers")
@pytest.mark.django_db(transaction=True)
def test_numbers_drawn_at_the_same_moment_on_separate_connections_all_differ():
    start = threading.Barrier(CALLERS)
    drawn: list[int] = []

    def draw() -> None:
        try:
            start.wait()
            with transaction.atomic():
                drawn.append(next_number(RecordNumberSequence, DAY))
        finally:
            connection.close()

    threads = [threading.Thread(target=draw) for _ in range(CALLERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(drawn) == list(range(1, CALLERS + 1))
