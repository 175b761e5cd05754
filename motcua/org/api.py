"""Public API of units: ``/api/v1/units`` (mounted by ``motcua.api``).

Read-only and anonymous: unit names, codes and addresses are published information that portals,
kiosks and other systems need to route dossiers.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status

from motcua.core.api_errors import ErrorOut
from motcua.org.models import AreaKind, Unit, UnitKind
from motcua.org.selectors import unit_counters, unit_get, unit_list

router = Router(tags=["Đơn vị"])


class UnitOut(Schema):
    """A unit (đơn vị) as listed publicly."""

    agency_code: str
    name: str
    short_name: str
    kind: UnitKind
    kind_label: str
    area_code: int | None
    area_kind: AreaKind | None
    area_kind_label: str | None
    parent_agency_code: str | None
    address: str


class CounterOut(Schema):
    """A reception counter (quầy tiếp nhận)."""

    number: int
    label: str


class UnitDetailOut(UnitOut):
    phone: str
    email: str
    counters: list[CounterOut]


def _unit_out(unit: Unit) -> UnitOut:
    area_kind = AreaKind(unit.area_kind) if unit.area_kind else None
    return UnitOut(
        agency_code=unit.agency_code,
        name=unit.name,
        short_name=unit.short_name,
        kind=UnitKind(unit.kind),
        kind_label=UnitKind(unit.kind).label,
        area_code=unit.area_code,
        area_kind=area_kind,
        area_kind_label=area_kind.label if area_kind else None,
        parent_agency_code=unit.parent.agency_code if unit.parent else None,
        address=unit.address,
    )


@router.get("", response=list[UnitOut], summary="Danh sách đơn vị đang hoạt động")
def units_list(
    request: HttpRequest,
    kind: UnitKind | None = None,
    area_kind: AreaKind | None = None,
    q: str | None = Query(None, max_length=200, description="Tìm theo tên hoặc mã, không phân biệt dấu"),
) -> list[UnitOut]:
    """Units of the province: People's Committees, departments and service centres."""
    return [_unit_out(unit) for unit in unit_list(kind=kind, area_kind=area_kind, q=q)]


@router.get(
    "/{agency_code}",
    response={200: UnitDetailOut, 404: ErrorOut},
    summary="Chi tiết đơn vị theo mã định danh",
)
def units_get(request: HttpRequest, agency_code: str) -> Status[UnitDetailOut] | Status[ErrorOut]:
    """One unit by its electronic identification code (mã định danh), e.g. ``000.00.00.H49``."""
    unit = unit_get(agency_code=agency_code)
    if unit is None:
        detail = f"Không tìm thấy đơn vị có mã định danh «{agency_code}»."
        return Status(404, ErrorOut(detail=detail, code="not_found"))
    counters = [CounterOut(number=c.number, label=c.label) for c in unit_counters(unit=unit)]
    return Status(
        200,
        UnitDetailOut(**_unit_out(unit).model_dump(), phone=unit.phone, email=unit.email, counters=counters),
    )
