"""Vietnamese text helpers: NFC, accent folding (``fold``) and mark stripping (``strip_marks``)."""

from __future__ import annotations

import re
import unicodedata

import pytest

from motcua.catalog.search import tokenize
from motcua.core.text import fold, nfc, strip_marks


def _fold_by_category(text: str) -> str:
    # The former implementation of ``fold``: tests the Unicode category of every character.
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return re.sub(r"[^0-9a-z]+", " ", stripped).strip()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Đăng ký tạm trú", "dang ky tam tru"),
        ("  ĐẤT ĐAI (cấp xã)  ", "dat dai cap xa"),
        ("Phường Hạ Long, tỉnh Quảng Ninh", "phuong ha long tinh quang ninh"),
        ("1.004194.000.00.00.H49", "1 004194 000 00 00 h49"),
        ("", ""),
    ],
)
def test_fold(text: str, expected: str) -> None:
    assert fold(text) == expected


def test_strip_marks_keeps_punctuation_and_spacing() -> None:
    assert strip_marks("Cấp  Giấy (lần 2), Đ/đ") == "cap  giay (lan 2), d/d"


def test_fold_matches_the_category_based_folding_on_every_bmp_character() -> None:
    for cp in range(0x10000):
        if 0xD800 <= cp < 0xE000:  # surrogates are not characters
            continue
        char = chr(cp)
        assert fold(f"a{char}ê") == _fold_by_category(f"a{char}ê"), hex(cp)


def test_search_tokens_are_folded_words() -> None:
    # (``tokenize`` also spells i/y alike: no y here.)
    assert tokenize("Đất đai, cấp XÃ!") == fold("Đất đai, cấp XÃ!").split() == ["dat", "dai", "cap", "xa"]


def test_nfc_normalises_and_collapses_spaces() -> None:
    decomposed = unicodedata.normalize("NFD", "Hạ  Long ")
    assert nfc(decomposed) == "Hạ Long"


def test_display_filename_reads_the_label_and_keeps_the_extension() -> None:
    from motcua.core.storage import display_filename

    stored = "dossiers/ab/cd/" + "ab" * 32 + ".pdf"
    assert display_filename("Đơn đề nghị (mẫu 01)", stored) == "don-de-nghi-mau-01.pdf"
    assert display_filename("Giấy chứng sinh", "x/y.JPG") == "giay-chung-sinh.jpg"
    assert display_filename("", "x/y.png") == "tep.png"
    assert display_filename("../../etc/passwd", "x/y") == "etc-passwd"
