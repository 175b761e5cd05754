"""The chip ID card's QR parser (docs/domain.md §9.1): accepted variants, and each wrong field's message."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from motcua.accounts.id_card_qr import Gender, IdCardQr, id_card_qr_parse

TODAY = date(2026, 12, 1)
ADDRESS = "Tổ 5, khu 3, phường Hồng Gai, tỉnh Quảng Ninh"
# A man born in Quảng Ninh on 15/03/1985, card issued 10/05/2021.
CARD = f"022085123456|100200300|Nguyễn Văn An|15031985|Nam|{ADDRESS}|10052021"
EXPECTED = IdCardQr(
    id_number="022085123456",
    old_id_number="100200300",
    full_name="Nguyễn Văn An",
    date_of_birth=date(1985, 3, 15),
    gender=Gender.MALE,
    permanent_address=ADDRESS,
    issued_on=date(2021, 5, 10),
)


def _card(**changes: str) -> str:
    """CARD with some of its seven fields replaced (by name)."""
    names = ["id", "old", "name", "born", "gender", "address", "issued"]
    fields = dict(zip(names, CARD.split("|"), strict=True))
    fields.update(changes)
    return "|".join(fields[n] for n in names)


def _nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


@pytest.mark.parametrize(
    ("text", "changes"),
    [
        pytest.param(CARD, {}, id="7-fields"),
        pytest.param(CARD + "\r\n", {}, id="scanner-crlf"),
        pytest.param(f"  {CARD}\n", {}, id="surrounding-spaces"),
        pytest.param(CARD + "|", {}, id="trailing-bar"),
        pytest.param(CARD + "|||", {}, id="trailing-empty-fields"),
        pytest.param(CARD + "|10052046|Kinh", {}, id="newer-card-extra-fields"),
        pytest.param(_card(old=""), {"old_id_number": ""}, id="old-id-empty"),
        pytest.param(_card(old="022085000111"), {"old_id_number": "022085000111"}, id="old-id-12-digits"),
        pytest.param(
            f"022085123456|Nguyễn Văn An|15031985|Nam|{ADDRESS}|10052021",
            {"old_id_number": ""},
            id="6-fields-no-old-id",
        ),
        pytest.param(
            f"022085123456|Nguyễn Văn An|15031985|Nam|{ADDRESS}|10052021|",
            {"old_id_number": ""},
            id="6-fields-trailing-bar",
        ),
        pytest.param(_nfd(CARD), {}, id="nfd-text"),
        pytest.param(_card(gender="NAM"), {}, id="gender-upper"),
        pytest.param(_card(gender="nam"), {}, id="gender-lower"),
        pytest.param(_card(name="Nguyễn  Văn   An "), {}, id="name-spaces-collapsed"),
        pytest.param(
            _card(id="022185123456", gender="Nữ", name="Trần Thị Bình"),
            {"id_number": "022185123456", "gender": Gender.FEMALE, "full_name": "Trần Thị Bình"},
            id="woman-1900s",
        ),
        pytest.param(
            _card(id="022185123456", gender=_nfd("NỮ"), name="Trần Thị Bình"),
            {"id_number": "022185123456", "gender": Gender.FEMALE, "full_name": "Trần Thị Bình"},
            id="woman-gender-nfd-upper",
        ),
        pytest.param(
            _card(id="001308000123", gender="Nữ", born="29022008", issued="01072024", old=""),
            {
                "id_number": "001308000123",
                "old_id_number": "",
                "gender": Gender.FEMALE,
                "date_of_birth": date(2008, 2, 29),
                "issued_on": date(2024, 7, 1),
            },
            id="woman-2000s-leap-day",
        ),
        pytest.param(
            _card(id="001205000123", born="01012005"),
            {"id_number": "001205000123", "date_of_birth": date(2005, 1, 1)},
            id="man-2000s",
        ),
        pytest.param(_card(id="077085123456"), {"id_number": "077085123456"}, id="province-code-before-2025"),
        pytest.param(_card(issued="01122026"), {"issued_on": TODAY}, id="issued-today"),
    ],
)
def test_valid(text: str, changes: dict[str, object]):
    expected = EXPECTED.__class__(**{**EXPECTED.__dict__, **changes})
    assert id_card_qr_parse(text, today=TODAY) == expected


def test_name_and_address_are_nfc():
    parsed = id_card_qr_parse(_nfd(CARD), today=TODAY)
    assert unicodedata.is_normalized("NFC", parsed.full_name)
    assert unicodedata.is_normalized("NFC", parsed.permanent_address)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # Field count
        pytest.param("", "Mã QR trống", id="empty"),
        pytest.param(" \r\n", "Mã QR trống", id="only-newline"),
        pytest.param(
            "022085123456|Nguyễn Văn An|15031985|Nam", "Mã QR có 4 trường, cần 6 hoặc 7", id="4-fields"
        ),
        pytest.param("022085123456", "Mã QR có 1 trường", id="no-separator"),
        pytest.param("https://example.com/?a=1", "Mã QR có 1 trường", id="some-other-qr"),
        pytest.param(CARD + "|x" * 6, "Mã QR có 13 trường", id="too-many-fields"),
        pytest.param(
            _card(name="Nguyễn Văn\tAn"), "Trường thứ 3 của mã QR có ký tự điều khiển", id="tab-in-name"
        ),
        pytest.param(
            _card(address="Tổ 5\nkhu 3"),
            "Trường thứ 6 của mã QR có ký tự điều khiển",
            id="newline-in-address",
        ),
        pytest.param(_card(name="Nguyễn\u200bVăn An"), "Trường thứ 3", id="zero-width-in-name"),
        # ID number
        pytest.param(_card(id="02208512345"), "đúng 12 chữ số", id="id-11-digits"),
        pytest.param(_card(id="02208512345X"), "đúng 12 chữ số", id="id-letter"),
        pytest.param(_card(id=""), "đúng 12 chữ số", id="id-empty"),
        pytest.param(_card(id="022 085 123 456"), "Số định danh trên mã QR không hợp lệ", id="id-spaces"),
        pytest.param(_card(id="003085123456"), "«003» không phải mã tỉnh", id="id-province"),
        pytest.param(_card(id="022285123456"), "năm sinh 2085", id="id-year-future"),
        # Old ID
        pytest.param(_card(old="10020030"), "Số CMND cũ trên mã QR không hợp lệ: «10020030»", id="old-id-8"),
        pytest.param(_card(old="1002003001"), "Số CMND cũ trên mã QR", id="old-id-10"),
        pytest.param(_card(old="A00200300"), "Số CMND cũ trên mã QR", id="old-id-letter"),
        # Name
        pytest.param(_card(name=""), "Họ tên trên mã QR bị trống", id="name-empty"),
        pytest.param(_card(name="   "), "Họ tên trên mã QR bị trống", id="name-blank"),
        pytest.param(_card(name="Nguyễn Văn 4n"), "Họ tên trên mã QR không hợp lệ", id="name-digit"),
        pytest.param(_card(name="<b>An</b>"), "Họ tên trên mã QR không hợp lệ", id="name-markup"),
        # Date of birth
        pytest.param(_card(born="31022090"), "Ngày sinh trên mã QR không hợp lệ: 31022090", id="born-31-feb"),
        pytest.param(
            _card(born="29021985"), "Ngày sinh trên mã QR không hợp lệ: 29021985", id="born-not-leap"
        ),
        pytest.param(
            _card(born="15/03/1985"), "Ngày sinh trên mã QR không hợp lệ: «15/03/1985»", id="born-slashes"
        ),
        pytest.param(_card(born="1503198"), "Ngày sinh trên mã QR không hợp lệ", id="born-7-digits"),
        pytest.param(_card(born=""), "Ngày sinh trên mã QR không hợp lệ", id="born-empty"),
        pytest.param(_card(born="15131985"), "Ngày sinh trên mã QR không hợp lệ", id="born-month-13"),
        pytest.param(
            _card(id="022226123456", born="02122026", issued="01122026"),
            "Ngày sinh trên mã QR không hợp lệ: 02122026",
            id="born-future",
        ),
        pytest.param(
            _card(id="022099123456", born="01011899"), "Ngày sinh trên mã QR không hợp lệ", id="born-1899"
        ),
        # Gender and the ID's gender/century digit
        pytest.param(_card(gender="M"), "Giới tính trên mã QR không hợp lệ: «M»", id="gender-letter"),
        pytest.param(_card(gender=""), "Giới tính trên mã QR không hợp lệ", id="gender-empty"),
        pytest.param(_card(gender="Nu"), "Giới tính trên mã QR không hợp lệ: «Nu»", id="gender-no-mark"),
        pytest.param(
            _card(gender="Nữ"), "Số định danh không khớp giới tính/ngày sinh", id="female-card-male-digit"
        ),
        pytest.param(
            _card(id="022185123456"),
            "Số định danh không khớp giới tính/ngày sinh",
            id="male-card-female-digit",
        ),
        pytest.param(
            _card(id="022205123456", born="15031905"),
            "Số định danh không khớp giới tính/ngày sinh",
            id="century-digit-2000s-born-1900s",
        ),
        pytest.param(
            _card(id="022005123456", born="15032005"),
            "Số định danh không khớp giới tính/ngày sinh",
            id="century-digit-1900s-born-2000s",
        ),
        pytest.param(
            _card(born="15031986"),
            "Số định danh không khớp ngày sinh trên mã QR: chữ số thứ 5–6",
            id="year-digits",
        ),
        # Address
        pytest.param(_card(address=""), "Nơi thường trú trên mã QR bị trống", id="address-empty"),
        pytest.param(
            _card(address="x" * 501), "Nơi thường trú trên mã QR dài quá 500", id="address-too-long"
        ),
        # Issue date
        pytest.param(
            _card(issued="31042021"), "Ngày cấp trên mã QR không hợp lệ: 31042021", id="issued-31-apr"
        ),
        pytest.param(_card(issued="2021-05-10"), "Ngày cấp trên mã QR không hợp lệ", id="issued-iso"),
        pytest.param(
            _card(issued="02122026"),
            "Ngày cấp trên mã QR không hợp lệ: 02122026 là ngày trong tương lai",
            id="issued-future",
        ),
        pytest.param(_card(issued="15031985"), "không sau ngày sinh 15031985", id="issued-on-birth-day"),
        pytest.param(_card(issued="01011980"), "không sau ngày sinh", id="issued-before-birth"),
    ],
)
def test_invalid(text: str, message: str):
    with pytest.raises(ValidationError) as exc:
        id_card_qr_parse(text, today=TODAY)
    assert message in exc.value.messages[0]
