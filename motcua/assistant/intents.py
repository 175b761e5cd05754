"""What a message asks — ý định: pure functions over the folded words of a message.

Words are folded as the catalogue search folds them (``catalog.search.tokenize``: lower case, no
diacritics, i/y unified), so "phí bao nhiêu", "phi bao nhieu" and "phis bao nhieeu" (Telex with the
keyboard off) read alike; a word of 4+ letters also matches at Levenshtein distance 1 (typos).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from motcua.catalog.search import tokenize


class Intent(StrEnum):
    FIND = "find_procedure"
    DOCUMENTS = "ask_documents"
    FEES = "ask_fees"
    TIME = "ask_time"
    WHERE = "ask_where"
    ONLINE = "ask_online"
    LEGAL = "ask_legal_basis"
    TRACK = "track_dossier"
    HOURS = "centre_hours"
    ADDRESS = "centre_address"
    GREETING = "greeting"
    HELP = "help"
    THANKS = "thanks"
    CHOOSE = "choose_procedure"
    FAQ = "faq"
    CLARIFY = "clarify"
    OUT_OF_SCOPE = "out_of_scope"


# Phrases per question about a procedure (folded). Order matters only for ties: the first listed
# intent with the longest matching phrase wins.
_TOPIC_PHRASES: dict[Intent, tuple[str, ...]] = {
    Intent.FEES: (
        "phi bao nhieu",
        "le phi",
        "bao nhieu tien",
        "mat bao nhieu tien",
        "het bao nhieu tien",
        "ton bao nhieu",
        "chi phi",
        "mat phi",
        "nop phi",
        "phi",
        "tien",
        "fee",
        "fees",
        "cost",
    ),
    Intent.TIME: (
        "bao lau",
        "may ngay",
        "bao nhieu ngay",
        "mat may ngay",
        "thoi gian",
        "thoi han",
        "khi nao co",
        "lau khong",
        "bao gio co",
        "bao gio xong",
        "how long",
    ),
    Intent.DOCUMENTS: (
        "giay to gi",
        "giay to",
        "ho so gom",
        "ho so can",
        "can nhung gi",
        "can gi",
        "mang gi",
        "mang theo",
        "chuan bi",
        "thanh phan ho so",
        "thanh phan",
        "documents",
        "what papers",
    ),
    Intent.WHERE: (
        "nop o dau",
        "lam o dau",
        "o dau",
        "noi nop",
        "cho nao",
        "co quan nao",
        "noi nao",
        "dia diem",
        "where",
    ),
    Intent.ONLINE: (
        "online",
        "onl",
        "truc tuyen",
        "qua mang",
        "tren mang",
        "nop qua mang",
        "dich vu cong",
        "lam tai nha",
        "o nha",
    ),
    Intent.LEGAL: ("can cu phap ly", "can cu", "van ban phap luat", "nghi dinh", "thong tu", "legal basis"),
}
_HOURS_PHRASES = (
    "gio lam viec",
    "may gio",
    "gio mo cua",
    "mo cua",
    "dong cua",
    "lam viec luc",
    "lam viec thu",
    "thu bay",
    "chu nhat",
    "gio hanh chinh",
    "opening hours",
    "open",
)
_ADDRESS_PHRASES = ("dia chi", "o dau", "cho nao", "so dien thoai", "dien thoai", "address")
_CENTRE_WORDS = ("trung tam", "bo phan mot cua", "mot cua", "ubnd", "uy ban", "phuong", "xa", "dac khu")
_TRACK_PHRASES = (
    "tra cuu ho so",
    "ho so cua toi",
    "tinh trang ho so",
    "ho so den dau",
    "ho so da xong",
    "tien do ho so",
    "kiem tra ho so",
    "theo doi ho so",
    "track a dossier",
    "track my dossier",
    "track",
)
_GREETING = ("xin chao", "chao ban", "chao", "hello", "hi", "alo", "chao em", "chao ad")
_HELP = ("giup", "huong dan", "ban lam duoc gi", "ban la ai", "help", "tro giup")
_THANKS = ("cam on", "thank", "thanks", "camon")
# Conversational words that say nothing about which procedure: dropped before ranking.
FILLER = frozenset(
    tokenize(
        " ".join(
            [
                "toi",
                "minh",
                "em",
                "ad",
                "oi",
                "a",
                "ah",
                "nhe",
                "vay",
                "the",
                "thi",
                "la",
                "co",
                "khong",
                "ko",
                "k",
                "hong",
                "duoc",
                "dc",
                "can",
                "muon",
                "lam",
                "sao",
                "nao",
                "gi",
                "giup",
                "voi",
                "ve",
                "cho",
                "con",
                "chau",
                "xin",
                "hoi",
                "cac",
                "nhung",
                "cai",
                "phai",
                "de",
                "nay",
                "kia",
                "roi",
                "se",
                "da",
                "thu",
                "tuc",
                "tthc",
            ]
        )
    )
)
# Words that alone name no procedure: with a procedure in context, "nộp hồ sơ ở đâu" is a follow-up.
WEAK = frozenset(
    ["nop", "ho", "so", "giay", "to", "xin", "cap", "lam", "mat", "het", "bao", "nhieu", "ngay", "tien"]
)
# A dossier code: agency code, date, sequence (docs/domain.md §5); case-insensitive.
DOSSIER_CODE = re.compile(r"\b[0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*-\d{6}-\d{4,}\b")
VERIFIER_ONLY = re.compile(r"^\s*(\d{4})\s*$")
VERIFIER_IN_TEXT = re.compile(r"(?<![\d.\-])(\d{4})(?![\d.\-])")


def _phrases(items: tuple[str, ...]) -> list[tuple[str, ...]]:
    # Through the same folding as messages (i/y unified: "lý" → "li").
    return sorted((tuple(tokenize(p)) for p in items), key=len, reverse=True)


_TOPICS = {intent: _phrases(items) for intent, items in _TOPIC_PHRASES.items()}


@lru_cache(maxsize=65_536)
def _word_matches(typed: str, word: str) -> bool:
    if typed == word:
        return True
    # Typos only on longer words: 3-letter Vietnamese syllables are each other's neighbours.
    return len(word) >= 4 and len(typed) >= 4 and Levenshtein.distance(typed, word, score_cutoff=1) <= 1


def phrase_spans(tokens: list[str], phrases: list[tuple[str, ...]]) -> list[tuple[int, int]]:
    """Where each phrase occurs in ``tokens`` (start, end), longest phrases first, non-overlapping."""
    taken = [False] * len(tokens)
    spans: list[tuple[int, int]] = []
    count = len(tokens)
    for phrase in phrases:
        n = len(phrase)
        first = phrase[0]
        for i in range(count - n + 1):
            if taken[i] or not _word_matches(tokens[i], first):
                continue
            if any(taken[i + 1 : i + n]):
                continue
            if all(_word_matches(tokens[i + k], phrase[k]) for k in range(1, n)):
                spans.append((i, i + n))
                for k in range(i, i + n):
                    taken[k] = True
    return spans


@lru_cache(maxsize=64)
def _phrases_of(items: tuple[str, ...]) -> list[tuple[str, ...]]:
    return _phrases(items)


def has_phrase(tokens: list[str], items: tuple[str, ...]) -> bool:
    return bool(phrase_spans(tokens, _phrases_of(items)))


@dataclass(frozen=True)
class Reading:
    """What the message says, before any lookup: intent words found and the words left for ranking."""

    tokens: list[str]
    topic: Intent | None  # a question about a procedure (fees, time, …) or None
    rest: list[str]  # words left once intent words and filler are dropped
    dossier_code: str
    verifier: str
    hours: bool
    address: bool
    track_words: bool
    greeting: bool
    help: bool
    thanks: bool


def read(text: str) -> Reading:
    """The intent words of ``text`` and what remains for procedure ranking."""
    code_match = DOSSIER_CODE.search(text)
    code = code_match.group(0).upper() if code_match else ""
    rest_text = DOSSIER_CODE.sub(" ", text) if code else text
    verifier = ""
    if code and (v := VERIFIER_IN_TEXT.search(rest_text)):
        verifier = v.group(1)
    tokens = tokenize(rest_text)
    drop = [False] * len(tokens)
    topic: Intent | None = None
    best_len = 0
    for intent, phrases in _TOPICS.items():
        for start, end in phrase_spans(tokens, phrases):
            for k in range(start, end):
                drop[k] = True
            if end - start > best_len:
                topic, best_len = intent, end - start
    hours = has_phrase(tokens, _HOURS_PHRASES)
    address = has_phrase(tokens, _ADDRESS_PHRASES)
    social = _GREETING + _HELP + _THANKS
    for start, end in phrase_spans(tokens, _phrases_of(_HOURS_PHRASES + _TRACK_PHRASES + social)):
        for k in range(start, end):
            drop[k] = True
    rest = [t for t, d in zip(tokens, drop, strict=True) if not d and t not in FILLER]
    return Reading(
        tokens=tokens,
        topic=topic,
        rest=rest,
        dossier_code=code,
        verifier=verifier,
        hours=hours,
        address=address,
        track_words=has_phrase(tokens, _TRACK_PHRASES),
        greeting=len(tokens) <= 4 and has_phrase(tokens[:2], _GREETING),
        help=len(tokens) <= 6 and has_phrase(tokens, _HELP),
        thanks=len(tokens) <= 5 and has_phrase(tokens, _THANKS),
    )


def mentions_centre(tokens: list[str]) -> bool:
    return has_phrase(tokens, _CENTRE_WORDS)
