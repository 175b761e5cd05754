"""How the assistant ranks procedures for a message (and its conversation so far)."""

from __future__ import annotations

from collections.abc import Sequence

from motcua.catalog.search import ProcedureMatch, procedure_understand


def assistant_rank(text: str, *, previous: Sequence[str] = (), limit: int = 3) -> list[ProcedureMatch]:
    """Procedures the message is about, best first; ``previous`` are the user's earlier messages."""
    return procedure_understand(text, limit=limit)
