"""Reading a message: intent words with or without diacritics, typos, dossier codes, filler."""

from __future__ import annotations

import pytest

from motcua.assistant.intents import Intent, read


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("phí bao nhiêu?", Intent.FEES),
        ("phi bao nhieu", Intent.FEES),
        ("lệ phí khai sinh", Intent.FEES),
        ("mất mấy ngày?", Intent.TIME),
        ("bao lâu thì có kết quả", Intent.TIME),
        ("nộp ở đâu?", Intent.WHERE),
        ("cần giấy tờ gì", Intent.DOCUMENTS),
        ("can giay to gi", Intent.DOCUMENTS),
        ("có làm online được không?", Intent.ONLINE),
        ("co nop truc tuyen duoc ko", Intent.ONLINE),
        ("nop truc tuyn duoc khong", Intent.ONLINE),  # typo
        ("căn cứ pháp lý", Intent.LEGAL),
    ],
)
def test_topic_words(text: str, topic: Intent) -> None:
    assert read(text).topic == topic


def test_follow_up_leaves_no_procedure_words() -> None:
    for text in ("phí bao nhiêu?", "nộp ở đâu?", "mất mấy ngày?", "có làm online được không?"):
        assert read(text).rest == [], text


def test_filler_dropped_procedure_words_kept() -> None:
    reading = read("Tôi muốn làm giấy khai sinh cho con")
    assert reading.topic is None
    assert reading.rest == ["giay", "khai", "sinh"]


def test_dossier_code_and_verifier() -> None:
    reading = read("hồ sơ 000.22.07.h49-260302-0001 của tôi, 4 số cuối 5678")
    assert reading.dossier_code == "000.22.07.H49-260302-0001"
    assert reading.verifier == "5678"
    assert read("tra cứu hồ sơ").track_words
    assert read("tra cứu hồ sơ").dossier_code == ""


def test_greeting_hours_address() -> None:
    assert read("Xin chào").greeting
    assert not read("chào, cho hỏi đăng ký kết hôn cần gì").greeting  # a question, not a greeting
    assert read("giờ làm việc phường Hồng Gai").hours
    assert read("gio lam viec").hours
    assert read("địa chỉ trung tâm phường Hồng Gai").address
