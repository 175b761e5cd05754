"""Vietnamese procedure search: accent-insensitive, typo-tolerant, in memory.

Why hand-written instead of a database full-text engine:

* The catalogue is small (≈2,400 procedures, a vocabulary of about a thousand folded syllables), so
  the whole index fits in a few megabytes and a query costs about a millisecond of plain Python.
* It must behave identically on SQLite (development, tests, ``make run``) and PostgreSQL
  (production). PostgreSQL's ``unaccent``/``pg_trgm`` need extensions and SQLite's FTS5 tokenizes
  differently; neither knows Vietnamese syllable habits (kí/ký, Telex typed with the IME off,
  "khaisinh" without a space), and ranking would differ between the two back ends.
* Ranking needs domain rules a generic engine does not have: the "Thủ tục …" prefix that ≈600 names
  carry is noise, parenthesised qualifiers ("(thực hiện tại cấp tỉnh)") matter less than the main
  words, and the national popularity count is a tie-breaker only.

Matching. Names are folded as ``motcua.core.text.fold`` does (lower case, no diacritics, đ → d) and
split into syllables; i/y after a consonant is unified (kí/ký, lí/lý, quí/quý). Each query syllable
matches vocabulary syllables exactly, by prefix (only the last syllable: the user is still typing),
by Telex decoding (``ddawng kys`` → ``dang ky``), by splitting a run-together word (``khaisinh``),
or within a Levenshtein distance (rapidfuzz): ≤1 for ≥4 letters, ≤2 for ≥8 letters, and ≤1 for
3 letters when the first letter agrees (``snh`` → ``sinh``; Vietnamese syllables are short, so a
4-letter floor would miss most typos). Words of the field label (from ``search_text``) and
abbreviation aliases (BHXH ↔ bảo hiểm xã hội) match at half weight; a few colloquial phrases are
rewritten (sổ đỏ, bằng lái xe, hộ khẩu). National codes are recognised (``1.004194``, ``004194``,
the published ``1.004194.000.00.00.H49`` form, or a typed prefix such as ``1.0041``) and put first.

Passes (``SearchIndex._rank``): the first that finds anything wins — every word as typed; then the
last word also as a prefix; then every word typo-tolerant; then, for queries of 3+ words, one or a
few words may be missing. So a correctly spelled query is never diluted by look-alikes (sinh ~ tinh),
and "khai tu" does not match "thủ tục" by prefix.

Ranking, per procedure: how many query words match (a procedure missing one always ranks below one
matching all); then a relevance score from match quality (exact > Telex > prefix > fuzzy), adjacency
and order of the matched syllables (phrase match), a bonus when the name starts with the query and
another when it is exactly the query, a penalty growing with the logarithm of the unmatched words
(shorter names first; parenthesised words count a third), a small log-popularity term and a smaller
nudge for procedures with published details; exact popularity and the code break remaining ties.
Matched positions are bitmasks, so scoring is integer arithmetic and allocates little (fewer full
garbage collections under load).

Freshness across processes. The index lives in each process and is built lazily on first use. It
follows the reference-data stamp like every other cached reference data
(``core.selectors.ReferenceDataFollower``): every catalogue write restamps in its own transaction
(ORM signals; the importer and the version snapshots call it), the stamp is read at most every
``CATALOG_SEARCH_CHECK_SECONDS`` (default 2 s) per process — one primary-key read — and at once after
this process commits a catalogue write; a transaction searches its own uncommitted writes.
"""

from __future__ import annotations

import bisect
import itertools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from django.conf import settings
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from motcua.catalog.understanding import (
    MAX_MESSAGE_CHARS,
    MIN_EVIDENCE,
    DetailRow,
    UnderstandIndex,
    confidence,
)
from motcua.core.selectors import ReferenceDataFollower
from motcua.core.text import nfc, strip_marks

__all__ = [
    "LEVEL_FILTERS",
    "IndexRow",
    "ProcedureMatch",
    "SearchIndex",
    "SearchResult",
    "index_invalidate",
    "normalize_query",
    "procedure_search",
    "procedure_understand",
    "tokenize",
]


