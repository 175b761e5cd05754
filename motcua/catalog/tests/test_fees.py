"""Fee schedules: the terms derived at import and the fee due for a dossier (catalog.fees)."""

from __future__ import annotations

from typing import Any

from motcua.catalog.fees import FeeStatus, fee_cases, fee_due, fee_summary, fee_terms_derive
from motcua.catalog.models import FeeBasis, FeeChannel, ProcedureFee

# Catalogue data as published (data/catalog/detailed/1.004222.json).
THUONG_TRU = [
    {
        "name": "Lệ phí đăng ký thường trú - nộp trực tiếp",
        "amount_vnd": 20000,
        "note": "20.000 đồng; có trường hợp miễn phí",
    },
    {
        "name": "Lệ phí đăng ký thường trú - nộp trực tuyến",
        "amount_vnd": 10000,
        "note": "10.000 đồng; có trường hợp miễn phí",
    },
]


def schedule(lines: list[dict[str, Any]]) -> list[ProcedureFee]:
    """Unsaved fee lines with the terms the importer derives."""
    return [ProcedureFee(order=n, **line) for n, line in enumerate(fee_terms_derive(lines), start=1)]


# ---- terms derived from names and notes -------------------------------------------------------------


def test_channel_alternatives_are_read_from_the_names():
    counter, online = fee_terms_derive(THUONG_TRU)
    assert (counter["channel"], online["channel"]) == (FeeChannel.COUNTER, FeeChannel.ONLINE)
    assert counter["exemption"] == "Có trường hợp miễn phí."
    assert not counter["case_group"]
    assert not counter["conditional"]


def test_a_note_about_paying_online_does_not_make_a_line_online_only():
    (line,) = fee_terms_derive(
        [
            {
                "name": "Lệ phí đăng ký hộ kinh doanh",
                "amount_vnd": None,
                "note": "Thanh toán lệ phí khi nộp trực tuyến.",
            }
        ]
    )
    assert line["channel"] == FeeChannel.ANY


def test_per_unit_rates_conditions_and_cases():
    page, signature, copy, first, renewal = fee_terms_derive(
        [
            {"name": "Phí chứng thực bản sao", "amount_vnd": 2000, "note": "2.000 đồng/trang; từ trang 3 …"},
            {"name": "Phí chứng thực chữ ký", "amount_vnd": 10000, "note": "10.000 đồng/trường hợp"},
            {"name": "Phí cấp bản sao Giấy khai sinh (nếu có yêu cầu)", "amount_vnd": None, "note": ""},
            {"name": "Lệ phí cấp giấy phép - trường hợp cấp mới", "amount_vnd": 100000, "note": ""},
            {"name": "Lệ phí cấp giấy phép - trường hợp gia hạn", "amount_vnd": 50000, "note": ""},
        ]
    )
    assert page["basis"] == FeeBasis.PER_PAGE
    assert signature["basis"] == FeeBasis.PER_CASE
    assert (copy["conditional"], copy["case_name"]) == (True, "nếu có yêu cầu")
    assert first["case_group"] == renewal["case_group"] == "Lệ phí cấp giấy phép"
    assert (first["case_name"], renewal["case_name"]) == ("trường hợp cấp mới", "trường hợp gia hạn")


def test_a_single_case_line_is_conditional_not_a_group():
    (line,) = fee_terms_derive([{"name": "Lệ phí - trường hợp cấp lại", "amount_vnd": 5000, "note": ""}])
    assert (line["case_group"], line["conditional"]) == ("", True)


def test_an_exemption_from_a_data_note_is_told_without_the_note():
    (line,) = fee_terms_derive(
        [
            {
                "name": "Lệ phí đăng ký tạm trú - nộp trực tiếp",
                "amount_vnd": None,
                "note": "Nguồn liệt kê các mức: 10.000 Đồng; 15.000 Đồng; Miễn phí (không rõ trường hợp).",
            }
        ]
    )
    assert line["exemption"] == "Có trường hợp được miễn phí."


def test_the_exemption_on_the_fee_due_names_no_source_website():
    due = fee_due(
        fees=schedule(
            [{"name": "Lệ phí", "amount_vnd": 20_000, "note": "Miễn cho người có công theo Cổng DVCQG."}]
        ),
        channel=FeeChannel.COUNTER,
    )
    assert "Miễn, giảm: Miễn cho người có công." in due.explanation
    assert "Cổng" not in due.explanation


