"""``pades``: the stamp font (a trimmed cut of Liberation Serif, the full font for text it lacks) and
the room reserved for the signature container."""

from __future__ import annotations

import pytest
from pyhanko.pdf_utils.writer import PdfFileWriter

from motcua.dossiers.tests.factories import World
from motcua.signing import pades
from motcua.signing.keystore import FileKeyStore, SignerRef
from motcua.signing.pki import Pki
from motcua.signing.tests.test_keystore import one_page_pdf
from motcua.signing.trust import context_factory


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


def test_a_container_larger_than_the_room_reserved_is_signed_again_with_pyhankos_measure(
    world: World, pki: Pki, monkeypatch: pytest.MonkeyPatch
):
    signer = FileKeyStore(pki.dir).signer(SignerRef("unit", world.commune_a.agency_code))
    monkeypatch.setattr(pades, "_CMS_ALLOWANCE", -1500)  # the room would hold the certificates only
    signed = pades.pdf_sign(
        one_page_pdf(),
        signer=signer,
        field_name="Seal",
        box=pades.Box(0, 30, 40, 320, 130),
        appearance=pades.Appearance(),
        reason="test",
        location="Quảng Ninh",
    )
    (check,) = pades.pdf_signatures_validate(signed, context_factory=context_factory)
    assert check.ok