DEFAULT_CHECK_SECONDS = 2.0
# Free text longer than this is a question or a story, not a name: the understanding engine alone ranks.
_LONG_MESSAGE_WORDS = 6
MAX_QUERY_TOKENS = 12

# A commune-level filter also shows procedures done at both levels, and likewise for province:
# a citizen asking "what can my ward centre do" wants those too.
LEVEL_FILTERS: dict[str, frozenset[str]] = {
    "province": frozenset({"province", "both"}),
    "commune": frozenset({"commune", "both"}),
    "both": frozenset({"both"}),
    "central": frozenset({"central"}),
}

# Match quality per kind of match; the relevance score multiplies these.
_EXACT = 1.0
_PREFIX = 0.85
# A complete known word typed last is more likely finished than a prefix ("xe" ≠ "xét").
_PREFIX_OF_WORD = 0.5
_TELEX = 0.95
_FUZZY = {1: 0.7, 2: 0.5}
# A query word found only in the field label (lĩnh vực) or an abbreviation alias counts this much.
_FIELD_WEIGHT = 0.5
# Words inside parentheses ("(thực hiện tại cấp tỉnh)") count as this fraction of an extra word.
_PAREN_EXTRA = 1 / 3

# Relevance weights (see SearchIndex._relevance). Tuned on the real catalogue: a phrase match must
# beat a scattered one, and a short exact name must beat a 100x more popular long one.
_W_QUALITY = 4.0
_W_ADJACENT = 3.0
_W_ORDERED = 0.8
_W_STARTS = 1.5
_W_EXACT_NAME = 3.0
_W_EXTRAS = 1.3  # × log2(1 + unmatched words)
_W_POPULARITY = 0.6  # × log10(1 + popularity)
# Procedures with published details (documents, fees, deadlines) are the ones the province's centres
# actually handle; a small nudge, well below one phrase match.
_W_HAS_DETAILS = 0.8

# Abbreviations used in names, both ways: a name with "BHXH" is found by "bảo hiểm xã hội" and
# vice versa (as alias words, weighted like field-label words).
_ABBREVIATIONS: dict[str, str] = {
    "ubnd": "uy ban nhan dan",
    "hdnd": "hoi dong nhan dan",
    "bhxh": "bao hiem xa hoi",
    "bhyt": "bao hiem y te",
    "bhtn": "bao hiem that nghiep",
    "tnhh": "trach nhiem huu han",
    "gtgt": "gia tri gia tang",
    "tndn": "thu nhap doanh nghiep",
    "tncn": "thu nhap ca nhan",
    "tthc": "thu tuc hanh chinh",
    "gcn": "giay chung nhan",
    "qsdd": "quyen su dung dat",
    "cmnd": "chung minh nhan dan",
    "dkkd": "dang ky kinh doanh",
    "gplx": "giay phep lai xe",
}
# What people type for what the catalogue calls otherwise (query side only).
_COLLOQUIAL: dict[str, str] = {
    "so do": "giay chung nhan quyen su dung dat",
    "so hong": "giay chung nhan quyen su dung dat",
    "bang lai xe": "giay phep lai xe",
    "bang lai": "giay phep lai xe",
    "cccd": "can cuoc",
    "can cuoc cong dan": "can cuoc",
    "ho khau": "thuong tru",
    "visa": "thi thuc",
    "kinh doanh ca the": "ho kinh doanh",
}

# y after a consonant, and the final y of "quy" (quí/quý, qui định/quy định); not "quyết", "tây".
_Y_AFTER_CONSONANT = re.compile(r"(?<=[bcdghklmnprstvx])y|(?<=\bqu)y\b")
_TOKEN = re.compile(r"[0-9a-z]+")
_CODE_FULL = re.compile(r"(?<![\d.])([1-3])\.(\d{6})(?!\d)")
_CODE_PREFIX = re.compile(r"^\s*([1-3])\.(\d{0,6})\s*$")
_DIGITS = re.compile(r"^\s*(\d{3,6})\s*$")
_PAREN = re.compile(r"\([^()]*\)")


