"""Procedures of other provinces — thủ tục của tỉnh, thành phố khác — found by their names.

The national lists mix in local procedures that provinces published for themselves ("Hỗ trợ phát
triển sản xuất … trên địa bàn tỉnh Thanh Hóa", "… của Hội đồng nhân dân thành phố Đà Nẵng"). They do
not apply in Quảng Ninh: the importer marks them ``Procedure.applies_here = False`` (docs/domain.md
"Thủ tục của tỉnh khác").

Rule: the name contains "tỉnh <P>", "thành phố <P>" or "TP <P>" (also "các tỉnh: <P>, …") where <P> is a
province of Việt Nam other than Quảng Ninh, and does not name Quảng Ninh itself. Only a named province
counts: "UBND tỉnh", "cấp tỉnh", "tỉnh, thành phố trực thuộc trung ương" and "từ 2 tỉnh trở lên" name
none and describe national procedures. The names are the 34 provinces of the ``vietnam-provinces``
library (after the 1 July 2025 reorganisation) plus the 29 former provinces merged into them (Nghị quyết
202/2025/QH15) and Thừa Thiên Huế (thành phố Huế since January 2025), because the national lists still
use the old names ("tỉnh Thừa Thiên Huế"). Quảng Ninh kept its name and boundaries, so none of its
former or current names is in the list. Cities of Quảng Ninh ("thành phố Hạ Long") are not provinces and
do not match.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Final

from vietnam_provinces import Province

from motcua.core.text import nfc

HOME_PROVINCE: Final = "Quảng Ninh"

# Provinces merged into others on 1 July 2025 (Nghị quyết 202/2025/QH15), and Thừa Thiên Huế, renamed
# thành phố Huế in January 2025: the library lists only the 34 provinces that exist now, and older
# procedure names use these.
FORMER_PROVINCES: Final = (
    "Hà Giang",
    "Yên Bái",
    "Bắc Kạn",
    "Vĩnh Phúc",
    "Hòa Bình",
    "Bắc Giang",
    "Hải Dương",
    "Thái Bình",
    "Hà Nam",
    "Nam Định",
    "Quảng Bình",
    "Thừa Thiên Huế",
    "Quảng Nam",
    "Kon Tum",
    "Bình Định",
    "Phú Yên",
    "Ninh Thuận",
    "Bình Thuận",
    "Đắk Nông",
    "Bình Phước",
    "Bình Dương",
    "Bà Rịa - Vũng Tàu",
    "Long An",
    "Tiền Giang",
    "Bến Tre",
    "Trà Vinh",
    "Sóc Trăng",
    "Hậu Giang",
    "Bạc Liêu",
    "Kiên Giang",
)
_CITY_PREFIX: Final = re.compile(r"^Thành phố\s+", re.IGNORECASE)


@cache
def other_province_names() -> tuple[str, ...]:
    """Names of every province except Quảng Ninh, current and former, longest first (for the regex)."""
    current = [_CITY_PREFIX.sub("", nfc(p.name)) for p in Province.iter_all()]
    names = {n for n in (*current, *FORMER_PROVINCES) if n != HOME_PROVINCE}
    return tuple(sorted(names, key=lambda n: (-len(n), n)))


@cache
def _pattern() -> re.Pattern[str]:
    alternatives = "|".join(re.escape(n) for n in other_province_names())
    # \b after the name: "tỉnh Hà Nam" must not match "tỉnh Hà Nam Định"-like longer names (longest
    # first already) nor a name that merely starts the same way.
    return re.compile(rf"\b(?:tỉnh|thành phố|TP\.?)\s*:?\s+({alternatives})(?!\w)", re.IGNORECASE)


def other_province_named(name: str) -> str | None:
    """The other province a procedure name restricts it to, or None (it may apply in Quảng Ninh).

    A name that lists Quảng Ninh among the provinces ("các tỉnh: Quảng Ninh, Lạng Sơn …") applies here.
    """
    name = nfc(name)
    if HOME_PROVINCE.casefold() in name.casefold():
        return None
    match = _pattern().search(name)
    return match.group(1) if match else None


@cache
def _mention_pattern() -> re.Pattern[str]:
    alternatives = "|".join(re.escape(n) for n in other_province_names())
    return re.compile(rf"\b(?:tỉnh|thành phố|TP\.?|của|theo)\s+({alternatives})(?!\w)", re.IGNORECASE)


def text_names_other_province(text: str) -> bool:
    """Whether ``text`` ties itself to another province: "tỉnh Cao Bằng", "(theo phương án … của Đồng
    Nai)", "Quyết định …/QĐ-UBND tỉnh Đồng Nai". A bare name is not enough — an address "…, Hà Nội" of
    a central agency is information a citizen needs."""
    return bool(_mention_pattern().search(nfc(text)))
