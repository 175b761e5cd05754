"""The reference-data stamp and the per-process cache keyed on it (core.selectors / core.services)."""

from __future__ import annotations

import pytest
from django.db import transaction

from motcua.catalog.models import Procedure
from motcua.catalog.tests.factories import ProcedureFactory
from motcua.core.models import ReferenceDataVersion
from motcua.core.selectors import (
    ReferenceDataFollower,
    reference_data_cache_clear,
    reference_data_cached,
    reference_data_stamp,
)
from motcua.core.services import reference_data_changed

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    reference_data_cache_clear()


def _counting_loader(values: list[int]):
    def load() -> int:
        values.append(len(values) + 1)
        return values[-1]

    return load


def test_the_migration_creates_the_stamp() -> None:
    assert len(reference_data_stamp()) == 32


def test_a_value_is_loaded_once_while_the_stamp_holds() -> None:
    loads: list[int] = []
    assert reference_data_cached("k", _counting_loader(loads)) == 1
    assert reference_data_cached("k", _counting_loader(loads)) == 1
    assert loads == [1]


def test_a_new_stamp_reloads(django_assert_num_queries) -> None:
    loads: list[int] = []
    reference_data_cached("k", _counting_loader(loads))
    reference_data_changed()
    with django_assert_num_queries(1):  # the stamp; the loader here makes no query
        assert reference_data_cached("k", _counting_loader(loads)) == 2


def test_orm_writes_to_the_catalogue_restamp() -> None:
    before = reference_data_stamp()
    procedure = Procedure.objects.get(pk=ProcedureFactory.create().pk)
    after_create = reference_data_stamp()
    assert after_create != before
    procedure.name = "Tên mới"
    procedure.save()
    assert reference_data_stamp() != after_create


def test_a_rolled_back_write_leaves_the_committed_stamp() -> None:
    before = reference_data_stamp()
    loads: list[int] = []

    def write_then_fail() -> None:
        with transaction.atomic():
            reference_data_changed()
            # Read inside the failed transaction: cached under a stamp that never commits…
            reference_data_cached("k", _counting_loader(loads))
            raise RuntimeError

    with pytest.raises(RuntimeError):
        write_then_fail()
    assert reference_data_stamp() == before
    # …so it is not served once the transaction is gone.
    assert reference_data_cached("k", _counting_loader(loads)) == 2


def test_without_a_stamp_row_nothing_is_cached() -> None:
    ReferenceDataVersion.objects.all().delete()
    loads: list[int] = []
    reference_data_cached("k", _counting_loader(loads))
    reference_data_cached("k", _counting_loader(loads))
    assert loads == [1, 2]
    reference_data_changed()  # recreates the row
    assert len(reference_data_stamp()) == 32


def test_exceptions_are_not_cached() -> None:
    def fail() -> int:
        raise LookupError

    with pytest.raises(LookupError):
        reference_data_cached("k", fail)
    assert reference_data_cached("k", lambda: 7) == 7


def _follower(builds: list[int], seconds: float = 3600) -> ReferenceDataFollower[int]:
    return ReferenceDataFollower(build=_counting_loader(builds), check_seconds=lambda: seconds)


def test_a_follower_reads_the_stamp_once_per_interval(django_assert_num_queries) -> None:
    builds: list[int] = []
    follower = _follower(builds)
    assert follower.get() == 1
    with django_assert_num_queries(0):
        assert follower.get() == 1
    follower_now = _follower(builds, seconds=0)
    assert follower_now.get() == 2
    with django_assert_num_queries(1):  # the stamp, unchanged: no rebuild
        assert follower_now.get() == 2


def test_a_follower_sees_its_transactions_writes_once_per_write() -> None:
    builds: list[int] = []
    follower = _follower(builds)
    assert follower.get() == 1
    with transaction.atomic():
        reference_data_changed()
        assert follower.get() == 2  # built from this transaction's rows …
        assert follower.get() == 2  # … once per write
        reference_data_changed()
        assert follower.get() == 3
    # The test's outer transaction has not committed: still its own view, never the process's.
    assert follower._built is not None
    assert follower._built.value == 1


@pytest.mark.django_db(transaction=True)
def test_a_commit_makes_the_process_recheck_at_once() -> None:
    builds: list[int] = []
    follower = _follower(builds)
    assert follower.get() == 1
    reference_data_changed()  # autocommit: committed at once
    assert follower.get() == 2
    assert follower.get() == 2
