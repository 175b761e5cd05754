"""The Decision 766 index over the hand-built March of ``test_statistics`` (figures worked by hand)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from motcua.datastore.models import DailyDossierCount, StoredDocument
from motcua.datastore.services import Reuse, document_reuses_record, stored_result_record
from motcua.dossiers import services
from motcua.dossiers.tests.factories import World, dossier_at, dossier_submit, vn
from motcua.jobs.delivery import jobs_run_due
from motcua.jobs.models import Job, JobStatus
from motcua.nationalportal.models import DailySyncCount, SyncedDossier
from motcua.nationalportal.subscribers import DOSSIER_SYNC
from motcua.org.models import UnitKind
from motcua.population.models import DailyLookupCount
from motcua.population.services import population_lookup
from motcua.reports.index766 import Source, index766_for, index766_ranking, score
from motcua.reports.models import IndexInput
from motcua.reports.periods import Period
from motcua.reports.services import aggregates_rebuild
from motcua.reports.tests.conftest import aggregate_jobs_run
from motcua.reports.tests.test_statistics import build_march

pytestmark = pytest.mark.django_db


def test_score_rule() -> None:
    # Full points at or above the target, else proportional to it; without a target, proportional.
    assert score(Decimal("0.8"), maximum=Decimal(12), target=Decimal("0.8")) == Decimal("12.00")
    assert score(Decimal("0.4"), maximum=Decimal(12), target=Decimal("0.8")) == Decimal("6.00")
    assert score(Decimal("0.75"), maximum=Decimal(20), target=None) == Decimal("15.00")
    assert score(None, maximum=Decimal(6), target=None) is None


def test_march_index_by_hand(world: World, clock: Any) -> None:
    build_march(world, clock)
    aggregate_jobs_run()
    IndexInput.objects.create(
        unit=world.commune_a,
        indicator="1.1",
        first_day=date(2026, 3, 1),
        last_day=date(2026, 3, 31),
        value=Decimal(90),
        source_note="Báo cáo của Văn phòng UBND tỉnh",
        entered_at=timezone.now(),
    )
    index = index766_for(period=Period.month(2026, 3), unit=world.commune_a)
    by_code = {i.code: i for i in index.indicators}
    assert len(by_code) == 19
    assert (by_code["1.1"].source, by_code["1.1"].score) == (Source.INPUT, Decimal("5.40"))
    assert by_code["1.1"].note == "Báo cáo của Văn phòng UBND tỉnh"
    assert (by_code["1.2"].source, by_code["1.2"].score) == (Source.MISSING, Decimal("0.00"))
    # Synced to DVCQG: the national portal's jobs have not run.
    assert (by_code["1.4"].numerator, by_code["1.4"].denominator, by_code["1.4"].score) == (
        0,
        8,
        Decimal("0.00"),
    )
    assert (by_code["2.1"].numerator, by_code["2.1"].denominator, by_code["2.1"].score) == (
        4,
        5,
        Decimal("16.00"),
    )
    # No full-online procedure, no online receipt: not applicable.
    assert not by_code["3.1"].applicable
    assert not by_code["4.4"].applicable
    assert (by_code["3.2"].numerator, by_code["3.2"].denominator) == (1, 1)
    assert (by_code["3.4"].numerator, by_code["3.4"].denominator, by_code["3.4"].score) == (
        0,
        7,
        Decimal("0.00"),
    )
    assert by_code["4.1"].score == Decimal("6.00")
    assert (by_code["5.1"].score, by_code["5.2"].score) == (Decimal("6.00"), Decimal("3.00"))
    # 100 % − (1 late + 1 complaint) ÷ 5 resolved = 60 % of 6 points.
    assert (by_code["5.3"].numerator, by_code["5.3"].denominator, by_code["5.3"].score) == (
        3,
        5,
        Decimal("3.60"),
    )
    assert index.points == Decimal("42.00")
    assert index.applicable_maximum == Decimal(86)
    assert index.total == Decimal("48.84")
    assert index.maximum == Decimal(100)
    # February: only D0 received — 2 points (3.2) of 38 applicable.
    assert index.previous_total == Decimal("5.26")
    assert index.change == Decimal("43.58")

    province = index766_for(period=Period.month(2026, 3), with_previous=False)
    assert province.indicator("2.1").numerator == 4
    # The province has no input of its own: the commune's does not count for it.
    assert province.indicator("1.1").source == Source.MISSING


def test_ranking_of_communes(world: World, clock: Any, django_assert_max_num_queries: Any) -> None:
    build_march(world, clock)
    aggregate_jobs_run()
    with django_assert_max_num_queries(40):
        ranking = index766_ranking(period=Period.month(2026, 3), kind=UnitKind.COMMUNE_COMMITTEE)
    assert [row.unit for row in ranking] == [world.commune_a, world.commune_b]
    # No input for 1.1 here: 36.60 points of 86.
    assert ranking[0].rank == 1
    assert ranking[0].total == Decimal("42.56")
    # Nothing to measure at commune B but the inputs nobody recorded: 0 of 12 points.
    assert ranking[1].total == Decimal("0.00")


def test_synced_counts_the_dossiers_whose_receipt_reached_dvcqg(world: World, clock: Any) -> None:
    build_march(world, clock)
    aggregate_jobs_run()
    before = index766_for(period=Period.month(2026, 3), unit=world.commune_a).indicator("1.4")
    assert (before.numerator, before.denominator) == (0, 8)
    sync_jobs = Job.objects.filter(name=DOSSIER_SYNC, status=JobStatus.PENDING).values_list("pk", flat=True)
    for pk in sync_jobs:
        assert jobs_run_due(job_ids=[pk]) == ["done"]
    # Every receipt of March was delivered (counted once per dossier, whatever its later syncs); the
    # dossier carried over from February was received then.
    after = index766_for(period=Period.month(2026, 3), unit=world.commune_a).indicator("1.4")
    assert (after.numerator, after.denominator, after.score) == (8, 8, Decimal("6.00"))
    elsewhere = index766_for(period=Period.month(2026, 3), unit=world.commune_b).indicator("1.4")
    assert (elsewhere.numerator, elsewhere.denominator) == (0, 0)


def test_extension_indicators_read_the_counters_and_the_rebuild_gives_the_same(
    world: World, clock: Any, standins_on: Any, settings: Any, tmp_path: Any
) -> None:
    # 1.4, 4.4, 4.5, 4.6 read the daily counters the extensions keep as they write; the rebuild
    # recomputes those counters from the sync jobs, the store and the lookup audit.
    settings.MEDIA_ROOT = tmp_path
    build_march(world, clock)
    for pk in Job.objects.filter(name=DOSSIER_SYNC, status=JobStatus.PENDING).values_list("pk", flat=True):
        assert jobs_run_due(job_ids=[pk]) == ["done"]
    clock.move_to(vn(2026, 3, 16, 9))
    returned = dossier_at(world, "returned")
    stored_result_record(dossier_id=returned.pk)
    stored_result_record(dossier_id=returned.pk)  # a retried subscriber counts nothing more
    reusing = dossier_submit(world, key="reuse")
    document = StoredDocument.objects.get(source_dossier=returned)
    for _ in range(2):
        document_reuses_record(dossier=reusing, reuses=[Reuse(document=document, component_name="Tờ khai")])
    services.dossier_accept(actor=world.lan, dossier=reusing, row_version=reusing.row_version)
    for _ in range(3):
        population_lookup(actor=world.lan, personal_id="022192004567", purpose="Tiếp nhận hồ sơ")
    clock.move_to(vn(2026, 4, 6, 9))  # where build_march left it: its jobs are due
    aggregate_jobs_run()

    def observed() -> tuple[tuple[int | None, int | None], ...]:
        index = index766_for(period=Period.month(2026, 3), with_previous=False)
        return tuple(
            (index.indicator(code).numerator, index.indicator(code).denominator)
            for code in ("1.4", "4.4", "4.5", "4.6")
        )

    def counters() -> list[Any]:
        return [
            sorted(DailySyncCount.objects.values_list("day", "unit_id", "count")),
            sorted(SyncedDossier.objects.values_list("dossier_id", "day")),
            sorted(DailyDossierCount.objects.values_list("day", "unit_id", "kind", "count")),
            sorted(DailyLookupCount.objects.values_list("day", "actor_id", "count")),
        ]

    live, live_counters = observed(), counters()
    # The returned dossier's receipt was not synced (its job has not run); the online one was accepted.
    assert live == ((8, 10), (1, 1), (1, 6), (3, 10))
    aggregates_rebuild()
    assert (observed(), counters()) == (live, live_counters)
    aggregates_rebuild(since=date(2026, 3, 2))
    assert (observed(), counters()) == (live, live_counters)