# ---- the fee due ------------------------------------------------------------------------------------


def test_alternatives_are_never_added():
    """Issue 8 point 10: "Đăng ký thường trú" showed 20.000 + 10.000 = "Tổng: 30.000 đồng"."""
    fees = schedule(THUONG_TRU)
    counter = fee_due(fees=fees, channel=FeeChannel.COUNTER)
    online = fee_due(fees=fees, channel=FeeChannel.ONLINE)
    assert (counter.total_vnd, counter.status) == (20_000, FeeStatus.DUE)
    assert (online.total_vnd, online.status) == (10_000, FeeStatus.DUE)
    assert [line.name for line in counter.lines] == ["Lệ phí đăng ký thường trú - nộp trực tiếp"]
    assert "mức nộp trực tiếp" in counter.explanation
    assert "Không tính Lệ phí đăng ký thường trú - nộp trực tuyến: chỉ áp dụng khi nộp trực tuyến" in (
        counter.explanation
    )
    assert "30.000" not in counter.explanation


def test_the_chosen_case_applies_and_the_first_case_by_default():
    fees = schedule(
        [
            {"name": "Lệ phí cấp giấy phép - trường hợp cấp mới", "amount_vnd": 100000, "note": ""},
            {"name": "Lệ phí cấp giấy phép - trường hợp gia hạn", "amount_vnd": 50000, "note": ""},
            {"name": "Phí thẩm định", "amount_vnd": 20000, "note": ""},
        ]
    )
    assert fee_cases(fees) == {"Lệ phí cấp giấy phép": ["trường hợp cấp mới", "trường hợp gia hạn"]}
    renewal = fee_due(fees=fees, channel=FeeChannel.COUNTER, case="trường hợp gia hạn")
    assert (renewal.total_vnd, renewal.case) == (70_000, "trường hợp gia hạn")
    default = fee_due(fees=fees, channel=FeeChannel.COUNTER)
    assert (default.total_vnd, default.case) == (120_000, "trường hợp cấp mới")


def test_an_unpublished_amount_is_never_zero_or_free():
    fees = schedule([{"name": "Lệ phí cấp Giấy xác nhận", "amount_vnd": None, "note": "Không rõ."}])
    due = fee_due(fees=fees, channel=FeeChannel.COUNTER)
    assert due.status == FeeStatus.UNPUBLISHED
    assert fee_summary(due.status, due.total_vnd) == "Chưa công bố mức thu"
    assert "chưa công bố mức thu" in due.explanation
    nothing_listed = fee_due(fees=[], channel=FeeChannel.ONLINE)
    assert nothing_listed.status == FeeStatus.UNPUBLISHED
    partial = fee_due(
        fees=schedule(
            [
                {"name": "Phí A", "amount_vnd": 30000, "note": ""},
                {"name": "Phí B", "amount_vnd": None, "note": ""},
            ]
        ),
        channel=FeeChannel.COUNTER,
    )
    assert (partial.status, partial.total_vnd) == (FeeStatus.PARTIAL, 30_000)
    assert fee_summary(partial.status, partial.total_vnd).startswith("Tạm tính: 30.000 đồng")


def test_free_conditional_and_per_page_lines():
    free = fee_due(
        fees=schedule([{"name": "Lệ phí đăng ký khai tử", "amount_vnd": 0, "note": "miễn lệ phí đúng hạn."}]),
        channel=FeeChannel.COUNTER,
    )
    assert (free.status, fee_summary(free.status, 0)) == (FeeStatus.FREE, "Miễn phí")
    conditional = fee_due(
        fees=schedule([{"name": "Phí cấp bản sao (nếu có yêu cầu)", "amount_vnd": 8000, "note": ""}]),
        channel=FeeChannel.COUNTER,
    )
    assert (conditional.total_vnd, conditional.lines) == (0, [])
    assert "chỉ thu nếu có yêu cầu" in conditional.explanation
    per_page = fee_due(
        fees=schedule([{"name": "Phí chứng thực bản sao", "amount_vnd": 2000, "note": "2.000 đồng/trang"}]),
        channel=FeeChannel.COUNTER,
    )
    assert per_page.total_vnd == 2_000
    assert "2.000 đồng/trang, tạm tính cho 1 trang" in per_page.explanation
