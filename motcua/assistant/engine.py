"""How the assistant ranks procedures for a message (and its conversation so far).

The ranking itself is the catalogue's one engine (``catalog.search.procedure_understand``); the
assistant only decides *what text* it ranks: the message, or — for a follow-up with no procedure
words ("phí bao nhiêu?", "nộp ở đâu?") — the user's latest earlier message that had some.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings

from motcua.assistant.intents import WEAK, read
from motcua.catalog.search import ProcedureMatch, procedure_understand

# Defaults; the understanding engine documents its own scale (settings override at merge).
CONFIDENT = 0.3  # top candidate at or above: answer about it (below: ask which one)
CLOSE_MARGIN = 0.1  # top two closer than this: ask which one


def confident_threshold() -> float:
    return float(getattr(settings, "MOTCUA_ASSISTANT_CONFIDENT", CONFIDENT))


def close_margin() -> float:
    return float(getattr(settings, "MOTCUA_ASSISTANT_CLOSE_MARGIN", CLOSE_MARGIN))


def assistant_rank(text: str, *, previous: Sequence[str] = (), limit: int = 3) -> list[ProcedureMatch]:
    """Procedures the message is about, best first; ``previous`` are the user's earlier messages.

    The engine ranks the message *as typed*: it knows the catalogue's words, politeness, question frames
    and typed codes itself, while the assistant's folded filler list would also drop words a procedure
    needs ("thẻ căn cước" folds to "the can cuoc", "the" and "can" being filler). The assistant decides
    only whether the message names a procedure at all: with no word beyond intent words, filler and
    words that alone name nothing ("phí bao nhiêu?", "nộp ở đâu?"), it is a follow-up about the
    procedure of the latest earlier message that named one. (Measured on data/assistant: ranking the
    words left after the assistant's filler list gave top-3 0.91 / 0.77 on the dev / held-out sets,
    the message as typed 0.95 / 0.90.)
    """
    reading = read(text)
    names_something = any(word not in WEAK for word in reading.rest)
    if (names_something or (reading.rest and not previous)) and (
        found := procedure_understand(text, limit=limit)
    ):
        return found
    if not previous:
        return []
    for earlier in reversed(previous):
        if any(word not in WEAK for word in read(earlier).rest) and (
            found := procedure_understand(earlier, limit=limit)
        ):
            return found
    return []


def is_close(matches: Sequence[ProcedureMatch]) -> bool:
    """Whether the top candidates are too close to pick one without asking."""
    return len(matches) >= 2 and matches[0].confidence - matches[1].confidence < close_margin()
