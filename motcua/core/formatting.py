"""Vietnamese display formats: money in đồng, numbers with "." thousands and "," decimals, durations.

Django's own localisation would need USE_THOUSAND_SEPARATOR project-wide; these functions format exactly
where the page, the API or a form asks, independent of the active language (amounts are in đồng either
way). Python code imports them from here; templates reach them through ``{% load vn_format %}``
(``core.templatetags.vn_format`` only registers them).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

_UNIT_LABELS = {
    "working_days": gettext_noop("ngày làm việc"),
    "working_hours": gettext_noop("giờ làm việc"),
    "calendar_days": gettext_noop("ngày"),
    "hours": gettext_noop("giờ"),
    "": gettext_noop("ngày"),  # the source says only "N ngày" (e.g. 1.001193)
}


def format_number(value: int | float | Decimal | str | None) -> str:
    """1234567 → "1.234.567"; Decimal("0.50") → "0,5"; None → ""."""
    if value is None or value == "":
        return ""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    sign = "-" if number < 0 else ""
    text = f"{abs(number):f}"
    whole, _dot, frac = text.partition(".")
    frac = frac.rstrip("0")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return sign + ".".join(groups) + ("," + frac if frac else "")


def format_vnd(amount: int | None) -> str:
    """50000 → "50.000 đồng"; 0 → "Miễn phí"; None → "Chưa công bố"."""
    if amount is None:
        return _("Chưa công bố")
    if int(amount) == 0:
        return _("Miễn phí")
    return _("%(amount)s đồng") % {"amount": format_number(amount)}


def format_duration(amount: Decimal | float | int | None, unit: str | None) -> str:
    """(5, "working_days") → "5 ngày làm việc"; same_day → "Trong ngày"; unknown → ""."""
    unit = unit or ""
    if unit == "same_day":
        return _("Trong ngày")
    if unit == "not_counted":
        return _("Không tính thời gian")
    if amount is None:
        return ""
    label = _UNIT_LABELS.get(unit, unit)
    return f"{format_number(amount)} {_(label)}"
