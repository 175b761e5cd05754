"""Hồ sơ có nguy cơ trễ hạn: the leadership list of the open dossiers most likely to be late.

For leaders, supervisors and report viewers (``forecast.selectors.RISK_VIEWER_ROLES``), over the units
their roles reach (``org.selectors.official_units``), grouped by unit and procedure so that work can be
reassigned before it is late. The figures come from the forecast table the periodic job writes
(docs/architecture.md §25); the page computes nothing.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from motcua.backoffice.access import forbidden, official_required
from motcua.forecast import selectors as forecast
from motcua.org.models import OVERSIGHT_ROLES
from motcua.org.selectors import official_role_set

RISK_ONLY_MESSAGE = gettext_lazy("Trang này dành cho lãnh đạo, giám sát và người xem báo cáo.")
THRESHOLDS = {"50": 0.5, "70": 0.7, "90": 0.9}


@require_GET
@official_required
def risk_list(request: HttpRequest) -> HttpResponse:
    """The riskiest open dossiers of my units (``?don_vi=<id>``: one of them; ``?muc=70``: a higher bar)."""
    units = forecast.risk_viewer_units(user=request.user)
    if not units:
        return forbidden(request, RISK_ONLY_MESSAGE)
    chosen = next((u for u in units if str(u.pk) == request.GET.get("don_vi")), None)
    level = str(request.GET.get("muc", ""))
    if level not in THRESHOLDS:
        level = "50"
    rows = forecast.riskiest_dossiers(
        user=request.user, units=[chosen] if chosen else None, threshold=THRESHOLDS[level]
    )
    roles = official_role_set(user=request.user)
    context = {
        "units": units,
        "chosen": chosen,
        "level": level,
        "levels": list(THRESHOLDS),
        "groups": forecast.riskiest_by_unit(rows),
        "total": len(rows),
        "computed_at": max((fc.computed_at for fc in rows), default=None),
        # Overseers read no dossier page (personal data): the codes are not links for them.
        "link_codes": request.user.is_superuser or not roles <= OVERSIGHT_ROLES,
    }
    return render(request, "backoffice/risks.html", context)
