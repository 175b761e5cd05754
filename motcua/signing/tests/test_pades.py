"""The visible stamp's font: the trimmed cut of Liberation Serif, the full font for text it lacks."""

from __future__ import annotations

from pyhanko.pdf_utils.writer import PdfFileWriter

from motcua.signing import pades


def _font_for(text: str) -> frozenset[int]:
    token = pades._STAMP_TEXT.set(text)
    try:
        engine = pades._font_factory().create_font_engine(PdfFileWriter())
    finally:
        pades._STAMP_TEXT.reset(token)
    return frozenset(engine.tt.getBestCmap())


def test_the_trimmed_font_has_every_vietnamese_letter_and_the_full_one_serves_other_scripts():
    vietnamese = "ĂÂĐÊÔƠƯăâđêôơư₫" + "".join(chr(cp) for cp in range(0x1EA0, 0x1EFA))
    trimmed = _font_for(f"Người ký: Vũ Văn Hùng {vietnamese}")
    assert {ord(char) for char in vietnamese} <= trimmed
    assert ord("Ж") not in trimmed  # the cut: Latin and Vietnamese only
    full = _font_for("Người ký: Жуков Ωμέγα")
    assert {ord("Ж"), ord("Ω")} <= full
