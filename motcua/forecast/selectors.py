"""Reads of the lateness forecast — for the official's queue, the leadership list and the dashboards.

Both read the ``LatenessForecast`` table the periodic job writes: a page never computes a forecast.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import F, OrderBy

from motcua.accounts.models import AccountOrAnonymous
from motcua.catalog.models import Procedure
from motcua.dossiers.models import Dossier
from motcua.forecast.models import LatenessForecast
from motcua.org.models import OVERSIGHT_ROLES, Role, Unit
from motcua.org.selectors import official_reaches_every_unit, official_units

# Who may read the leadership list ("Hồ sơ có nguy cơ trễ hạn"): leaders, supervisors, report viewers
# (and the province administrator, who reads what report viewers read).
RISK_VIEWER_ROLES = frozenset({Role.LEADER, Role.SUPERVISOR, *OVERSIGHT_ROLES})
# From this probability a queue row carries the badge and the leadership list shows the dossier.
RISK_THRESHOLD = 0.5


def risk_order() -> tuple[OrderBy, ...]:
    """Ordering of a dossier queryset by forecast risk, riskiest first (no forecast last), then due time.

    For ``dossiers.selectors.dossier_queue(order=…)``: a LEFT JOIN on the forecast table.
    """
    return (
        F("lateness_forecast__probability").desc(nulls_last=True),
        F("due_at").asc(nulls_last=True),
        F("pk").asc(),
    )


def forecasts_for_dossiers(dossier_ids: Iterable[int]) -> dict[int, LatenessForecast]:
    """The forecasts of these dossiers by dossier id (one query; none for an empty list)."""
    ids = sorted(set(dossier_ids))
    if not ids:
        return {}
    rows = LatenessForecast.objects.filter(dossier_id__in=ids).only(
        "dossier_id", "probability", "reason", "expected_finish_at", "computed_at"
    )
    return {row.dossier_id: row for row in rows}


def risk_viewer_units(*, user: AccountOrAnonymous) -> list[Unit]:
    """The units whose at-risk dossiers ``user`` may list (``RISK_VIEWER_ROLES``, unit scope of org)."""
    return list(official_units(user=user, roles=RISK_VIEWER_ROLES).order_by("name"))


@dataclass
class ProcedureRisks:
    procedure: Procedure
    forecasts: list[LatenessForecast] = field(default_factory=list)


@dataclass
class UnitRisks:
    unit: Unit
    procedures: list[ProcedureRisks] = field(default_factory=list)
    count: int = 0


def riskiest_dossiers(
    *,
    user: AccountOrAnonymous,
    units: Iterable[Unit] | None = None,
    received_at: Iterable[int] | None = None,
    threshold: float = RISK_THRESHOLD,
    limit: int = 200,
) -> list[LatenessForecast]:
    """The open dossiers most likely to be late in ``user``'s units (or the given subset of them), riskiest
    first, each with its dossier, procedure, unit and assignee joined (one query after the units).

    ``received_at``: ids of service centres (of the user's units) — the dossiers received there, wherever
    they are handled now: what a centre's supervisor chases the deciding agencies about.

    The selector a dashboard embeds; ``riskiest_by_unit`` groups its answer for the leadership page.
    """
    allowed = risk_viewer_units(user=user)
    allowed_ids = {u.pk for u in allowed}
    qs = LatenessForecast.objects.filter(probability__gte=threshold, dossier__is_open=True)
    if received_at is not None:
        centres = set(received_at) & allowed_ids
        if not centres:
            return []
        qs = qs.filter(dossier__receiving_unit_id__in=sorted(centres))
    else:
        wanted = allowed_ids if units is None else {u.pk for u in units} & allowed_ids
        if not wanted:
            return []
        if not (units is None and official_reaches_every_unit(user=user)):
            qs = qs.filter(unit_id__in=sorted(wanted))
    return list(
        qs.select_related(
            "unit", "dossier__procedure", "dossier__current_step", "dossier__current_assignee__official"
        )
        .only(
            "probability",
            "reason",
            "expected_finish_at",
            "computed_at",
            "unit__name",
            "unit__short_name",
            "dossier__code",
            "dossier__state",
            "dossier__due_at",
            "dossier__is_open",
            "dossier__procedure__code",
            "dossier__procedure__name",
            "dossier__current_step__name",
            "dossier__current_assignee__username",
            "dossier__current_assignee__full_name",
            "dossier__current_assignee__official__full_name",
        )
        .order_by("-probability", "dossier__due_at", "dossier_id")[:limit]
    )


def riskiest_by_unit(forecasts: list[LatenessForecast]) -> list[UnitRisks]:
    """``riskiest_dossiers`` grouped by unit then procedure, the groups in order of their riskiest dossier."""
    by_unit: dict[int, UnitRisks] = {}
    by_procedure: dict[tuple[int, int], ProcedureRisks] = {}
    for fc in forecasts:
        group = by_unit.get(fc.unit_id)
        if group is None:
            group = by_unit[fc.unit_id] = UnitRisks(unit=fc.unit)
        dossier: Dossier = fc.dossier
        key = (fc.unit_id, dossier.procedure_id)
        procedure = by_procedure.get(key)
        if procedure is None:
            procedure = by_procedure[key] = ProcedureRisks(procedure=dossier.procedure)
            group.procedures.append(procedure)
        procedure.forecasts.append(fc)
        group.count += 1
    return list(by_unit.values())
