"""Vietnamese text helpers shared by search, import and forms."""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError

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


# C0 controls other than tab, LF and CR (multi-line notes); NUL is refused by Django's own validator.
_FORM_CONTROLS = re.compile(r"[\x01-\x08\x0b\x0c\x0e-\x1f]")


class ControlCharactersValidator:
    """Refuse C0 control characters in form text (every ``forms.CharField``, see ``core.apps``).

    Django's forms refuse only NUL; a bell or an escape pasted from another program would otherwise be
    stored, printed on the forms and sent to the national portal. The API's JSON bodies get the same
    rule in ``core.middleware``.
    """

    message = "Không được chứa ký tự điều khiển (chỉ cho phép xuống dòng và tab)."
    code = "control_characters"

    def __call__(self, value: object) -> None:
        if isinstance(value, str) and _FORM_CONTROLS.search(value):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ControlCharactersValidator)

    def __hash__(self) -> int:
        return hash(ControlCharactersValidator)
