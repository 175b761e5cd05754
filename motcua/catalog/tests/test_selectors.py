from __future__ import annotations

from decimal import Decimal

import pytest

from motcua.catalog.models import Procedure
from motcua.catalog.search import index_invalidate, procedure_search
from motcua.catalog.selectors import (
    PAGE_SIZE,
    field_get,
    field_list,
    page_count,
    procedure_code_normalise,
    procedure_get,
    procedure_list,
    procedures_incomplete,
)
from motcua.catalog.tests.factories import ProcedureFactory, detailed_procedure, realistic_catalogue
from motcua.worktime.models import TimeUnit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_index(settings):
    settings.CATALOG_SEARCH_CHECK_SECONDS = 3600  # query counts must not include the periodic check
    index_invalidate()
    yield
    index_invalidate()


def test_procedure_list_keeps_search_order_in_one_query(django_assert_num_queries):
    realistic_catalogue()
    expected = procedure_search(query="khai sinh", limit=5).ids  # also builds the index
    with django_assert_num_queries(1):
        page = procedure_list(query="khai sinh", limit=5)
        names = [p.field.name for p in page.items]  # field is joined, no extra query
    assert [p.pk for p in page.items] == expected
    assert page.total == procedure_search(query="khai sinh").total
    assert len(names) == 5


@pytest.mark.parametrize("limit", [1, 10, 50])
def test_procedure_list_query_count_is_constant(django_assert_num_queries, limit):
    realistic_catalogue()
    procedure_search(query="")
    with django_assert_num_queries(1):
        page = procedure_list(query="", limit=limit)
        [p.field for p in page.items]
    assert len(page.items) == min(limit, page.total)


def test_procedure_list_empty_page_costs_no_query(django_assert_num_queries):
    realistic_catalogue()
    procedure_search(query="")
    with django_assert_num_queries(0):
        page = procedure_list(query="qqqq zzzz")
    assert page.total == 0
    assert page.items == []


def test_procedure_list_skips_rows_deleted_behind_the_index():
    catalogue = realistic_catalogue()
    procedure_search(query="")
    # Delete without signals, as a concurrent process would: the index still has the id.
    Procedure.objects.filter(pk=catalogue["1.004194"].pk)._raw_delete(Procedure.objects.db)
    page = procedure_list(query="tam tru", limit=5)
    assert "1.004194" not in [p.code for p in page.items]


def test_procedure_get_prefetches_everything(django_assert_num_queries):
    detailed_procedure()
    # procedure (+ field, versions count) · documents · fees · current process · its steps
    with django_assert_num_queries(5):
        procedure = procedure_get(code="1.999001")
        documents = list(procedure.documents.all())
        fees = list(procedure.fees.all())
        process = procedure.current_processes[0]
        steps = list(process.steps.all())
    assert [d.order for d in documents] == [1, 2]
    assert [f.amount_vnd for f in fees] == [50_000, 0, None]
    assert len(procedure.current_processes) == 1
    assert process.version == 2
    assert [s.order for s in steps] == [1, 2, 3]
    assert procedure.versions_count == 2
    assert procedure.field.name == "Hộ tịch"


def test_procedure_get_unknown_raises():
    with pytest.raises(Procedure.DoesNotExist):
        procedure_get(code="9.999999")


def test_field_list_counts_active_procedures():
    catalogue = realistic_catalogue()
    ProcedureFactory(field=catalogue["1.004194"].field, is_active=False, popularity=10**9)
    fields = {f.name: f for f in field_list()}
    residence = fields["Đăng ký, quản lý cư trú"]
    assert residence.procedure_count == 4  # the inactive one is not counted
    assert residence.popularity == sum(
        catalogue[c].popularity for c in ("1.004194", "1.002755", "1.010028", "1.004222")
    )


def test_field_get_by_id_or_code():
    catalogue = realistic_catalogue()
    field = catalogue["1.001193"].field
    assert field_get(key=str(field.pk)) == field
    assert field_get(key=field.code) == field
    assert field_get(key="khong-co") is None


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("1.004194", "1.004194"),
        ("  1.004194 ", "1.004194"),
        ("1.004194.000.00.00.H49", "1.004194"),
        (" 2.002154.000.00.00.h49\n", "2.002154"),
        ("3.000123.ABC", "3.000123"),
        ("4.004194.000.00.00.H49", "4.004194.000.00.00.H49"),  # not a TTHC code: left as typed
        ("1.004194.", "1.004194."),  # no suffix after the dot
        ("1.004194.000 H49", "1.004194.000 H49"),  # a space is not part of a published suffix
        ("khai sinh", "khai sinh"),
        ("", ""),
    ],
)
def test_procedure_code_normalise(code: str, expected: str) -> None:
    assert procedure_code_normalise(code) == expected


@pytest.mark.parametrize(("total", "pages"), [(0, 1), (1, 1), (PAGE_SIZE, 1), (PAGE_SIZE + 1, 2), (95, 5)])
def test_page_count(total: int, pages: int) -> None:
    assert page_count(total) == pages


def test_procedures_incomplete_are_those_without_a_processing_time():
    """Issue 8 point 13: the list admins complete; same rule as ``Procedure.has_processing_time``."""
    timed = ProcedureFactory(processing_time_amount=Decimal(3), processing_time_unit=TimeUnit.WORKING_DAYS)
    same_day = ProcedureFactory(processing_time_unit=TimeUnit.SAME_DAY)
    name_only = ProcedureFactory()
    unit_only = ProcedureFactory(processing_time_unit=TimeUnit.WORKING_DAYS)
    zero = ProcedureFactory(processing_time_amount=Decimal(0), processing_time_unit=TimeUnit.WORKING_DAYS)
    inactive = ProcedureFactory(is_active=False)
    assert set(procedures_incomplete()) == {name_only, unit_only, zero}
    assert inactive in procedures_incomplete(active_only=False)
    for procedure in (timed, same_day, name_only, unit_only, zero):
        assert procedure.has_processing_time == (procedure not in {name_only, unit_only, zero})