class IndexRow(NamedTuple):
    """What the index needs of one procedure (one ``values_list`` row)."""

    id: int
    code: str
    name: str
    search_text: str
    popularity: int
    field_id: int | None
    level: str
    service_level: str
    is_active: bool
    has_details: bool = False
    # False: a procedure of another province (catalog.provinces); never found, like an inactive one.
    applies_here: bool = True


@dataclass(frozen=True)
class SearchResult:
    total: int
    ids: list[int]


def _unify_iy(text: str) -> str:
    # kí/ký, lí/lý, mĩ/mỹ, quí/quý are spelled both ways; y after a vowel (tay, thuy, giay) is not.
    return _Y_AFTER_CONSONANT.sub("i", text)


def tokenize(text: str) -> list[str]:
    """Folded (as ``motcua.core.text.fold``), i/y-unified syllables of ``text``."""
    return _TOKEN.findall(_unify_iy(strip_marks(text)))


def normalize_query(query: str) -> str:
    """The query as the index sees it (folded, i/y-unified), for logging and tests."""
    return " ".join(tokenize(query))


def _name_tokens(name: str) -> tuple[list[str], list[bool]]:
    """Tokens of a name and, per token, whether it sits inside parentheses."""
    name = nfc(name)
    if "(" not in name:
        plain = tokenize(name)
        return plain, [False] * len(plain)
    tokens: list[str] = []
    in_paren: list[bool] = []
    pos = 0
    for m in _PAREN.finditer(name):
        outside = tokenize(name[pos : m.start()])
        inside = tokenize(m.group(0))
        tokens += outside + inside
        in_paren += [False] * len(outside) + [True] * len(inside)
        pos = m.end()
    rest = tokenize(name[pos:])
    tokens += rest
    in_paren += [False] * len(rest)
    return tokens, in_paren


def _telex_decode(token: str) -> str:
    """Undo Telex typed with the Vietnamese keyboard off: ``ddawng`` → ``dang``, ``kys`` → ``ky``."""
    t = token.replace("dd", "d").replace("aa", "a").replace("ee", "e").replace("oo", "o").replace("w", "")
    # Folded Vietnamese syllables never end in s, f, r, x or j: there it is a Telex tone key.
    if len(t) > 1 and t[-1] in "sfrxj":
        t = t[:-1]
    return t


def _phrase_table(table: dict[str, str]) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    pairs = [(tuple(tokenize(k)), tuple(tokenize(v))) for k, v in table.items()]
    return sorted(pairs, key=lambda kv: -len(kv[0]))  # longest phrase first


def _contains(tokens: Sequence[str], phrase: Sequence[str]) -> bool:
    n = len(phrase)
    return any(tuple(tokens[i : i + n]) == tuple(phrase) for i in range(len(tokens) - n + 1))


def _replace_phrases(tokens: list[str], table: list[tuple[tuple[str, ...], tuple[str, ...]]]) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for phrase, replacement in table:
            if tuple(tokens[i : i + len(phrase)]) == phrase:
                out += replacement
                i += len(phrase)
                break
        else:
            out.append(tokens[i])
            i += 1
    return out


_ABBR_PAIRS = _phrase_table(_ABBREVIATIONS)
_COLLOQUIAL_PAIRS = _phrase_table(_COLLOQUIAL)


def _alias_tokens(tokens: list[str]) -> list[str]:
    """Alias words for a name: the expansion of each abbreviation in it, and the reverse."""
    present = set(tokens)
    out: list[str] = []
    for (abbr,), full in _ABBR_PAIRS:
        if abbr in present:
            out += full
        elif _contains(tokens, full):
            out.append(abbr)
    return out


