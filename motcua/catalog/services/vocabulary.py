"""The search vocabulary — từ điển tìm kiếm: loading the committed seed, validating admin edits."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from motcua.catalog.models import SearchTerm, SearchTermKind
from motcua.core.text import fold, nfc

VOCABULARY_FILE = "vocabulary.json"


def search_term_clean(*, phrase: str, expands_to: str) -> tuple[str, str]:
    """Both texts NFC-normalised; raises ``ValidationError`` when either holds no word."""
    phrase, expands_to = nfc(phrase), nfc(expands_to)
    if not fold(phrase):
        raise ValidationError({"phrase": _("Cụm từ phải có ít nhất một chữ.")})
    if not any(fold(part) for part in expands_to.split(";")):
        raise ValidationError({"expands_to": _("Hãy nhập các từ tương ứng trong tên thủ tục.")})
    return phrase, expands_to


def search_terms_load(*, path: Path) -> int:
    """Add the entries of ``path`` (a JSON list) whose phrase is not stored yet; returns how many.

    Entries already stored are left as administrators edited them (a deactivated entry stays
    deactivated; deleting one brings it back at the next import, so the admin deactivates instead).
    Runs in the caller's transaction (the catalogue import), which restamps reference data.
    """
    entries = json.loads(Path(path).read_text(encoding="utf-8"))
    existing = {fold(p) for p in SearchTerm.objects.values_list("phrase", flat=True)}
    new: list[SearchTerm] = []
    kinds = set(SearchTermKind.values)
    for entry in entries:
        phrase, expands_to = search_term_clean(phrase=entry["phrase"], expands_to=entry["expands_to"])
        key = fold(phrase)
        if key in existing:
            continue
        existing.add(key)
        kind = entry.get("kind", SearchTermKind.SYNONYM)
        new.append(
            SearchTerm(
                phrase=phrase,
                expands_to=expands_to,
                kind=kind if kind in kinds else SearchTermKind.SYNONYM,
                note=nfc(entry.get("note", "")),
            )
        )
    SearchTerm.objects.bulk_create(new, batch_size=500)
    return len(new)
