"""Finding procedures from everyday Vietnamese — hiểu câu hỏi của người dân (docs/architecture.md §18).

The name search (``catalog.search.SearchIndex``) answers name-like queries; people write "con tôi mới
sinh được 1 tuần thì làm giấy tờ gì". This module ranks procedures for such a message:

1. **Normalise**: fold (no diacritics, i/y unified), correct each unknown word to a known one (Telex
   typed with the keyboard off, a run-together pair, one or two letters wrong or swapped).
2. **Vocabulary** (``SearchTerm`` rows plus the name search's abbreviations): the longest phrase at each
   position is replaced by its catalogue words ("sổ đỏ" → "giấy chứng nhận quyền sử dụng đất"); a
   phrase with several readings ("mở quán ăn" → household business; food-safety certificate) keeps them
   as alternatives and each procedure takes its best one.
3. **Filler** ("tôi muốn", "thì phải làm sao", "ạ", "cho con") is dropped; the words left are the
   message's own terms: every syllable and every pair of adjacent syllables (Vietnamese words are
   mostly two syllables, so pairs carry the meaning: "khai sinh" is not "khai thuế" + "sinh viên").
4. **Score** each procedure holding a term: inverse document frequency × where the term sits (name
   1, parenthesised name words 0.35, field label 0.4, required documents and result 0.25); a
   vocabulary reading counts as the share of its words the procedure holds, at a fixed weight; minus a
   penalty for name words the message did not mention; plus popularity and a nudge for procedures
   with published details (the ones the province's centres handle); procedures for foreigners and
   business-only procedures rank a little lower unless the message speaks of them.
5. **Confidence** (see ``confidence``): a softmax over the scores of the candidates, damped when the
   evidence is thin. No candidate with enough evidence → nothing (out of scope).

Pure Python over an in-memory index (built with the name index, rebuilt on the reference-data stamp).
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from rapidfuzz import process
from rapidfuzz.distance import OSA

from motcua.core.text import nfc

# Where a term sits in a procedure's record, and how much it counts there.
_W_NAME = 1.0
_W_PAREN = 0.35
_W_FIELD = 0.4
_W_DETAILS = 0.25
# A pair of adjacent syllables is a word; one syllable alone is ambiguous.
_W_BIGRAM = 1.6
# A vocabulary reading fully present in a procedure is worth this much evidence.
_W_VOCAB = 12.0
_VOCAB_PER_IDF = 0.6
# A reading at least this heavy names a topic of the catalogue, not a generic action.
_TOPIC_WEIGHT = 6.0
# A procedure holding less of a reading than this gets nothing from it (at most 0.75 points).
_MIN_SHARE = 0.25
# Procedures for foreigners or with a foreign element rank lower unless the message speaks of them:
# the people asking are mostly Vietnamese citizens at home.
_W_FOREIGN = 2.5
# "người nước ngoài", "có yếu tố nước ngoài"; not "người Việt Nam định cư ở nước ngoài", one audience
# among others in a citizen's procedure.
_FOREIGN = (("nguoi", "nuoc", "ngoai"), ("yeu", "to", "nuoc", "ngoai"))
_W_AUDIENCE = 0.8
_BUSINESS_WORDS = frozenset({"cong ty", "doanh nghiep", "to chuc", "hop tac xa", "chi nhanh"})
_FOREIGN_WORDS = frozenset({"nuoc ngoai", "ngoai quoc", "viet kieu", "foreigner", "quoc tich"})
# The syllables the vocabulary replaced still count a little (the user did type them).
_W_REPLACED = 0.3
_W_EXTRAS = 0.9  # × log2(1 + name words the message did not mention)
_W_POPULARITY = 0.45  # × log10(1 + popularity)
_W_HAS_DETAILS = 1.2
# Evidence below this is noise (one common syllable matched): the message is out of scope.
MIN_EVIDENCE = 4.0
# Confidence: softmax temperature over scores, and how fast evidence saturates.
_TEMPERATURE = 1.6
_EVIDENCE_SCALE = 6.0
MAX_MESSAGE_CHARS = 1000
# Terms in more than this share of procedures ("đăng ký", "cấp", "giấy") say almost nothing and cost
# most of the time (long posting lists); they are skipped.
_MAX_DF_SHARE = 0.2
# ... but never below this many procedures: in a small catalogue (a unit's own list, a test fixture)
# a fifth of it is a handful, and "khai sinh" in six of thirty procedures is still the topic.
_MIN_COMMON_DF = 50
_MIN_IDF_DOCS = 1000
MAX_TERMS = 60

# Filler: politeness, question frames and story glue. Dropped (longest first) before the message's
# own terms are taken, so "tôi muốn hỏi thủ tục" does not look for procedures with "hỏi" or "muốn".
FILLER_PHRASES: tuple[str, ...] = (
    "thi phai lam sao",
    "thi lam the nao",
    "phai lam the nao",
    "phai lam sao",
    "lam the nao",
    "lam sao",
    "the nao",
    "nhu the nao",
    "ra sao",
    "o dau",
    "can nhung gi",
    "can gi",
    "nhung gi",
    "can giay to gi",
    "giay to gi",
    "thu tuc gi",
    "thu tuc nhu the nao",
    "bao nhieu",
    "bao lau",
    "mat bao lau",
    "toi muon",
    "em muon",
    "minh muon",
    "chau muon",
    "toi can",
    "em can",
    "cho toi hoi",
    "cho em hoi",
    "cho hoi",
    "xin hoi",
    "muon hoi",
    "hoi ve",
    "toi dinh",
    "em dinh",
    "dinh",
    "chuan bi",
    "giup toi",
    "giup em",
    "huong dan",
    "xin chao",
    "chao ban",
    "lam on",
    "vui long",
    "cam on",
    "nho",
    "khong a",
    "duoc khong",
    "co duoc khong",
    "co the",
    "the thi",
    "vay thi",
    "bay gio",
    "gio",
    "hien tai",
    "hom nay",
    "tuan",
    "thang",
    "nam nay",
    "gan day",
    "vua roi",
    "moi day",
)
STOP_WORDS: frozenset[str] = frozenset(
    # Folding merges words: ho (họ/hộ), the (thế/thẻ), ban (bạn/bản/bán), nha (nhà), dau (đâu/dấu),
    # do (đó/đỏ), tu (từ/tử), lai (lại), gia (giá/gia) carry meaning in names, so they are not here.
    [
        "a",
        "ah",
        "a",
        "oi",
        "ak",
        "nhe",
        "nhi",
        "vay",
        "thi",
        "la",
        "ma",
        "va",
        "voi",
        "cua",
        "cho",
        "de",
        "o",
        "tai",
        "den",
        "trong",
        "khi",
        "neu",
        "toi",
        "em",
        "anh",
        "chi",
        "minh",
        "chung",
        "ta",
        "no",
        "ong",
        "co",
        "chu",
        "bac",
        "cau",
        "chau",
        "be",
        "muon",
        "can",
        "phai",
        "nen",
        "duoc",
        "bi",
        "da",
        "dang",
        "se",
        "vua",
        "roi",
        "xong",
        "chua",
        "khong",
        "gi",
        "nao",
        "sao",
        "lam",
        "hoi",
        "xin",
        "giup",
        "biet",
        "nhu",
        "nay",
        "kia",
        "ay",
        "day",
        "nhung",
        "cac",
        "it",
        "cung",
        "van",
        "rat",
        "qua",
        "ngay",
        "len",
        "xuong",
        "ra",
        "vao",
        "di",
    ]
)


# Topics people ask a chat box about that no procedure covers; a message naming one and no vocabulary
# term is out of scope even if a rare procedure shares its words ("tác động vào thời tiết").
OFF_TOPIC_PHRASES: tuple[str, ...] = (
    "thoi tiet",
    "du bao",
    "mua khong",
    "hat",
    "bai hat",
    "ke chuyen",
    "chuyen cuoi",
    "gia vang",
    "ti gia",
    "chung khoan",
    "bong da",
    "vo dich",
    "xo so",
    "lo de",
    "nau an",
    "mon an",
    "cong thuc",
    "phim",
    "am nhac",
    "tro choi",
    "game",
    "tinh yeu",
    "nguoi yeu",
    "ban la ai",
    "may gio",
    "lam tho",
)
_OFF_TOPIC = [tuple(p.split()) for p in OFF_TOPIC_PHRASES]


def _contains(tokens: Sequence[str], phrase: Sequence[str]) -> bool:
    n = len(phrase)
    return any(tuple(tokens[i : i + n]) == tuple(phrase) for i in range(len(tokens) - n + 1))


class DetailRow(NamedTuple):
    """Searchable text of one procedure beyond its name: field label, documents, result."""

    id: int
    field_name: str
    details: str
    audience_citizen: bool
    audience_business: bool


def _tokens(text: str) -> list[str]:
    from motcua.catalog.search import tokenize

    return tokenize(text)


_PAREN = re.compile(r"\([^()]*\)")


@dataclass(frozen=True)
class Reading:
    """One vocabulary reading of a phrase: the catalogue words it stands for."""

    unigrams: tuple[str, ...]
    bigrams: tuple[str, ...]


@dataclass(frozen=True)
class Query:
    """A message as the engine sees it (for tests, logs and the evaluation)."""

    terms: dict[str, float]  # own terms (syllables and "a b" pairs) → query weight
    readings: tuple[tuple[Reading, ...], ...]  # per vocabulary hit, its alternatives
    words: tuple[str, ...]  # corrected syllables, filler removed (debugging)
    off_topic: bool = False  # names a topic the catalogue has nothing for (weather, songs…)
    foreign: bool = False  # speaks of foreigners or abroad
    business: bool = False  # speaks for a company or an organisation


def _bigrams(tokens: Sequence[str]) -> list[str]:
    return [f"{a} {b}" for a, b in itertools.pairwise(tokens)]


@dataclass
class UnderstandIndex:
    """Terms of every procedure's record with their weight there, and the vocabulary."""

    ids: list[int]
    codes: list[str]
    active: list[bool]
    prior: list[float]  # popularity and has_details part of the score
    name_len: list[int]  # core name syllables (without "Thủ tục", parentheses count a third)
    business: list[bool]
    citizen: list[bool]
    foreign: list[bool]  # the name speaks of foreigners or a foreign element ("nước ngoài")
    postings: dict[str, list[tuple[int, float]]]
    idf: dict[str, float]
    known: frozenset[str]  # syllables a typo may be corrected to
    known_sorted: list[str]
    df: dict[str, int]
    phrases: dict[tuple[str, ...], tuple[Reading, ...]]
    max_phrase: int
    filler: list[tuple[str, ...]]
    _corrections: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _terms: dict[str, tuple[list[int], list[int]]] = field(default_factory=dict)
    _readings: dict[Reading, tuple[float, list[tuple[int, float, int]]]] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        rows: Iterable[tuple[int, str, str, int, bool, bool]],
        details: dict[int, DetailRow],
        vocabulary: Iterable[tuple[str, str]],
    ) -> UnderstandIndex:
        """``rows``: (id, code, name, popularity, active, has_details); ``vocabulary``: (phrase,
        expands_to) pairs, ``expands_to`` alternatives separated by ";"."""
        ids: list[int] = []
        codes: list[str] = []
        active: list[bool] = []
        prior: list[float] = []
        name_len: list[int] = []
        business: list[bool] = []
        citizen: list[bool] = []
        postings: dict[str, list[tuple[int, float]]] = {}
        foreign: list[bool] = []
        from motcua.catalog.search import _ABBREVIATIONS

        abbreviations = {abbr: _tokens(full) for abbr, full in _ABBREVIATIONS.items()}
        for pid, code, name, popularity, is_active, has_details in rows:
            idx = len(ids)
            ids.append(pid)
            codes.append(code)
            active.append(bool(is_active))
            prior.append(
                _W_POPULARITY * math.log10(1 + max(int(popularity or 0), 0))
                + (_W_HAS_DETAILS if has_details else 0.0)
            )
            weights: dict[str, float] = {}

            def put(tokens: Sequence[str], weight: float, _weights: dict[str, float] = weights) -> None:
                for term in [*tokens, *_bigrams(tokens)]:
                    if weight > _weights.get(term, 0.0):
                        _weights[term] = weight

            name = nfc(name)
            outside = _tokens(_PAREN.sub(" | ", name))
            if outside[:2] == ["thu", "tuc"] and len(outside) > 2:
                outside = outside[2:]
            # Parentheses break phrases: a pair across them is not a word.
            for part in _PAREN.sub(" | ", name).split("|"):
                part_tokens = _tokens(part)
                put(part_tokens, _W_NAME)
                # "thẻ BHYT" in a name is "thẻ bảo hiểm y tế" to the person asking.
                for tok in part_tokens:
                    if (full := abbreviations.get(tok)) is not None:
                        put(full, _W_NAME)
            inside = [_tokens(m.group(0)) for m in _PAREN.finditer(name)]
            for part_tokens in inside:
                put(part_tokens, _W_PAREN)
            name_len.append(len(outside) + sum(len(p) for p in inside) // 3)
            folded = f" {' '.join(_tokens(name))} "
            foreign.append(any(f" {' '.join(phrase)} " in folded for phrase in _FOREIGN))
            detail = details.get(pid)
            if detail is not None:
                put(_tokens(detail.field_name), _W_FIELD)
                for chunk in re.split(r"[;,.()\n]", detail.details):
                    put(_tokens(chunk), _W_DETAILS)
                business.append(detail.audience_business)
                citizen.append(detail.audience_citizen)
            else:
                business.append(False)
                citizen.append(False)
            for term, weight in weights.items():
                postings.setdefault(term, []).append((idx, weight))
        # Weighed as if the catalogue had at least _MIN_IDF_DOCS procedures: evidence thresholds
        # (MIN_EVIDENCE) are absolute, and a small catalogue (a test fixture, a unit's own list) would
        # otherwise give its words too little weight to pass them.
        n = max(len(ids), _MIN_IDF_DOCS)
        df = {t: len(p) for t, p in postings.items()}
        idf = {t: math.log(1 + (n - d + 0.5) / (d + 0.5)) for t, d in df.items()}
        from motcua.catalog.search import _COLLOQUIAL

        phrases: dict[tuple[str, ...], list[Reading]] = {}
        pairs = [*_ABBREVIATIONS.items(), *_COLLOQUIAL.items(), *vocabulary]
        for phrase, expands_to in pairs:
            key = tuple(_tokens(phrase))
            if not key:
                continue
            for alternative in expands_to.split(";"):
                words = _tokens(alternative)
                if not words:
                    continue
                reading = Reading(tuple(dict.fromkeys(words)), tuple(dict.fromkeys(_bigrams(words))))
                existing = phrases.setdefault(key, [])
                if reading not in existing:
                    existing.append(reading)
        filler = sorted({tuple(_tokens(f)) for f in FILLER_PHRASES}, key=lambda p: -len(p))
        known_words = {t for t in postings if " " not in t}
        for key in phrases:
            known_words.update(key)
        for f in filler:
            known_words.update(f)
        known_words.update(STOP_WORDS)
        return cls(
            ids=ids,
            codes=codes,
            active=active,
            prior=prior,
            name_len=name_len,
            business=business,
            citizen=citizen,
            foreign=foreign,
            postings=postings,
            idf=idf,
            known=frozenset(known_words),
            known_sorted=sorted(known_words),
            df=df,
            phrases={k: tuple(v) for k, v in phrases.items()},
            max_phrase=max((len(k) for k in phrases), default=1),
            filler=filler,
        )

    # ---- query side -------------------------------------------------------------------------

    def _correct(self, token: str) -> tuple[str, ...]:
        """A known spelling of ``token``: itself, Telex decoded, split in two, or the nearest word."""
        if token in self.known or token.isdigit() or len(token) <= 1:
            return (token,)
        cached = self._corrections.get(token)
        if cached is not None:
            return cached
        from motcua.catalog.search import _telex_decode, _unify_iy

        out: tuple[str, ...] = (token,)
        decoded = _unify_iy(_telex_decode(token))
        if decoded in self.known:
            out = (decoded,)
        else:
            split = self._split(token)
            if split:
                out = split
            elif len(token) >= 3:
                max_dist = 2 if len(token) >= 7 else 1
                # OSA counts a swap of two letters as one edit ("sihn" → "sinh").
                found = process.extract(
                    token, self.known_sorted, scorer=OSA.distance, score_cutoff=max_dist, limit=None
                )
                best: tuple[int, int, str] | None = None
                for word, dist, _ in found:
                    if len(token) <= 4 and word[0] != token[0]:
                        continue  # short words: keep the first letter, else noise dominates
                    rank = (int(dist), -self.df.get(word, 0), word)
                    if best is None or rank < best:
                        best = rank
                if best is not None:
                    out = (best[2],)
        if len(self._corrections) > 20_000:
            self._corrections.clear()
        self._corrections[token] = out
        return out

    def _split(self, token: str) -> tuple[str, ...] | None:
        best: tuple[str, ...] | None = None
        best_min = 0
        for i in range(2, len(token) - 1):
            a, b = token[:i], token[i:]
            if a in self.known and b in self.known and min(len(a), len(b)) > best_min:
                best, best_min = (a, b), min(len(a), len(b))
        return best

    def parse(self, text: str) -> Query:
        """The message's own terms and vocabulary readings."""
        raw = _tokens(nfc(text or "")[:MAX_MESSAGE_CHARS])
        words: list[str] = []
        for tok in raw:
            words += self._correct(tok)
        # Vocabulary first (longest phrase at each position), then filler; both cut phrases apart.
        segments: list[list[str]] = [[]]
        replaced: list[str] = []
        readings: list[tuple[Reading, ...]] = []
        i = 0
        while i < len(words):
            hit = None
            for size in range(min(self.max_phrase, len(words) - i), 0, -1):
                key = tuple(words[i : i + size])
                if key in self.phrases:
                    hit = key
                    break
            if hit is not None:
                if self.phrases[hit] not in readings:
                    readings.append(self.phrases[hit])
                replaced += hit
                segments.append([])
                i += len(hit)
                continue
            filler = next((f for f in self.filler if tuple(words[i : i + len(f)]) == f), None)
            if filler is not None:
                segments.append([])
                i += len(filler)
                continue
            segments[-1].append(words[i])
            i += 1
        terms: dict[str, float] = {}
        for segment in segments:
            for tok in segment:
                if tok not in STOP_WORDS and not tok.isdigit():
                    terms[tok] = max(terms.get(tok, 0.0), 1.0)
            for pair in _bigrams(segment):
                a, b = pair.split(" ")
                if a in STOP_WORDS and b in STOP_WORDS:
                    continue
                # A pair with one stop word ("cho con") may match but does not anchor a procedure.
                weight = _W_BIGRAM if a not in STOP_WORDS and b not in STOP_WORDS else _W_BIGRAM * 0.99
                terms[pair] = max(terms.get(pair, 0.0), weight)
        for tok in replaced:
            if tok not in STOP_WORDS and tok not in terms:
                terms[tok] = _W_REPLACED
        kept = dict(list(terms.items())[:MAX_TERMS])
        flat = [w for s in segments for w in s]
        off_topic = False
        for phrase in _OFF_TOPIC:
            if _contains(flat, phrase):
                off_topic = True
                # "thời tiết xấu làm hỏng sổ đỏ": the weather is the story, not the procedure.
                for term in [*phrase, *_bigrams(phrase)]:
                    kept.pop(term, None)
        all_terms = [*words, *_bigrams(words)]
        foreign = any(w in _FOREIGN_WORDS for w in all_terms)
        business = any(w in _BUSINESS_WORDS for w in all_terms)
        return Query(kept, tuple(readings[:12]), tuple(flat), off_topic, foreign, business)

    def _term_hits(self, term: str) -> tuple[list[int], list[int]]:
        """Procedures holding ``term`` in the name proper, and in the name or parentheses (memoised)."""
        cached = self._terms.get(term)
        if cached is None:
            postings = self.postings[term]
            cached = ([i for i, w in postings if w >= _W_NAME], [i for i, w in postings if w >= _W_PAREN])
            self._terms[term] = cached
        return cached

    def _common_df(self) -> float:
        """Terms in more procedures than this are too common to search by (see _MAX_DF_SHARE)."""
        return max(_MAX_DF_SHARE * len(self.ids), _MIN_COMMON_DF)

    def _reading_hits(self, reading: Reading) -> tuple[float, list[tuple[int, float, int]]]:
        """A reading's weight and, per procedure holding enough of it, the share it holds and how
        many of its words are in the name (memoised: readings come from the vocabulary)."""
        cached = self._readings.get(reading)
        if cached is not None:
            return cached
        common = self._common_df()
        terms = [t for t in (*reading.unigrams, *reading.bigrams) if 0 < self.df.get(t, 0) <= common]
        total = sum(self.idf[t] for t in terms)
        got: dict[int, float] = {}
        names: dict[int, int] = {}
        for term in terms:
            idf = self.idf[term]
            unigram = " " not in term
            for idx, weight in self.postings[term]:
                got[idx] = got.get(idx, 0.0) + idf * weight
                if unigram and weight >= _W_NAME:
                    names[idx] = names.get(idx, 0) + 1
        # A generic reading ("cấp lại", "đăng ký") says less than a topic ("hộ chiếu phổ thông"):
        # its weight grows with the information it carries, up to _W_VOCAB.
        weight_cap = min(_W_VOCAB, _VOCAB_PER_IDF * total)
        hits = [
            (idx, value / total, names.get(idx, 0))
            for idx, value in got.items()
            if total > 0 and value / total >= _MIN_SHARE
        ]
        self._readings[reading] = (weight_cap, hits)
        return weight_cap, hits

    def rank(self, text: str, *, mask: Sequence[bool] | None = None) -> list[tuple[int, float, float]]:
        """Candidates best first: (document index, score, evidence); evidence excludes the prior."""
        query = self.parse(text)
        common = self._common_df()
        evidence: dict[int, float] = {}
        mentioned: dict[int, float] = {}
        # A procedure must share a word (two syllables, neither a stop word) with the message or
        # hold most of a vocabulary reading: single syllables alone are what off-topic chat shares
        # with the catalogue ("giá vàng" ~ "tạm vắng", "bạn là ai").
        anchored: set[int] = set()
        if query.off_topic and not any(
            self._reading_hits(r)[0] >= _TOPIC_WEIGHT for alternatives in query.readings for r in alternatives
        ):
            return []  # an off-topic chat with at most a generic word ("đổi", "làm lại")
        for term, qweight in query.terms.items():
            idf = self.idf.get(term)
            if idf is None or self.df[term] > common:
                continue
            scale = qweight * idf
            get = evidence.get
            for idx, weight in self.postings[term]:
                evidence[idx] = get(idx, 0.0) + scale * weight
            in_name, anchors = self._term_hits(term)
            if " " not in term:
                for idx in in_name:
                    mentioned[idx] = mentioned.get(idx, 0.0) + 1
            elif qweight >= _W_BIGRAM:
                anchored.update(anchors)
        for alternatives in query.readings:
            best: dict[int, float] = {}
            for reading in alternatives:
                weight_cap, hits = self._reading_hits(reading)
                for idx, share, names in hits:
                    # Half a reading is a weak hint; most of it is the thing itself.
                    score = weight_cap * share * share
                    if share >= 0.5:
                        anchored.add(idx)
                    if score > best.get(idx, 0.0):
                        best[idx] = score
                    if names:
                        mentioned[idx] = mentioned.get(idx, 0.0) + names
            for idx, score in best.items():
                evidence[idx] = evidence.get(idx, 0.0) + score
        scored: list[tuple[int, float, float]] = []
        about_foreign = query.foreign
        for idx, ev in evidence.items():
            if not self.active[idx] or (mask is not None and not mask[idx]) or idx not in anchored:
                continue
            extras = max(self.name_len[idx] - mentioned.get(idx, 0.0), 0.0)
            score = ev - _W_EXTRAS * math.log2(1 + extras) + self.prior[idx]
            if self.foreign[idx] and not about_foreign:
                score -= _W_FOREIGN
            # The audience: a person asks about citizens' procedures unless speaking for a business.
            if query.business:
                score += _W_AUDIENCE if self.business[idx] else 0.0
            elif self.business[idx] and not self.citizen[idx]:
                score -= _W_AUDIENCE
            scored.append((idx, score, ev))
        scored.sort(key=lambda s: (-s[1], self.codes[s[0]]))
        return scored


def confidence(scored: Sequence[tuple[int, float, float]], limit: int) -> list[tuple[int, float]]:
    """(document index, confidence in [0, 1]) for the best ``limit`` candidates.

    Confidence = softmax share of the candidate's score among the top ten (how clearly it beats the
    others) × (1 − e^(−evidence / 6)) (how much of the message it explains). Measured on the
    development set: ≥ 0.6 is right nine times in ten (held-out too); two candidates both near 0.4
    are close (ask which one); below 0.3 the engine is guessing. Nothing with evidence <
    ``MIN_EVIDENCE``.
    """
    top = [s for s in scored[:10] if s[2] >= MIN_EVIDENCE]
    if not top:
        return []
    best = top[0][1]
    weights = [math.exp((s[1] - best) / _TEMPERATURE) for s in top]
    total = sum(weights)
    out = []
    for (idx, _score, ev), w in zip(top[:limit], weights, strict=False):
        saturation = 1 - math.exp(-ev / _EVIDENCE_SCALE)
        out.append((idx, round(w / total * saturation, 3)))
    return out
