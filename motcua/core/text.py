"""Vietnamese text helpers shared by search, import and forms."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^0-9a-z]+")


def nfc(text: str) -> str:
    """NFC-normalise, trim and collapse whitespace (docs/domain.md §7: all stored text is NFC)."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


# Deleting combining marks (category Mn) with one precomputed translate table: testing the Unicode
# category of every character instead makes an index build several times slower. The table covers the
# BMP; astral combining marks do not occur in Vietnamese.
_DROP_MARKS = {cp: None for cp in range(0x10000) if unicodedata.category(chr(cp)) == "Mn"}


def strip_marks(text: str) -> str:
    """Lower case without diacritics, đ → d; punctuation and spacing kept (``fold`` collapses them).

    ``unicodedata`` strips combining marks but đ/Đ are letters of their own, hence the explicit map.
    """
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    return decomposed.translate(_DROP_MARKS)


def fold(text: str) -> str:
    """Accent-fold Vietnamese for matching: lower case, no diacritics, đ → d, punctuation → space."""
    return _NON_WORD.sub(" ", strip_marks(text)).strip()