@dataclass(slots=True)
class _Doc:
    id: int
    code: str
    popularity: int
    field_id: int | None
    level: str
    service_level: str
    is_active: bool
    core_start: int  # index of the first word after a leading "Thủ tục"
    extra_weight: tuple[float, ...]  # per position: 1, or _PAREN_EXTRA inside parentheses
    extra_total: float  # sum of extra_weight after core_start: the penalty when nothing matches
    static_score: float  # popularity and has_details part of the relevance


@dataclass
class SearchIndex:
    """Immutable inverted index over the catalogue; build with ``SearchIndex.build(rows)``."""

    docs: list[_Doc]
    # word → [(doc index, bitmask of the word's positions in the name)]; mask 0: the word is only in
    # the field label or an alias. Bitmasks make phrase checks integer arithmetic and keep a query
    # from allocating per-position objects (fewer full garbage collections under load).
    postings: dict[str, list[tuple[int, int]]]
    vocab: list[str]  # sorted, for prefix lookups with bisect
    by_code: dict[str, int]
    by_code_digits: dict[str, list[int]]
    popular_order: list[int]
    _expansions: dict[tuple[str, bool, bool], dict[str, float]] = field(default_factory=dict)

    @classmethod
    def build(cls, rows: Iterable[IndexRow | Sequence[Any]]) -> SearchIndex:
        docs: list[_Doc] = []
        postings: dict[str, list[tuple[int, int]]] = {}
        by_code: dict[str, int] = {}
        by_code_digits: dict[str, list[int]] = {}
        for raw in rows:
            row = raw if isinstance(raw, IndexRow) else IndexRow(*raw)
            idx = len(docs)
            tokens, in_paren = _name_tokens(row.name)
            core_start = 2 if tokens[:2] == ["thu", "tuc"] and len(tokens) > 2 else 0
            popularity = max(int(row.popularity or 0), 0)
            extra_weight = tuple(_PAREN_EXTRA if p else 1.0 for p in in_paren)
            docs.append(
                _Doc(
                    id=row.id,
                    code=row.code,
                    popularity=popularity,
                    field_id=row.field_id,
                    level=row.level or "",
                    service_level=row.service_level or "",
                    is_active=bool(row.is_active) and bool(row.applies_here),
                    core_start=core_start,
                    extra_weight=extra_weight,
                    extra_total=sum(extra_weight[core_start:]),
                    static_score=_W_POPULARITY * math.log10(1 + popularity)
                    + (_W_HAS_DETAILS if row.has_details else 0.0),
                )
            )
            positions: dict[str, int] = {}
            for pos, tok in enumerate(tokens):
                positions[tok] = positions.get(tok, 0) | (1 << pos)
            # search_text is "name + field label"; words not in the name come from the label.
            for tok in [*tokenize(row.search_text or ""), *_alias_tokens(tokens)]:
                positions.setdefault(tok, 0)
            for tok, bits in positions.items():
                postings.setdefault(tok, []).append((idx, bits))
            by_code[row.code] = idx
            if m := re.fullmatch(r"[1-3]\.(\d{6})", row.code):
                by_code_digits.setdefault(m.group(1), []).append(idx)
        popular_order = sorted(range(len(docs)), key=lambda i: (-docs[i].popularity, docs[i].code))
        return cls(
            docs=docs,
            postings=postings,
            vocab=sorted(postings),
            by_code=by_code,
            by_code_digits=by_code_digits,
            popular_order=popular_order,
        )

    # ---- query side -------------------------------------------------------------------------

    def _split_compound(self, token: str) -> list[str] | None:
        """``khaisinh`` → [khai, sinh] when both halves are known words (most balanced split)."""
        best: list[str] | None = None
        best_min = 0
        for i in range(2, len(token) - 1):
            a, b = _unify_iy(token[:i]), _unify_iy(token[i:])
            if a in self.postings and b in self.postings and min(len(a), len(b)) > best_min:
                best, best_min = [a, b], min(len(a), len(b))
        return best

    def query_tokens(self, query: str) -> list[str]:
        """The words the index looks up for ``query`` (after rewriting and splitting)."""
        raw = _replace_phrases(tokenize(query), _COLLOQUIAL_PAIRS)
        if len(raw) > 2 and raw[:2] == ["thu", "tuc"]:
            raw = raw[2:]  # "thủ tục …" is how names start, not what the user looks for
        out: list[str] = []
        for tok in raw:
            if tok not in self.postings and not tok.isdigit() and (parts := self._split_compound(tok)):
                out += parts
            else:
                out.append(tok)
        return list(dict.fromkeys(out))[:MAX_QUERY_TOKENS]

    def _expand(self, token: str, *, prefix: bool, fuzzy: bool) -> dict[str, float]:
        """Vocabulary words a query word stands for, with match quality (memoised per index)."""
        key = (token, prefix, fuzzy)
        cached = self._expansions.get(key)
        if cached is not None:
            return cached
        out: dict[str, float] = {}
        known = token in self.postings
        if known:
            out[token] = _EXACT
        if prefix and not token.isdigit():
            quality = _PREFIX_OF_WORD if known else _PREFIX
            vocab = self.vocab
            i = bisect.bisect_left(vocab, token)
            while i < len(vocab) and vocab[i].startswith(token):
                out.setdefault(vocab[i], quality)
                i += 1
        if not known and not token.isdigit():
            decoded = _unify_iy(_telex_decode(token))
            if decoded != token and decoded in self.postings:
                out[decoded] = max(out.get(decoded, 0.0), _TELEX)
        if fuzzy and len(token) >= 3 and not token.isdigit():
            max_dist = 2 if len(token) >= 8 else 1
            for word, dist, _ in process.extract(
                token, self.vocab, scorer=Levenshtein.distance, score_cutoff=max_dist, limit=None
            ):
                if word in out or word.isdigit():
                    continue
                # 3-letter words: only the first letter's neighbourhood, else noise dominates.
                if len(token) == 3 and (word[0] != token[0] or len(word) < 3):
                    continue
                out[word] = _FUZZY[int(dist)]
        if len(self._expansions) > 10_000:
            self._expansions.clear()
        self._expansions[key] = out
        return out

    def _mask(self, field_id: int | None, level: str | None, service_level: str | None) -> list[bool]:
        """Per-document filter: active and matching every given filter."""
        levels = (LEVEL_FILTERS.get(level) or frozenset({level})) if level else None
        return [
            d.is_active
            and (field_id is None or d.field_id == field_id)
            and (levels is None or d.level in levels)
            and (not service_level or d.service_level == service_level)
            for d in self.docs
        ]

    def _code_hits(self, query: str) -> list[int]:
        """Documents whose code the query names or starts to type, best first."""
        q = query.strip()
        hits: list[int] = []
        for m in _CODE_FULL.finditer(q):
            if (idx := self.by_code.get(f"{m.group(1)}.{m.group(2)}")) is not None:
                hits.append(idx)

        def by_popularity(i: int) -> tuple[int, str]:
            return (-self.docs[i].popularity, self.docs[i].code)

        if typed := _CODE_PREFIX.match(q):
            prefix = f"{typed.group(1)}.{typed.group(2)}"
            if len(typed.group(2)) >= 2:
                hits += sorted(
                    (i for c, i in self.by_code.items() if c.startswith(prefix)), key=by_popularity
                )
        elif number := _DIGITS.match(q):
            digits = number.group(1)
            hits += sorted(self.by_code_digits.get(digits, []), key=by_popularity)
            prefixed = (i for d, ids in self.by_code_digits.items() if d.startswith(digits) for i in ids)
            hits += sorted(prefixed, key=by_popularity)
        return list(dict.fromkeys(hits))

    def search(
        self,
        query: str,
        *,
        field_id: int | None = None,
        level: str | None = None,
        service_level: str | None = None,
        offset: int = 0,
        limit: int = 20,
    ) -> SearchResult:
        offset, limit = max(offset, 0), max(limit, 0)
        mask = self._mask(field_id, level, service_level)
        query = nfc(query or "")[:500]
        tokens = self.query_tokens(query)
        if not tokens:
            order = [i for i in self.popular_order if mask[i]]
        else:
            order = self._rank(tokens, mask)
            if code_hits := [i for i in self._code_hits(query) if mask[i]]:
                first = set(code_hits)
                order = code_hits + [i for i in order if i not in first]
        return SearchResult(len(order), [self.docs[i].id for i in order[offset : offset + limit]])

    def _matches(
        self, tokens: list[str], mask: list[bool], *, prefix: bool, fuzzy: bool
    ) -> list[tuple[dict[int, float], dict[int, int]]]:
        """Per query word: best match quality and matched name positions (bitmask) per document."""
        per_token: list[tuple[dict[int, float], dict[int, int]]] = []
        for qi, tok in enumerate(tokens):
            known = tok in self.postings
            # The last word may be unfinished (live search); an unknown one always is, a known one
            # only if the whole word found nothing ("khai tu" must not match "thủ tục").
            last_prefix = qi == len(tokens) - 1 and (prefix or not known)
            # Typo tolerance for unknown words always; for known ones only in a fallback pass,
            # so a correctly spelled query is not diluted by look-alikes (sinh ~ tinh ~ minh).
            expansions = self._expand(tok, prefix=last_prefix, fuzzy=fuzzy or not known)
            quality: dict[int, float] = {}
            positions: dict[int, int] = {}
            for word, word_quality in expansions.items():
                label_quality = word_quality * _FIELD_WEIGHT
                for idx, bits in self.postings.get(word, ()):
                    if not mask[idx]:
                        continue
                    q = word_quality if bits else label_quality
                    if q > quality.get(idx, 0.0):
                        quality[idx] = q
                    if bits:
                        positions[idx] = positions.get(idx, 0) | bits
            per_token.append((quality, positions))
        return per_token

    def _rank(self, tokens: list[str], mask: list[bool]) -> list[int]:
        """Documents matching the query, best first; the first pass that finds anything wins.

        1. every word, as typed (typo tolerance and prefix only for unknown words);
        2. the last known word also as a prefix (live search: "xay d" → "xây dựng");
        3. every word typo-tolerant;
        4. long queries may miss words (a name pasted from another province's list rarely
           matches word for word).
        """
        n = len(tokens)
        for prefix, fuzzy in ((False, False), (True, False), (True, True)):
            per_token = self._matches(tokens, mask, prefix=prefix, fuzzy=fuzzy)
            if ranked := self._score(per_token, n):
                return ranked
        relaxed = n if n <= 2 else (n - 1 if n <= 5 else math.ceil(0.7 * n))
        return self._score(per_token, relaxed) if relaxed < n else []

    def _score(self, per_token: list[tuple[dict[int, float], dict[int, int]]], required: int) -> list[int]:
        counts: dict[int, int] = {}
        for quality, _positions in per_token:
            for idx in quality:
                counts[idx] = counts.get(idx, 0) + 1
        scored: list[tuple[int, float, int, str, int]] = []
        for idx, matched in counts.items():
            if matched < required:
                continue
            doc = self.docs[idx]
            relevance = self._relevance(
                doc, [q.get(idx) for q, _ in per_token], [p.get(idx, 0) for _, p in per_token]
            )
            scored.append((-matched, -relevance, -doc.popularity, doc.code, idx))
        scored.sort()
        return [s[-1] for s in scored]

    @staticmethod
    def _relevance(doc: _Doc, qualities: list[float | None], masks: list[int]) -> float:
        """Relevance of one document; ``masks[i]``: name positions matched by query word i."""
        quality = sum(q for q in qualities if q is not None)
        # Phrase: consecutive query words at consecutive positions; else at least in order.
        adjacent = ordered = 0
        for a, b in itertools.pairwise(masks):
            if not a or not b:
                continue
            if (a << 1) & b:
                adjacent += 1
            elif (a & -a).bit_length() < b.bit_length():  # lowest position of a < highest of b
                ordered += 1
        # The name starts with the whole query as one phrase ("đăng ký khai sinh …").
        starts = all(bits >> (doc.core_start + i) & 1 for i, bits in enumerate(masks))
        covered = 0
        for bits in masks:
            covered |= bits
        extras = doc.extra_total
        covered >>= doc.core_start
        pos = doc.core_start
        while covered:
            if covered & 1:
                extras -= doc.extra_weight[pos]
            covered >>= 1
            pos += 1
        extras = max(extras, 0.0)
        exact_name = extras < 1e-9 and all(q is not None and q >= _TELEX for q in qualities)
        return (
            _W_QUALITY * quality
            + _W_ADJACENT * adjacent
            + _W_ORDERED * ordered
            + (_W_STARTS if starts else 0.0)
            + (_W_EXACT_NAME if exact_name else 0.0)
            - _W_EXTRAS * math.log2(1 + extras)
            + doc.static_score
        )


