"""Vietnamese text helpers shared by search, import and forms."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^0-9a-z]+")


def nfc(text: str) -> str:
    """NFC-normalise, trim and collapse whitespace (DESIGN §7: all stored text is NFC)."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def fold(text: str) -> str:
    """Accent-fold Vietnamese for matching: lower case, no diacritics, đ → d, punctuation → space.

    ``unicodedata`` strips combining marks but đ/Đ are letters of their own, hence the explicit map.
    """
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _NON_WORD.sub(" ", stripped).strip()
