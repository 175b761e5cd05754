"""The model's inputs read from the dossiers: the handlers' queues (``forecast.inputs.queue_loads``)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from motcua.dossiers.models import DossierState
from motcua.forecast.inputs import DossierFacts, HandlerStats, queue_loads

AT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def _facts(
    dossier_id: int, *, assignee: int | None, state: str = DossierState.PROCESSING, due: bool = True
) -> DossierFacts:
    return DossierFacts(
        dossier_id=dossier_id,
        procedure_id=1,
        process_id=1,
        field_id=None,
        competent_unit_id=10,
        current_unit_id=10,
        state=state,
        due_at=AT if due else None,
        received_at=AT,
        original_due_at=AT if due else None,
        step_order=2,
        step_unit_id=10,
        step_role="specialist",
        step_started_at=AT,
        assignee_id=assignee,
    )


STATS = HandlerStats(
    by_official={7: 40},  # 2 steps a day over the 20-day window
    by_pool={(10, "specialist"): 60},
    people={(10, "specialist"): 1},
    step_days={(10, "specialist"): 1.5},
    official_pool={7: (10, "specialist")},
    window_days=20,
)


def test_the_queue_counts_every_running_dossier_of_the_handler_with_or_without_a_due_time() -> None:
    facts = [
        _facts(1, assignee=7),
        _facts(2, assignee=7, due=False),  # no statutory time, but it takes the official's day too
        _facts(3, assignee=7, due=False),
        _facts(4, assignee=7, state=DossierState.SUPPLEMENT_REQUESTED),  # with the citizen: not queued
        _facts(5, assignee=None),  # the unit's pool, a queue of its own
    ]
    loads = queue_loads(facts, stats=STATS)
    assert set(loads) == {1, 2, 3, 5}
    official = loads[1]
    assert (official.size, official.throughput, official.typical_step_days) == (3, 2.0, 1.5)
    assert official.extra_days() == 0.0  # 2 a day for 1.5 days each: a steady queue of 3
    assert loads[2] == official
    pool = loads[5]
    assert (pool.size, pool.throughput) == (1, 3.0)


def test_a_backlog_beyond_the_usual_step_time_is_the_extra_wait() -> None:
    facts = [_facts(n, assignee=7, due=n % 2 == 0) for n in range(1, 11)]
    load = queue_loads(facts, stats=STATS)[2]
    assert load.size == 10
    assert load.extra_days() == pytest.approx((10 - 3 - 3**0.5) / 2)  # beyond 3 ± √3