# ---- per-process index with cross-process freshness -------------------------------------------


def _load_rows() -> list[IndexRow]:
    from motcua.catalog.models import Procedure

    fields = [*IndexRow._fields]
    return [
        IndexRow(*row) for row in Procedure.objects.order_by().values_list(*fields).iterator(chunk_size=1000)
    ]


def _check_seconds() -> float:
    return float(getattr(settings, "CATALOG_SEARCH_CHECK_SECONDS", DEFAULT_CHECK_SECONDS))


@dataclass
class Engine:
    """Both indexes of one catalogue state: names (``SearchIndex``) and everyday language."""

    names: SearchIndex
    understand: UnderstandIndex
    # Folded core names (without "thủ tục"), sorted, to tell a name being typed from a question.
    name_keys: list[str]


def _load_understanding(rows: list[IndexRow]) -> UnderstandIndex:
    from motcua.catalog.models import Procedure, ProcedureDocument, SearchTerm

    documents: dict[int, list[str]] = {}
    for pid, name in ProcedureDocument.objects.order_by("procedure_id", "order").values_list(
        "procedure_id", "name"
    ):
        documents.setdefault(pid, []).append(name)
    details = {
        pid: DetailRow(
            pid, field_name or "", "\n".join([result or "", *documents.get(pid, ())]), citizen, business
        )
        for pid, field_name, result, citizen, business in Procedure.objects.order_by().values_list(
            "id", "field__name", "result", "audience_citizen", "audience_business"
        )
    }
    vocabulary = (
        SearchTerm.objects.filter(is_active=True).order_by("phrase").values_list("phrase", "expands_to")
    )
    return UnderstandIndex.build(
        (
            (r.id, r.code, r.name, r.popularity, bool(r.is_active) and bool(r.applies_here), r.has_details)
            for r in rows
        ),
        details,
        list(vocabulary),
    )


