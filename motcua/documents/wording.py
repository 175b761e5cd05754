"""Vietnamese wording of dates and times on the standard forms (cách ghi ngày, tháng, năm).

Every instant is shown in the project's display zone (``settings.TIME_ZONE``, Asia/Ho_Chi_Minh), whatever
zone the caller's aware datetime carries: forms are legal documents read by people in Vietnam, and an
appointment printed in UTC would be seven hours wrong.
"""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from django.utils import timezone


def display_zone() -> tzinfo:
    """The zone every form shows times in (``settings.TIME_ZONE``)."""
    return timezone.get_default_timezone()


def local(moment: datetime) -> datetime:
    """Convert an aware datetime to the display zone; naive input is a programming error."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        # A naive datetime is ambiguous (UTC from the database? local from a form?), and guessing
        # would print a wrong appointment on a legal document.
        raise ValueError(f"Thời điểm phải có múi giờ (aware datetime), nhận được {moment!r}")
    return moment.astimezone(display_zone())


def _day_of(value: date | datetime) -> date:
    return local(value).date() if isinstance(value, datetime) else value


def date_words(value: date | datetime) -> str:
    """``ngày 05 tháng 3 năm 2026``: the wording of Decree 30/2020 (Phụ lục I, mục II.4).

    Days below 10 and the months January and February take a leading zero; other months do not
    (so "tháng 01" cannot be misread as "tháng 10" or "tháng 11" when filled in by hand).
    """
    day = _day_of(value)
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def place_date(place: str, value: date | datetime) -> str:
    """``Quảng Ninh, ngày 22 tháng 11 năm 2026`` (địa danh, ngày tháng năm ban hành)."""
    return f"{place}, {date_words(value)}" if place else date_words(value).capitalize()


def date_numeric(value: date | datetime) -> str:
    """``22/11/2026``."""
    return _day_of(value).strftime("%d/%m/%Y")


def time_words(moment: datetime) -> str:
    """``10 giờ 05 phút, ngày 22/11/2026``: the clock time as written on receipts and slips."""
    at = local(moment)
    return f"{at:%H} giờ {at:%M} phút, ngày {at:%d/%m/%Y}"


def time_compact(moment: datetime) -> str:
    """``10:05 22/11/2026`` for narrow table cells (ledger, process-control slip)."""
    return f"{local(moment):%H:%M %d/%m/%Y}"


# Words naming a kind of administrative area; the capitalised words after one are a place name.
_DIVISIONS = (
    ("thành", "phố"),
    ("thị", "trấn"),
    ("thị", "xã"),
    ("đặc", "khu"),
    ("phường",),
    ("xã",),
    ("tỉnh",),
    ("huyện",),
    ("quận",),
)
NO_BREAK_SPACE = "\u00a0"


def _place_word(word: str) -> bool:
    # "Hạ", "Long", "Cô", "1" (Phường 1) belong to a place name; "hội" in "xã hội" does not.
    return word[:1].isupper() or word[:1].isdigit()


def heading_segments(name: str) -> list[str]:
    """Split a unit name into the pieces the heading of Decree 30/2020 may put on separate lines.

    A place name stays with its division word and never breaks ("phường Hạ Long" is one piece, its
    spaces made non-breaking): "Ủy ban nhân dân phường Hạ Long" gives ``["Ủy ban nhân dân",
    "phường Hạ Long"]``; a name without a place is one piece, wrapped between words as usual.
    """
    words = name.split()
    segments: list[str] = []
    free: list[str] = []
    i = 0
    while i < len(words):
        division = next(
            (
                len(parts)
                for parts in _DIVISIONS
                if [w.lower() for w in words[i : i + len(parts)]] == list(parts)
            ),
            0,
        )
        end = i + division
        while division and end < len(words) and _place_word(words[end]):
            end += 1
        if division and end > i + division:
            if free:
                segments.append(" ".join(free))
                free = []
            segments.append(NO_BREAK_SPACE.join(words[i:end]))
            i = end
        else:
            free.append(words[i])
            i += 1
    if free:
        segments.append(" ".join(free))
    return segments
