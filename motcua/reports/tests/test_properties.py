"""Property: after any history, the incremental aggregates equal the rebuild's.

Random histories through the real engine services: each dossier is received at the counter (of
commune A's centre, or of the province centre: another receiving unit) or submitted online, then a
random sequence of attempted actions by the personas who could take them, hours apart; the engine
refuses what is not allowed in that state (those attempts change nothing).
The reports' jobs then run in a random order — the deltas telescope, so the order must not matter —
and the rows must be those ``aggregates_rebuild`` writes. Examples accumulate in one database: after
the first rebuild, later examples check that new events on top of a rebuild add up the same.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from motcua.dossiers import services
from motcua.dossiers.errors import DossierError
from motcua.dossiers.models import Dossier
from motcua.dossiers.tests.factories import (
    MONDAY_0900,
    World,
    dossier_receive_at_counter,
    dossier_submit,
    result_pdf,
    world_build,
)
from motcua.jobs.delivery import jobs_run_due
from motcua.jobs.models import Job, JobStatus
from motcua.reports.services import aggregates_rebuild
from motcua.reports.subscribers import AGGREGATES
from motcua.reports.tests.test_statistics import aggregate_rows, unit_rollups_expected

pytestmark = pytest.mark.django_db

Move = Callable[[World, Dossier], Dossier]


def _v(d: Dossier) -> int:
    return d.row_version


MOVES: tuple[Move, ...] = (
    lambda w, d: services.dossier_accept(actor=w.lan, dossier=d, row_version=_v(d)),
    lambda w, d: services.dossier_refuse(actor=w.lan, dossier=d, row_version=_v(d), reason="Sai thẩm quyền"),
    lambda w, d: services.dossier_forward(actor=w.lan, dossier=d, row_version=_v(d), assignee=w.minh),
    lambda w, d: services.dossier_forward(actor=w.minh, dossier=d, row_version=_v(d), assignee=w.hung),
    lambda w, d: services.dossier_approve(actor=w.hung, dossier=d, row_version=_v(d)),
    lambda w, d: services.dossier_reject(
        actor=w.hung, dossier=d, row_version=_v(d), reason="Không đủ điều kiện"
    ),
    lambda w, d: services.dossier_record_signature(
        actor=w.hoa,
        dossier=d,
        signer=w.hung,
        signature_reference="QD-1",
        row_version=_v(d),
        result_file=result_pdf(),
    ),
    lambda w, d: services.dossier_mark_result_ready(actor=w.hoa, dossier=d, row_version=_v(d)),
    lambda w, d: services.dossier_return_result(actor=w.lan, dossier=d, row_version=_v(d)),
    lambda w, d: services.dossier_request_supplement(
        actor=w.minh,
        dossier=d,
        row_version=_v(d),
        items=[services.RequestedItem("Tờ khai", "")],
        reason="Thiếu",
    ),
    lambda w, d: services.dossier_receive_supplement(actor=w.lan, dossier=d, row_version=_v(d)),
    lambda w, d: services.dossier_request_payment(
        actor=w.minh, dossier=d, row_version=_v(d), fees=[services.FeeData("Tiền sử dụng đất", 1_000_000)]
    ),
    lambda w, d: services.dossier_record_payment(actor=w.minh, dossier=d, row_version=_v(d)),
    lambda w, d: services.dossier_withdraw(actor=w.lan, dossier=d, row_version=_v(d), reason="Xin rút"),
    lambda w, d: services.dossier_stop(
        actor=w.hung, dossier=d, row_version=_v(d), reason="Dừng theo quy định"
    ),
    lambda w, d: services.dossier_extend(
        actor=w.minh,
        dossier=d,
        row_version=_v(d),
        new_due_at=(d.due_at or MONDAY_0900) + timedelta(days=4),
        reason="Cần xác minh",
    ),
)

dossier_plans = st.tuples(
    st.integers(0, 2),  # 0 counter of centre A, 1 online to centre A, 2 counter of the province centre
    st.integers(0, 40),  # hours after the previous dossier
    st.lists(st.tuples(st.integers(0, len(MOVES) - 1), st.integers(0, 60)), max_size=9),
)


_state: dict[str, Any] = {}


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
@given(plans=st.lists(dossier_plans, min_size=1, max_size=3), order=st.randoms(use_true_random=False))
def test_incremental_equals_rebuild(db: None, plans: list[Any], order: Any) -> None:
    world = _state.get("world")
    if world is None or not type(world.province).objects.filter(pk=world.province.pk).exists():
        with time_machine.travel(MONDAY_0900, tick=False):
            world = _state["world"] = world_build()
    start = MONDAY_0900 + timedelta(days=7 * _state.setdefault("week", 0))
    _state["week"] += 3
    with time_machine.travel(start, tick=False) as clock:
        now = start
        for index, (where, gap, moves) in enumerate(plans):
            now += timedelta(hours=gap)
            clock.move_to(now)
            if where == 1:
                d = dossier_submit(world, key=f"prop-{_state['week']}-{index}")
            elif where == 2:
                # Received away from home (another receiving unit, same deciding unit): the receiving
                # unit is a key of the rows, and the two paths must agree on it too.
                d = dossier_receive_at_counter(
                    world, by=world.ngoc, receiving_unit=world.province_centre, chosen_unit=world.commune_a
                )
            else:
                d = dossier_receive_at_counter(world)
            for move, hours in moves:
                now += timedelta(hours=hours)
                clock.move_to(now)
                try:
                    d = MOVES[move](world, d)
                except DossierError:
                    d = Dossier.objects.get(pk=d.pk)
        pending = list(
            Job.objects.filter(name=AGGREGATES, status=JobStatus.PENDING).values_list("pk", flat=True)
        )
        order.shuffle(pending)
        for pk in pending:
            assert jobs_run_due(job_ids=[pk]) == ["done"]
    incremental = aggregate_rows()
    expected = unit_rollups_expected()
    assert {k: incremental[k] for k in expected} == expected
    aggregates_rebuild()
    assert aggregate_rows() == incremental