def _name_key(name: str) -> str:
    tokens = tokenize(nfc(name))
    if tokens[:2] == ["thu", "tuc"] and len(tokens) > 2:
        tokens = tokens[2:]
    return " ".join(tokens)


def _index_build() -> Engine:
    rows = _load_rows()
    return Engine(
        names=SearchIndex.build(rows),
        understand=_load_understanding(rows),
        name_keys=sorted({_name_key(r.name) for r in rows if r.is_active and r.applies_here}),
    )


_index = ReferenceDataFollower(build=_index_build, check_seconds=_check_seconds)


def get_engine() -> Engine:
    """The current indexes, rebuilt when a write anywhere (or in this process) made them stale."""
    return _index.get()


def get_index() -> SearchIndex:
    """The current name index, rebuilt when a write anywhere (or in this process) made it stale."""
    return _index.get().names


def index_invalidate() -> None:
    """Drop this process's index: the next search rebuilds it (tests, settings)."""
    _index.clear()


def _is_name_like(engine: Engine, query: str) -> bool:
    """The query is a procedure's name (or the start of one) as typed: the name order is best."""
    key = _name_key(query)
    if not key:
        return True
    i = bisect.bisect_left(engine.name_keys, key)
    return i < len(engine.name_keys) and engine.name_keys[i].startswith(key)


