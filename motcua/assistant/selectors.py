"""Reads of the assistant: conversations, FAQ matching, centres named in a message."""

from __future__ import annotations

import time

from django.db.models import Prefetch
from django.utils import timezone

from motcua.assistant.intents import phrase_spans
from motcua.assistant.models import Conversation, FaqEntry, Message
from motcua.catalog.models import Procedure, ProcessDefinition
from motcua.catalog.search import tokenize
from motcua.core.selectors import reference_data_cached
from motcua.org.models import Unit, UnitKind

# Words of a centre's name before the place name ("Trung tâm Phục vụ hành chính công phường …").
_CENTRE_PREFIX = ("trung", "tam", "phuc", "vu", "hanh", "chinh", "cong")
_PLACE_KIND = {"xa", "phuong", "tinh"}


def procedure_for_answer(*, code: str) -> Procedure:
    """One procedure with what an answer may quote: documents, fees and the current process (for the
    online eligibility). ``catalog.selectors.procedure_get`` without its version count (a GROUP BY over
    the versions the page shows and a chat answer does not). Cached per process until the reference
    data changes (§9): follow-ups about one procedure read it once. Shared: read it, never change it."""

    def load() -> Procedure:
        current = Prefetch(
            "processes",
            queryset=ProcessDefinition.objects.filter(is_current=True).prefetch_related("steps"),
            to_attr="current_processes",
        )
        return Procedure.objects.prefetch_related("documents", "fees", current).get(code=code)

    return reference_data_cached(("assistant.procedure", code), load)


def conversation_get(*, conversation_id: str) -> Conversation | None:
    """The live conversation with this id, or None (unknown or expired)."""
    if not conversation_id or len(conversation_id) > 64:
        return None
    return (
        Conversation.objects.select_related("procedure")
        .filter(pk=conversation_id, expires_at__gt=timezone.now())
        .first()
    )


def conversation_messages(*, conversation: Conversation) -> list[Message]:
    return list(conversation.messages.order_by("id"))


FAQ_CHECK_SECONDS = 30.0
_faq: tuple[float, list[tuple[FaqEntry, list[tuple[str, ...]]]]] | None = None


def faq_cache_clear() -> None:
    """Forget the FAQ entries read by this process (an entry was saved or deleted here)."""
    global _faq
    _faq = None


def _faq_entries() -> list[tuple[FaqEntry, list[tuple[str, ...]]]]:
    """Active entries with their folded patterns; read again after ``FAQ_CHECK_SECONDS`` (an admin's
    edit reaches the other server processes within that time) or at once after a save here."""
    global _faq
    now = time.monotonic()
    if _faq is None or now - _faq[0] > FAQ_CHECK_SECONDS:
        entries = [
            (entry, [words for p in entry.patterns.splitlines() if (words := tuple(tokenize(p)))])
            for entry in FaqEntry.objects.filter(is_active=True).order_by("id")
        ]
        _faq = (now, entries)
    return _faq[1]


def faq_match(tokens: list[str]) -> FaqEntry | None:
    """The first active FAQ entry one of whose patterns' words all appear, in order, in the message."""
    if not tokens:
        return None
    for entry, patterns in _faq_entries():
        if any(phrase_spans(tokens, [words]) for words in patterns):
            return entry
    return None


def _place_tokens(name: str) -> list[str]:
    tokens = tokenize(name)
    if tuple(tokens[: len(_CENTRE_PREFIX)]) == _CENTRE_PREFIX:
        tokens = tokens[len(_CENTRE_PREFIX) :]
    if tokens[:2] == ["dac", "khu"]:
        return tokens[2:]
    if tokens and tokens[0] in _PLACE_KIND:
        return tokens[1:]
    return tokens


def _centres() -> list[tuple[Unit, list[str]]]:
    def load() -> list[tuple[Unit, list[str]]]:
        units = Unit.objects.filter(kind=UnitKind.COMMUNE_CENTRE, is_active=True).order_by("id")
        return [(unit, place) for unit in units if (place := _place_tokens(unit.name))]

    return reference_data_cached("assistant.centres", load)


def centre_named(tokens: list[str]) -> Unit | None:
    """The commune-level service centre whose place name the message contains (accent-insensitive);
    the longest place name wins ("Hạ Long" inside "Bãi Cháy Hạ Long" is not asked)."""
    best: tuple[int, Unit] | None = None
    for unit, place in _centres():
        if phrase_spans(tokens, [tuple(place)]) and (best is None or len(place) > best[0]):
            best = (len(place), unit)
    return best[1] if best else None


def province_centre() -> Unit | None:
    return Unit.objects.filter(kind=UnitKind.PROVINCE_CENTRE, is_active=True).order_by("id").first()
