"""Concurrency: real threads, each with its own database connection, committing for real.

PostgreSQL: row locks (SELECT … FOR UPDATE) queue the writers. SQLite: the IMMEDIATE transaction mode
(settings) takes the write lock at BEGIN, so writers queue on the database instead. Both must give
the same results.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connections

from motcua.dossiers import services
from motcua.dossiers.models import Dossier, DossierEvent, DossierState
from motcua.dossiers.tests.factories import World, dossier_receive_at_counter, dossier_submit, world_build

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world_tx(transactional_db: None) -> World:
    return world_build()


def run_parallel(calls: list[Callable[[], Any]]) -> list[tuple[str, Any]]:
    """Start every call at the same moment in its own thread; ("ok", result) or ("error", exception)."""
    barrier = threading.Barrier(len(calls))
    results: list[tuple[str, Any]] = [("missing", None)] * len(calls)

    def work(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=10)
            results[index] = ("ok", call())
        except Exception as exc:  # the test inspects it
            results[index] = ("error", exc)
        finally:
            connections.close_all()  # this thread's connection

    threads = [threading.Thread(target=work, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


def test_parallel_receipts_get_unique_sequential_codes(world_tx: World) -> None:
    count = 8
    results = run_parallel([lambda: dossier_receive_at_counter(world_tx) for _ in range(count)])
    assert [kind for kind, _ in results] == ["ok"] * count, results
    codes = sorted(d.code for _, d in results)
    prefix = codes[0].rsplit("-", 1)[0]
    assert codes == [f"{prefix}-{n:04d}" for n in range(1, count + 1)]
    assert Dossier.objects.count() == count


def test_parallel_conflicting_actions_have_one_winner_and_one_conflict(world_tx: World) -> None:
    d = dossier_receive_at_counter(world_tx)
    version = d.row_version
    results = run_parallel(
        [
            lambda: services.dossier_forward(actor=world_tx.lan, dossier=d, row_version=version),
            lambda: services.dossier_request_supplement(
                actor=world_tx.lan, dossier=d, row_version=version, items=["Giấy tờ"], reason="Thiếu"
            ),
        ]
    )
    kinds = sorted(kind for kind, _ in results)
    assert kinds == ["error", "ok"], results
    error = next(value for kind, value in results if kind == "error")
    assert isinstance(error, services.DossierConflict)
    assert "Hồ sơ đã được người khác cập nhật" in error.message
    fresh = Dossier.objects.get(pk=d.pk)
    assert fresh.row_version == version + 1
    assert fresh.event_count == 2
    assert fresh.state in (DossierState.PROCESSING, DossierState.SUPPLEMENT_REQUESTED)


def test_parallel_retries_of_one_submission_create_one_dossier(world_tx: World) -> None:
    results = run_parallel([lambda: dossier_submit(world_tx, key="same-key") for _ in range(4)])
    assert [kind for kind, _ in results] == ["ok"] * 4, results
    assert len({d.pk for _, d in results}) == 1
    assert Dossier.objects.count() == 1
    assert DossierEvent.objects.count() == 1
    # The losers' counter increments rolled back: the next dossier is number 2, no gap.
    assert dossier_submit(world_tx, key="other").code.endswith("-0002")
