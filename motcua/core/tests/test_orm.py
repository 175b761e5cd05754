"""The Django internals motcua relies on (core.orm): run after every Django upgrade."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import transaction

from motcua.catalog.models import Field, Procedure, ProcedureFee
from motcua.catalog.tests.factories import ProcedureFactory
from motcua.core.orm import (
    concrete_fields,
    in_transaction,
    objects_insert,
    on_commit_pending,
    prefetch_seed,
    prefetched_rows,
    queryset_sql,
    rows_insert,
)

pytestmark = pytest.mark.django_db


class _Marker:
    def __call__(self) -> None:
        pass


def test_objects_insert_prepares_values_as_the_orm_does() -> None:
    objects_insert(Field, [Field(name="Hộ tịch", code="ho-tich"), Field(name="Đất đai", code="dat-dai")])
    assert sorted(Field.objects.values_list("code", flat=True)) == ["dat-dai", "ho-tich"]
    procedure: Procedure = ProcedureFactory.create()
    objects_insert(ProcedureFee, [ProcedureFee(procedure=procedure, order=1, name="Lệ phí", amount_vnd=5000)])
    assert list(procedure.fees.values_list("name", "amount_vnd")) == [("Lệ phí", 5000)]
    objects_insert(Field, [])  # nothing to do, no statement


def test_concrete_fields_are_the_table_columns_in_order() -> None:
    columns = [f.column for f in concrete_fields(ProcedureFee)]
    assert columns[0] == "id"
    assert {"procedure_id", "order", "name", "amount_vnd"} <= set(columns)


def test_prefetch_seed_serves_all_without_a_query(django_assert_num_queries) -> None:
    procedure: Procedure = ProcedureFactory.create()
    fee = ProcedureFee(procedure=procedure, order=1, name="Phí", amount_vnd=1)
    prefetch_seed(procedure, "fees", [fee])
    with django_assert_num_queries(0):
        assert list(procedure.fees.all()) == [fee]
    with django_assert_num_queries(1):  # filter() still asks the database, as after prefetch_related
        assert list(procedure.fees.filter(amount_vnd=1)) == []


def test_queryset_sql_compiles_with_its_parameters() -> None:
    sql, params = queryset_sql(Procedure.objects.filter(code="1.000001").values_list("id"), using="default")
    assert "WHERE" in sql.upper()
    assert params == ("1.000001",)


def test_in_transaction() -> None:
    with transaction.atomic():
        assert in_transaction()


@pytest.mark.django_db(transaction=True)
def test_in_transaction_false_in_autocommit() -> None:
    assert not in_transaction()


def test_on_commit_pending_follows_savepoints() -> None:
    with transaction.atomic():
        first = _Marker()
        transaction.on_commit(first)
        assert on_commit_pending(_Marker) is first
        try:
            with transaction.atomic():
                second = _Marker()
                transaction.on_commit(second)
                assert on_commit_pending(_Marker) is second
                raise ValueError
        except ValueError:
            pass
        assert on_commit_pending(_Marker) is first  # the rolled-back savepoint took its callback along
        assert on_commit_pending(Decimal) is None


@pytest.mark.django_db(transaction=True)
def test_nothing_is_pending_in_autocommit() -> None:
    transaction.on_commit(_Marker())  # runs at once
    assert on_commit_pending(_Marker) is None


def test_prefetched_rows_tell_a_prefetched_relation_from_one_that_is_not() -> None:
    procedure: Procedure = ProcedureFactory.create()
    assert prefetched_rows(procedure, "fees") is None
    fee = ProcedureFee(procedure=procedure, order=1, name="Phí", amount_vnd=1)
    prefetch_seed(procedure, "fees", [fee])
    assert prefetched_rows(procedure, "fees") == [fee]
    fetched = Procedure.objects.prefetch_related("documents").get(pk=procedure.pk)
    assert prefetched_rows(fetched, "documents") == []


def test_rows_insert_takes_values_ready_for_the_database() -> None:
    procedure: Procedure = ProcedureFactory.create()
    rows_insert(
        ProcedureFee._meta.db_table, ["procedure_id", "order", "name", "note"], [(procedure.pk, 1, "Phí", "")]
    )
    assert list(procedure.fees.values_list("name", "amount_vnd")) == [("Phí", None)]
