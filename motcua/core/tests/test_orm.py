"""The Django internals motcua relies on (core.orm): run after every Django upgrade."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.core.exceptions import MultipleObjectsReturned
from django.db import DatabaseError, transaction
from django.db.models import F, Max, Sum, Value, signals

from motcua.catalog.models import Field, Procedure, ProcedureFee
from motcua.catalog.tests.factories import FieldFactory, ProcedureFactory
from motcua.core.orm import (
    PreparedInsert,
    PreparedQuery,
    PreparedUpdate,
    concrete_fields,
    in_transaction,
    objects_insert,
    on_commit_pending,
    prefetch_seed,
    prefetched_rows,
    queryset_sql,
    rows_insert,
    rows_insert_select,
)
from motcua.identity.models import ApiToken
from motcua.identity.services import api_token_create
from motcua.org.tests.factories import UserFactory

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


def test_rows_insert_select_writes_the_grouped_select() -> None:
    procedure: Procedure = ProcedureFactory.create()
    ProcedureFee.objects.create(procedure=procedure, order=1, name="Phí", amount_vnd=50_000)
    ProcedureFee.objects.create(procedure=procedure, order=2, name="Lệ phí", amount_vnd=30_000)
    inserted = rows_insert_select(
        ProcedureFee._meta.db_table,
        ["procedure_id", "order", "name", "note", "amount_vnd"],
        ProcedureFee.objects.filter(procedure=procedure)
        .values("procedure_id")
        .annotate(o=Max("order") + 1, n=Value("Tổng"), t=Value(""), total=Sum("amount_vnd"))
        .values_list("procedure_id", "o", "n", "t", "total"),
    )
    assert inserted == 1
    assert procedure.fees.get(order=3).amount_vnd == 80_000


_CODE = "\x00code\x00"


def _by_code() -> PreparedQuery[Procedure]:
    return PreparedQuery(
        lambda p: Procedure.objects.select_related("field").filter(code=p["code"]).order_by(), {"code": _CODE}
    )


def test_prepared_query_gives_what_the_queryset_gives(django_assert_num_queries) -> None:
    first: Procedure = ProcedureFactory.create()
    second: Procedure = ProcedureFactory.create()
    query = _by_code()
    for procedure in (first, second):  # compiled once, run with each value
        expected = Procedure.objects.select_related("field").get(code=procedure.code)
        with django_assert_num_queries(1):
            found = query.one(code=procedure.code)
            assert found is not None
            # The joined row is populated as select_related does: no query for the field.
            assert found.field is not None
            assert expected.field is not None
            assert found.field.name == expected.field.name
        assert found == expected
        assert {f.attname: getattr(found, f.attname) for f in concrete_fields(Procedure)} == {
            f.attname: getattr(expected, f.attname) for f in concrete_fields(Procedure)
        }
        assert found._state.adding is False
        assert found._state.db == "default"
    assert query.one(code="không có") is None
    assert len(query._compiled) == 1  # one compilation for this connection


def test_prepared_query_applies_the_database_converters() -> None:
    """Datetimes come back aware, as from the ORM (SQLite stores them as text)."""
    row, _token = api_token_create(user=UserFactory.create())
    query: PreparedQuery[ApiToken] = PreparedQuery(
        lambda p: ApiToken.objects.filter(prefix=p["prefix"]).order_by(), {"prefix": "\x00prefix\x00"}
    )
    found = query.one(prefix=row.prefix)
    assert found is not None
    assert found.created_at == ApiToken.objects.get(pk=row.pk).created_at
    assert found.created_at.tzinfo is not None


def test_prepared_query_refuses_a_sentinel_it_cannot_place() -> None:
    ProcedureFactory.create()
    # A query that does not use its sentinel would run with the same value whatever is passed.
    query: PreparedQuery[Procedure] = PreparedQuery(
        lambda p: Procedure.objects.filter(code="1.000001").order_by(), {"code": _CODE}
    )
    with pytest.raises(ValueError, match="not in the compiled query"):
        query.rows(code="1.000001")
    values: Any = lambda p: Procedure.objects.filter(code=p["code"]).values("pk")  # noqa: E731
    with pytest.raises(ValueError, match="plain model querysets"):
        PreparedQuery(values, {"code": _CODE}).rows(code="x")


def test_prepared_query_refuses_two_rows_for_one() -> None:
    first: Procedure = ProcedureFactory.create()
    ProcedureFactory.create(field=first.field)
    query: PreparedQuery[Procedure] = PreparedQuery(
        lambda p: Procedure.objects.filter(field_id=p["field"]).order_by(), {"field": -918_273}
    )
    assert len(query.rows(field=first.field_id)) == 2
    with pytest.raises(MultipleObjectsReturned):
        query.one(field=first.field_id)


def test_prepared_query_values_list_gives_tuples() -> None:
    procedure: Procedure = ProcedureFactory.create()
    query: PreparedQuery[Procedure] = PreparedQuery(
        lambda p: Procedure.objects.filter(code=p["code"]).order_by().values_list("code", "field__name"),
        {"code": _CODE},
    )
    expected = list(Procedure.objects.filter(code=procedure.code).values_list("code", "field__name"))
    assert query.tuples(code=procedure.code) == expected
    assert query.tuples(code="không có") == []
    with pytest.raises(ValueError, match="use tuples"):
        query.rows(code=procedure.code)


def _columns(obj: Any, *, skip: tuple[str, ...] = ("id",)) -> dict[str, Any]:
    return {f.attname: getattr(obj, f.attname) for f in concrete_fields(type(obj)) if f.attname not in skip}


def test_prepared_insert_writes_what_save_writes() -> None:
    """JSON, decimals, a foreign key, defaults: the row read back equals the one ``save()`` wrote."""
    field = FieldFactory.create()
    values: dict[str, Any] = {
        "field": field,
        "name": "Đăng ký khai sinh",
        "search_text": "dang ky khai sinh",
        "processing_time_amount": Decimal("1.5"),
        "steps": [{"bước": 1, "nội dung": "Nộp hồ sơ"}],
    }
    with time_machine.travel(datetime(2026, 4, 13, 3, 0, tzinfo=UTC), tick=False):  # auto_now, auto_now_add
        saved: Procedure = ProcedureFactory.build(code="9.900001", **values)
        saved.save()
        inserted: Procedure = ProcedureFactory.build(code="9.900002", **values)
        query = PreparedInsert(Procedure)
        assert query.insert(inserted) is inserted
    assert inserted.pk is not None
    assert inserted.pk != saved.pk
    assert inserted._state.adding is False
    assert inserted._state.db == "default"
    skip = ("id", "code")
    assert _columns(Procedure.objects.get(pk=inserted.pk), skip=skip) == _columns(
        Procedure.objects.get(pk=saved.pk), skip=skip
    )
    assert _columns(inserted, skip=skip) == _columns(saved, skip=skip)


def test_prepared_insert_compiles_once_and_sends_one_statement(django_assert_num_queries) -> None:
    """``auto_now_add`` filled as on save; one INSERT per row, compiled once per connection."""
    user = UserFactory.create()
    query: PreparedInsert[ApiToken] = PreparedInsert(ApiToken)
    for n in range(2):
        token = ApiToken(user=user, name=f"thử {n}", prefix=f"p{n}", secret_hash="0" * 64)
        with django_assert_num_queries(1):
            query.insert(token)
        assert token.created_at is not None
        assert ApiToken.objects.get(pk=token.pk).created_at == token.created_at
    assert len(query._compiled) == 1


def test_prepared_insert_sends_the_save_signals() -> None:
    """Listeners (e.g. the reference-data restamp) see the insert as they see ``save()``."""
    seen: list[tuple[str, Any, bool]] = []

    def before(sender: Any, instance: Any, **kwargs: Any) -> None:
        seen.append(("pre", instance.pk, kwargs["raw"]))

    def after(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
        seen.append(("post", instance.pk, created))

    signals.pre_save.connect(before, sender=Field, dispatch_uid="test-prepared-insert-pre")
    signals.post_save.connect(after, sender=Field, dispatch_uid="test-prepared-insert-post")
    try:
        row = PreparedInsert(Field).insert(Field(name="Hộ tịch", code="ho-tich"))
    finally:
        signals.pre_save.disconnect(sender=Field, dispatch_uid="test-prepared-insert-pre")
        signals.post_save.disconnect(sender=Field, dispatch_uid="test-prepared-insert-post")
    assert seen == [("pre", None, False), ("post", row.pk, True)]


def test_prepared_insert_refuses_what_save_would_not_insert_the_same_way() -> None:
    query = PreparedInsert(Field)
    existing = Field.objects.create(name="Đất đai", code="dat-dai")
    with pytest.raises(ValueError, match="already has a primary key"):
        query.insert(existing)
    with pytest.raises(ValueError, match="expression"):
        query.insert(Field(name=F("code"), code="x"))
    with pytest.raises(ValueError, match="unsaved related object"):  # as save() refuses it
        PreparedInsert(Procedure).insert(ProcedureFactory.build(field=Field(name="Mới", code="moi")))
    assert Field.objects.count() == 1


def test_prepared_update_writes_only_the_fields_named(django_assert_num_queries) -> None:
    """As ``save(update_fields=…)``: the named columns prepared as the ORM does (JSON, decimal), the
    others left as they are in the database; one UPDATE, its SQL kept per column set; the signals sent."""
    procedure: Procedure = ProcedureFactory.create(name="Cũ", processing_time_amount=Decimal("1"))
    query = PreparedUpdate(Procedure)
    procedure.name = "Không ghi"  # not named: stays "Cũ" in the database
    procedure.steps = [{"bước": 2}]
    procedure.processing_time_amount = Decimal("2.5")
    for _ in range(2):
        # The UPDATE, and the reference-data restamp that post_save of a procedure triggers (as on save).
        with django_assert_num_queries(2):
            query.update(procedure, fields=["steps", "processing_time_amount"])
    fresh = Procedure.objects.get(pk=procedure.pk)
    assert (fresh.name, fresh.steps, fresh.processing_time_amount) == ("Cũ", [{"bước": 2}], Decimal("2.5"))
    assert len(query._sql) == 1
    query.update(procedure, fields=["name"])
    assert Procedure.objects.get(pk=procedure.pk).name == "Không ghi"
    assert len(query._sql) == 2


def test_prepared_update_as_save_for_a_missing_row_and_the_signals() -> None:
    field = FieldFactory.create()
    seen: list[tuple[str, Any, bool]] = []

    def after(sender: Any, instance: Any, created: bool, update_fields: Any, **kwargs: Any) -> None:
        seen.append(("post", update_fields, created))

    signals.post_save.connect(after, sender=Field, dispatch_uid="test-prepared-update-post")
    try:
        field.name = "Đổi tên"
        PreparedUpdate(Field).update(field, fields=["name"])
    finally:
        signals.post_save.disconnect(sender=Field, dispatch_uid="test-prepared-update-post")
    assert seen == [("post", frozenset({"name"}), False)]
    gone = Field.objects.get(pk=field.pk)
    Field.objects.filter(pk=field.pk).delete()
    with pytest.raises(DatabaseError, match="did not affect any rows"):
        PreparedUpdate(Field).update(gone, fields=["name"])
    with pytest.raises(ValueError, match="expression"):
        PreparedUpdate(Field).update(Field(pk=1, name=F("code")), fields=["name"])
    with pytest.raises(ValueError, match="not plain columns"):
        PreparedUpdate(Field).update(field, fields=["id"])