# A short query found word for word in several names ("giấy phép xây dựng", "hộ chiếu phổ thông") is the
# name of a family of procedures: their names, in the name order, are what the user typed. Found in one
# name only, it is as likely an accident ("sổ đỏ" inside "… trung học cơ sở do …") or a wording people
# borrow ("giấy khai sinh": the copy extract's name; the registration is what they want).
_PHRASE_WORDS = range(2, 6)
_PHRASE_FAMILY = 2


def _is_name_phrase(engine: Engine, query: str) -> bool:
    key = _name_key(query)
    if len(key.split()) not in _PHRASE_WORDS:
        return False
    needle = f" {key} "
    found = 0
    for name in engine.name_keys:
        if needle in f" {name} ":
            found += 1
            if found >= _PHRASE_FAMILY:
                return True
    return False


def procedure_search(
    *,
    query: str,
    field_id: int | None = None,
    level: str | None = None,
    service_level: str | None = None,
    offset: int = 0,
    limit: int = 20,
) -> SearchResult:
    """Active procedures matching ``query`` (best first), filtered and paginated.

    Empty query: most popular first. ``level`` "commune"/"province" include "both".
    """
    engine = get_engine()
    names = engine.names
    query = nfc(query or "")[:MAX_MESSAGE_CHARS]
    # A name as typed (or a phrase of several names), a code, or one word (a name fragment, an
    # abbreviation): the name order.
    if (
        _is_name_like(engine, query)
        or names._code_hits(query)
        or len(tokenize(query)) <= 1
        or _is_name_phrase(engine, query)
    ):
        return names.search(
            query, field_id=field_id, level=level, service_level=service_level, offset=offset, limit=limit
        )
    # Free text: the understanding engine's order first, then whatever else the name search finds.
    offset, limit = max(offset, 0), max(limit, 0)
    mask = names._mask(field_id, level, service_level)
    # Both indexes are built from the same rows in the same order: a document index is shared.
    order = [idx for idx, _score, ev in engine.understand.rank(query, mask=mask) if ev >= MIN_EVIDENCE]
    ids = [names.docs[i].id for i in order]
    # A long message (a story) found what it could; the name search's relaxed passes over a story
    # add only look-alikes, and cost most of the time.
    if not ids or len(tokenize(query)) <= _LONG_MESSAGE_WORDS:
        first = set(ids)
        by_name = names.search(
            query, field_id=field_id, level=level, service_level=service_level, limit=len(names.docs)
        )
        ids += [pid for pid in by_name.ids if pid not in first]
    return SearchResult(len(ids), ids[offset : offset + limit])


