"""Electronic identification codes — mã định danh điện tử of units (docs/domain.md §5.2).

Structure (QCVN 102:2016/BTTTT, Thông tư 10/2016/TT-BTTTT): ``V1V2V3.Z1Z2.Y1Y2.<level 1>`` where the
last group is the province's level-1 code (Quảng Ninh: H49, unconfirmed → ``MOTCUA_AGENCY_SUFFIX``),
Y1Y2 a level-2 unit, Z1Z2 a level-3 unit under it, V1V2V3 a level-4 unit; unused levels are zeros.
``000.00.00.H49`` is the provincial People's Committee itself (Quyết định 3739/QĐ-UBND of 2016).

The rule the loader applies (every number is a setting, because the province has not confirmed the
codes issued after the 2025 reorganisation):

==========================  ================================  =========================================
unit                        code                              segment
==========================  ================================  =========================================
provincial committee        ``000.00.00.H49``                 —
department, PVHCC tỉnh      ``000.00.YY.H49``                 YY from ``data/org/departments.json``
commune committee           ``000.00.YY.H49``                 YY = ``COMMUNE_FIRST_SEGMENT`` + rank of the
                                                              commune's official code (ascending) among
                                                              the province's communes
commune PVHCC centre        ``000.ZZ.YY.H49``                 YY of its commune, ZZ =
                                                              ``COMMUNE_CENTRE_SEGMENT``
==========================  ================================  =========================================

Communes sit at level 2 because the district level no longer exists. With the defaults Quảng Ninh's 54
communes take YY 30…83, Phường Hạ Long (code 6688) is ``000.00.36.H49`` and its centre
``000.01.36.H49``. Override in settings, e.g.::

    MOTCUA_ORG_AGENCY_CODES = {"COMMUNE_FIRST_SEGMENT": 40, "COMMUNE_CENTRE_SEGMENT": 2}

The rank depends on the pinned ``vietnam-provinces`` data: upgrading the package can shift the codes of
communes whose codes were not set by hand; the loader reports every change it makes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

_SUFFIX = re.compile(r"^[A-Z][0-9]{2}$")
_MAX_SEGMENT = 99

DEFAULTS: dict[str, int] = {
    "COMMUNE_FIRST_SEGMENT": 30,
    "COMMUNE_CENTRE_SEGMENT": 1,
}


def agency_code_format(*, suffix: str, level2: int = 0, level3: int = 0, level4: int = 0) -> str:
    """Format the groups of a code; QCVN 102 writes the most specific level first."""
    return f"{level4:03d}.{level3:02d}.{level2:02d}.{suffix}"


@dataclass(frozen=True)
class AgencyCodeRule:
    """The configured rule; build it with :func:`agency_code_rule`."""

    suffix: str
    commune_first_segment: int
    commune_centre_segment: int

    def province_committee(self) -> str:
        return agency_code_format(suffix=self.suffix)

    def provincial_body(self, segment: int) -> str:
        return agency_code_format(suffix=self.suffix, level2=segment)

    def commune_segment(self, rank: int) -> int:
        return self.commune_first_segment + rank

    def commune_committee(self, rank: int) -> str:
        return agency_code_format(suffix=self.suffix, level2=self.commune_segment(rank))

    def commune_centre(self, rank: int) -> str:
        return agency_code_format(
            suffix=self.suffix, level2=self.commune_segment(rank), level3=self.commune_centre_segment
        )

    def check_segments(self, *, provincial_segments: Iterable[int], commune_count: int) -> None:
        """Fail before writing anything if two units would get the same code or a segment overflows."""
        last = self.commune_first_segment + commune_count - 1
        if last > _MAX_SEGMENT:
            raise ImproperlyConfigured(
                f"Không đủ mã cấp 2 cho {commune_count} đơn vị cấp xã từ đoạn "
                f"{self.commune_first_segment:02d} (tối đa {_MAX_SEGMENT})."
            )
        seen: set[int] = set()
        for segment in provincial_segments:
            if not 1 <= segment <= _MAX_SEGMENT:
                raise ImproperlyConfigured(f"Đoạn mã cấp 2 {segment} nằm ngoài khoảng 01–{_MAX_SEGMENT}.")
            if segment in seen:
                raise ImproperlyConfigured(f"Đoạn mã cấp 2 {segment:02d} được dùng cho hai cơ quan cấp tỉnh.")
            if self.commune_first_segment <= segment <= last:
                raise ImproperlyConfigured(
                    f"Đoạn mã cấp 2 {segment:02d} của cơ quan cấp tỉnh trùng dải mã cấp xã "
                    f"{self.commune_first_segment:02d}–{last:02d}."
                )
            seen.add(segment)


def agency_code_rule() -> AgencyCodeRule:
    """Read the rule from settings (``MOTCUA_AGENCY_SUFFIX``, ``MOTCUA_ORG_AGENCY_CODES``) and validate it."""
    suffix = str(settings.MOTCUA_AGENCY_SUFFIX).strip().upper()
    if not _SUFFIX.match(suffix):
        raise ImproperlyConfigured(
            f"MOTCUA_AGENCY_SUFFIX={suffix!r} không đúng dạng mã cấp 1 "
            "(một chữ cái và hai chữ số, ví dụ H49)."
        )
    overrides: dict[str, int] = getattr(settings, "MOTCUA_ORG_AGENCY_CODES", {})
    unknown = set(overrides) - set(DEFAULTS)
    if unknown:
        raise ImproperlyConfigured(f"MOTCUA_ORG_AGENCY_CODES có khóa không hợp lệ: {sorted(unknown)}.")
    values = {**DEFAULTS, **overrides}
    for key, value in values.items():
        if not isinstance(value, int) or not 1 <= value <= _MAX_SEGMENT:
            raise ImproperlyConfigured(
                f"MOTCUA_ORG_AGENCY_CODES[{key!r}] phải là số nguyên 1–{_MAX_SEGMENT}."
            )
    return AgencyCodeRule(
        suffix=suffix,
        commune_first_segment=values["COMMUNE_FIRST_SEGMENT"],
        commune_centre_segment=values["COMMUNE_CENTRE_SEGMENT"],
    )
