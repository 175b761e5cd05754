"""The public transparency board — công khai kết quả giải quyết TTHC: per unit, for the current month,
the on-time rate, the dossiers in progress past their due time and the Decision 766 total.

Counts and scores only, never a dossier, a name or a code. Computing it reads the 766 rankings (a few
queries per unit); the board is kept in the cache for ``BOARD_TTL`` seconds (15 minutes, well inside
the "updated at least hourly" of issue 14), shared by every visitor and by the dashboards' rankings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.core.cache import cache
from django.utils import timezone

from motcua.core.cache import CACHE_ERRORS, cache_warn_unavailable
from motcua.core.dbrouter import reads_from_replica
from motcua.org.models import UnitKind
from motcua.reports.index766 import RankingRow, index766_ranking
from motcua.reports.periods import Period
from motcua.reports.selectors import statistics_by_unit

BOARD_TTL = 15 * 60
BOARD_KINDS = (UnitKind.COMMUNE_COMMITTEE, UnitKind.DEPARTMENT)


@dataclass(frozen=True, slots=True)
class BoardRow:
    rank: int
    unit_id: int
    unit_name: str
    received: int
    resolved: int
    on_time_percent: Decimal | None
    overdue: int
    index_total: Decimal | None  # None: no indicator applies to the unit in the period
    index_change: Decimal | None


@dataclass(frozen=True, slots=True)
class Board:
    period: Period
    computed_at: datetime
    groups: tuple[tuple[str, tuple[BoardRow, ...]], ...]  # (unit kind, rows by rank)


@reads_from_replica()
def board_compute(*, period: Period) -> Board:
    groups = []
    for kind in BOARD_KINDS:
        ranking = index766_ranking(period=period, kind=kind)
        groups.append((str(kind), tuple(_rows(period, ranking))))
    return Board(period=period, computed_at=timezone.now(), groups=tuple(groups))


def _rows(period: Period, ranking: list[RankingRow]) -> list[BoardRow]:
    stats = statistics_by_unit(period=period, units=[r.unit for r in ranking])
    rows = []
    for r, s in zip(ranking, stats, strict=True):
        rows.append(
            BoardRow(
                rank=r.rank,
                unit_id=r.unit.pk,
                unit_name=r.unit.name,
                received=s.received_total,
                resolved=s.resolved,
                on_time_percent=s.on_time.percent,
                overdue=s.in_progress_overdue,
                index_total=r.total,
                index_change=r.change,
            )
        )
    return rows


def board_for(*, period: Period | None = None) -> Board:
    """The board of ``period`` (default: the current month), from the cache when it is fresh."""
    if period is None:
        today = timezone.localdate()
        period = Period.month(today.year, today.month)
    key = f"motcua:reports:board:{period.kind}:{period.first}:{period.last}"
    try:
        board = cache.get(key)
    except CACHE_ERRORS as exc:
        cache_warn_unavailable(where="transparency board", error=exc)
        return board_compute(period=period)
    if board is None:
        board = board_compute(period=period)
        try:
            cache.set(key, board, timeout=BOARD_TTL)
        except CACHE_ERRORS as exc:
            cache_warn_unavailable(where="transparency board", error=exc)
    return board
