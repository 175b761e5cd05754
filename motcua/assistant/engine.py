"""How the assistant ranks procedures for a message (and its conversation so far).

The ranking itself is the catalogue's one engine (``catalog.search.procedure_understand``); the
assistant only decides *what text* it ranks: the message without its intent words ("phí bao nhiêu",
"nộp ở đâu") and conversational filler, or — for a follow-up with no procedure words — the user's
latest earlier message that had some.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from django.conf import settings

from motcua.assistant.intents import WEAK, read
from motcua.catalog.search import ProcedureMatch, procedure_understand

# Defaults; the understanding engine documents its own scale (settings override at merge).
CONFIDENT = 0.6  # top candidate at or above: answer about it
CLOSE_MARGIN = 0.1  # top two closer than this: ask which one


def confident_threshold() -> float:
    return float(getattr(settings, "MOTCUA_ASSISTANT_CONFIDENT", CONFIDENT))


def close_margin() -> float:
    return float(getattr(settings, "MOTCUA_ASSISTANT_CLOSE_MARGIN", CLOSE_MARGIN))


def ranking_text(text: str) -> str:
    """The words of ``text`` that can name a procedure ("" for a pure follow-up)."""
    return " ".join(read(text).rest)


# A national procedure code typed in the message (1.001193, or its published form 1.001193.000.00.00.H49):
# folding splits it at the dot, so it is handed to the engine as typed.
_CODE = re.compile(r"(?<![\d.])[1-3]\.\d{6}(?!\d)")


def _rank_words(words: list[str], limit: int, codes: Sequence[str] = ()) -> list[ProcedureMatch]:
    """The engine's ranking of ``words``; when it finds fewer than ``limit``, the ranking without the
    words that alone name no procedure ("giấy", "làm", "cấp") is appended, at lower confidence: "giấy
    khai sinh" is the copy extract by name, but the citizen usually wants the registration."""
    found = procedure_understand(" ".join([*codes, *words]), limit=limit)
    core = [w for w in words if w not in WEAK]
    if len(found) < limit and core and core != words:
        seen = {m.code for m in found}
        floor = min((m.confidence for m in found), default=1.0)
        for m in procedure_understand(" ".join(core), limit=limit):
            if m.code not in seen and len(found) < limit:
                found.append(replace(m, confidence=round(min(m.confidence, floor) * 0.9, 3)))
                seen.add(m.code)
    return found


def assistant_rank(text: str, *, previous: Sequence[str] = (), limit: int = 3) -> list[ProcedureMatch]:
    """Procedures the message is about, best first; ``previous`` are the user's earlier messages."""
    words = read(text).rest
    if words:
        found = _rank_words(words, limit, _CODE.findall(text))
        if found:
            return found
    elif not previous:
        return []
    # A follow-up ("phí bao nhiêu?"): the procedure of the latest earlier message that named one.
    for earlier in reversed(previous):
        earlier_words = read(earlier).rest
        if earlier_words and (found := _rank_words(earlier_words, limit, _CODE.findall(earlier))):
            return found
    return []


def is_close(matches: Sequence[ProcedureMatch]) -> bool:
    """Whether the top candidates are too close to pick one without asking."""
    return len(matches) >= 2 and matches[0].confidence - matches[1].confidence < close_margin()
