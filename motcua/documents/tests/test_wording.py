from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from motcua.documents import wording


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 11, 22), "ngày 22 tháng 11 năm 2026"),
        (date(2026, 3, 5), "ngày 05 tháng 3 năm 2026"),
        (date(2026, 2, 14), "ngày 14 tháng 02 năm 2026"),
        (date(2026, 1, 1), "ngày 01 tháng 01 năm 2026"),
        (date(2026, 10, 9), "ngày 09 tháng 10 năm 2026"),
    ],
)
def test_date_words_follow_decree_30_zero_padding(day, expected):
    assert wording.date_words(day) == expected


def test_utc_instant_is_worded_in_vietnam_time():
    assert wording.time_words(datetime(2026, 11, 22, 3, 5, tzinfo=UTC)) == "10 giờ 05 phút, ngày 22/11/2026"


def test_utc_evening_is_the_next_day_in_vietnam():
    late_utc = datetime(2026, 11, 21, 20, 30, tzinfo=UTC)
    assert wording.date_words(late_utc) == "ngày 22 tháng 11 năm 2026"
    assert wording.time_compact(late_utc) == "03:30 22/11/2026"
    assert wording.date_numeric(late_utc) == "22/11/2026"


def test_other_zones_are_converted_too():
    tokyo = timezone(timedelta(hours=9))
    assert (
        wording.time_words(datetime(2026, 11, 22, 12, 5, tzinfo=tokyo)) == "10 giờ 05 phút, ngày 22/11/2026"
    )


def test_naive_datetime_is_refused():
    with pytest.raises(ValueError, match="múi giờ"):
        wording.time_words(datetime(2026, 11, 22, 10, 5))


def test_place_date():
    assert wording.place_date("Quảng Ninh", date(2026, 11, 22)) == "Quảng Ninh, ngày 22 tháng 11 năm 2026"
    assert wording.place_date("", date(2026, 11, 22)) == "Ngày 22 tháng 11 năm 2026"


@pytest.mark.parametrize(
    ("name", "segments"),
    [
        ("Ủy ban nhân dân phường Hạ Long", ["Ủy ban nhân dân", "phường Hạ Long"]),
        (
            "Trung tâm Phục vụ hành chính công đặc khu Cô Tô",
            ["Trung tâm Phục vụ hành chính công", "đặc khu Cô Tô"],
        ),
        ("UBND xã Hải Hòa, tỉnh Quảng Ninh", ["UBND", "xã Hải Hòa,", "tỉnh Quảng Ninh"]),
        ("Phường 1", ["Phường 1"]),
        ("Phòng Kinh tế, Hạ tầng và Đô thị", ["Phòng Kinh tế, Hạ tầng và Đô thị"]),
        ("Trung tâm Công tác xã hội", ["Trung tâm Công tác xã hội"]),  # "xã hội" names no place
    ],
)
def test_heading_segments_keep_place_names_whole(name, segments):
    result = wording.heading_segments(name)
    assert [segment.replace(wording.NO_BREAK_SPACE, " ") for segment in result] == segments


def test_heading_segments_glue_a_place_name_with_no_break_spaces():
    # Only the place name's own spaces are non-breaking; the line may still break before "phường".
    assert wording.heading_segments("Ủy ban nhân dân phường Hạ Long") == [
        "Ủy ban nhân dân",
        "phường\xa0Hạ\xa0Long",
    ]
