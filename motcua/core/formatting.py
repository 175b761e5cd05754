"""Display formats: money in đồng, numbers with "." thousands and "," decimals, durations.

Django's own localisation would need USE_THOUSAND_SEPARATOR project-wide; these functions format exactly
where the page, the API or a form asks. ``format_number`` is always Vietnamese (the statutory forms
print it). ``format_vnd``, ``format_duration`` and ``format_number_display`` follow the active
language: Vietnamese ("1.500.000 đồng", "0,5 ngày làm việc") unless English was chosen ("1,500,000 VND",
"0.5 working days" — a decimal comma would read as a thousands separator there). The API and the
applicant's e-mails always run in Vietnamese (``core.language``, ``notifications.messages``). Python
code imports them from here; templates reach them through ``{% load vn_format %}``
(``core.templatetags.vn_format`` only registers them).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import get_language, ngettext_lazy
from django.utils.translation import gettext as _

# Plural-aware labels, the form picked by the "count" key: Vietnamese has one form (singular and plural
# are the same text), English two ("1 working day", "3 working days"); the en catalogue holds both.
_UNIT_LABELS: dict[str, Any] = {
    "working_days": ngettext_lazy("%(amount)s ngày làm việc", "%(amount)s ngày làm việc", "count"),
    "working_hours": ngettext_lazy("%(amount)s giờ làm việc", "%(amount)s giờ làm việc", "count"),
    "calendar_days": ngettext_lazy("%(amount)s ngày", "%(amount)s ngày", "count"),
    "hours": ngettext_lazy("%(amount)s giờ", "%(amount)s giờ", "count"),
}
# The source says only "N ngày" (e.g. 1.001193): calendar days.
_UNIT_LABELS[""] = _UNIT_LABELS["calendar_days"]


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


def format_number_display(value: int | float | Decimal | str | None) -> str:
    """``format_number`` in the active language: 1234567.5 → "1.234.567,5" (vi), "1,234,567.5" (en)."""
    text = format_number(value)
    if (get_language() or "vi").startswith("vi"):
        return text
    return text.translate(_ENGLISH_SEPARATORS)


_ENGLISH_SEPARATORS = str.maketrans({".": ",", ",": "."})


def format_vnd(amount: int | None) -> str:
    """50000 → "50.000 đồng" ("50,000 VND" in English); 0 → "Miễn phí"; None → "Chưa công bố"."""
    if amount is None:
        return _("Chưa công bố")
    if int(amount) == 0:
        return _("Miễn phí")
    return _("%(amount)s đồng") % {"amount": format_number_display(amount)}


def format_duration(amount: Decimal | float | int | None, unit: str | None) -> str:
    """(5, "working_days") → "5 ngày làm việc"; same_day → "Trong ngày"; unknown → ""."""
    unit = unit or ""
    if unit == "same_day":
        return _("Trong ngày")
    if unit == "not_counted":
        return _("Không tính thời gian")
    if amount is None:
        return ""
    amount_text = format_number_display(amount)
    if unit not in _UNIT_LABELS:
        return f"{amount_text} {unit}"
    return str(_UNIT_LABELS[unit] % {"amount": amount_text, "count": _plural_count(amount)})


def _plural_count(amount: Decimal | float | int) -> int:
    """The count that picks the plural form: the amount when whole, else 2 (English: "1.5 days")."""
    number = Decimal(str(amount))
    return int(number) if number == number.to_integral_value() else 2
