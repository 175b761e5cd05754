"""Evaluation of the assistant's procedure ranking — đánh giá trợ lý ảo — over a question file.

A file holds one JSON object per line: ``{"q": "...", "ok": ["1.001193", ...]}`` and optionally
``"previous": ["earlier message", ...]`` (a follow-up). A question counts as found at rank k when one
of the ``ok`` codes is among the first k procedures ``assistant_rank`` returns.
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from motcua.assistant.engine import assistant_rank


class EvalFileError(ValueError):
    """A line of the question file is not a valid question."""


@dataclass(frozen=True)
class Question:
    q: str
    ok: tuple[str, ...]
    previous: tuple[str, ...] = ()


@dataclass(frozen=True)
class Miss:
    question: Question
    got: tuple[str, ...]
    rank: int | None  # 1-based rank of the first acceptable code within the top 3, or None


@dataclass
class EvalReport:
    total: int = 0
    top1: int = 0
    top3: int = 0
    misses: list[Miss] = field(default_factory=list)
    latencies_ms: list[float] = field(default_factory=list)

    @property
    def top1_rate(self) -> float:
        return self.top1 / self.total if self.total else 0.0

    @property
    def top3_rate(self) -> float:
        return self.top3 / self.total if self.total else 0.0

    def percentile(self, p: float) -> float:
        """Latency percentile in milliseconds (nearest rank)."""
        if not self.latencies_ms:
            return 0.0
        ordered = sorted(self.latencies_ms)
        return ordered[max(math.ceil(p / 100 * len(ordered)) - 1, 0)]


def questions_read(path: Path) -> list[Question]:
    """The questions of ``path``; raises ``EvalFileError`` naming the first bad line."""
    out: list[Question] = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            q, ok, previous = data["q"], data["ok"], data.get("previous", [])
            if not isinstance(q, str) or not isinstance(ok, list) or not isinstance(previous, list):
                raise TypeError
            out.append(Question(q, tuple(str(c) for c in ok), tuple(str(p) for p in previous)))
        except (ValueError, KeyError, TypeError) as exc:
            raise EvalFileError(f'{path}:{number}: expected {{"q": text, "ok": [codes]}}') from exc
    return out


def evaluate(questions: Iterable[Question]) -> EvalReport:
    """Ask ``assistant_rank`` each question (top 3) and count the hits; timing per call."""
    report = EvalReport()
    assistant_rank("khai sinh", limit=3)  # build the index before timing: latency is per message
    for question in questions:
        started = time.perf_counter()
        ranked = assistant_rank(question.q, previous=question.previous, limit=3)
        report.latencies_ms.append((time.perf_counter() - started) * 1000)
        got = tuple(m.code for m in ranked)
        rank = next((i + 1 for i, code in enumerate(got[:3]) if code in question.ok), None)
        report.total += 1
        report.top1 += rank == 1
        report.top3 += rank is not None
        if rank != 1:
            report.misses.append(Miss(question, got, rank))
    return report