@dataclass(frozen=True)
class ProcedureMatch:
    """One ranked procedure for a free-text question, with a confidence in [0, 1]."""

    procedure_id: int
    code: str
    confidence: float


def procedure_understand(text: str, *, limit: int = 10) -> list[ProcedureMatch]:
    """Procedures a free-text message (a question, a story) is most likely about, best first.

    The one engine behind the portal's search box and the assistant (trợ lý ảo); see
    ``catalog.understanding`` for the ranking and ``understanding.confidence`` for what the confidence
    means (≥ 0.6 confident; close values: ask; below 0.3 a guess). Empty for a message about nothing in
    the catalogue; inactive procedures and those of other provinces never.
    """
    engine = get_engine()
    text = nfc(text or "")[:MAX_MESSAGE_CHARS]
    matches: list[ProcedureMatch] = []
    names = engine.names
    # A code in the message names the procedure outright.
    for idx in names._code_hits(text)[:limit]:
        doc = names.docs[idx]
        if doc.is_active:
            matches.append(ProcedureMatch(procedure_id=doc.id, code=doc.code, confidence=1.0))
    if matches:
        return matches
    understand = engine.understand
    return [
        ProcedureMatch(procedure_id=understand.ids[idx], code=understand.codes[idx], confidence=conf)
        for idx, conf in confidence(understand.rank(text), max(limit, 0))
    ]
