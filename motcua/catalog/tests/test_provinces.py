"""Procedures of other provinces, detected by name (catalog.provinces)."""

from __future__ import annotations

import pytest

from motcua.catalog.provinces import other_province_named, other_province_names


@pytest.mark.parametrize(
    ("name", "province"),
    [
        ("Hỗ trợ phát triển sản xuất cộng đồng trên địa bàn tỉnh Thanh Hóa.", "Thanh Hóa"),
        ("Hỗ trợ chi phí hỏa táng trên địa bàn tỉnh Thừa Thiên Huế", "Thừa Thiên Huế"),  # before 2025
        ("Công nhận sáng kiến có tác dụng đối với thành phố Đà Nẵng (Sở KHCN)", "Đà Nẵng"),
        ("Cấp giấy phép thành lập Hiệp hội tại Thành phố Hồ Chí Minh", "Hồ Chí Minh"),
        ("Chuyển mục đích sử dụng rừng của Hội đồng nhân dân các tỉnh: Thanh Hóa, Nghệ An", "Thanh Hóa"),
        ("Hỗ trợ doanh nghiệp qua cảng Chân Mây, tỉnh Bình Định", "Bình Định"),
    ],
)
def test_names_of_other_provinces(name: str, province: str) -> None:
    assert other_province_named(name) == province


@pytest.mark.parametrize(
    "name",
    [
        "Cấp Giấy phép bán buôn rượu trên địa bàn tỉnh, thành phố trực thuộc trung ương",
        "Thẩm định dự án do Chủ tịch UBND tỉnh quyết định đầu tư",
        "Phê duyệt kế hoạch trên phạm vi từ hai tỉnh, thành phố trực thuộc trung ương trở lên.",
        "Hỗ trợ du lịch trên địa bàn tỉnh Quảng Ninh",
        "Cấp phép trên địa bàn thành phố Hạ Long",  # a city of Quảng Ninh, not a province
        "Liên kết vùng các tỉnh: Quảng Ninh, Lạng Sơn",  # lists Quảng Ninh: applies here
        "Đăng ký thường trú",
    ],
)
def test_national_and_own_procedures_apply_here(name: str) -> None:
    assert other_province_named(name) is None


def test_the_list_has_current_and_former_provinces_but_not_quang_ninh():
    names = other_province_names()
    assert "Quảng Ninh" not in names
    assert {"Thanh Hóa", "Huế", "Thừa Thiên Huế", "Hải Dương", "Hà Nội"} <= set(names)
    assert len(names) == 33 + 30
