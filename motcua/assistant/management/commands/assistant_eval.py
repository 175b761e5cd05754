"""``motcua assistant-eval FILE.jsonl [--min-top3 X]``: accuracy and latency of the assistant's ranking."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.assistant.evaluation import EvalFileError, evaluate, questions_read
from motcua.catalog.models import Procedure


class Command(BaseCommand):
    help = (
        'Đánh giá trợ lý ảo trên tệp câu hỏi JSONL ({"q": ..., "ok": [mã thủ tục]}): độ chính xác '
        "top-1/top-3, các câu sai, độ trễ. (Evaluate the assistant's ranking on a question file.)"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="Tệp JSONL, ví dụ data/assistant/devset.jsonl")
        parser.add_argument(
            "--min-top3",
            type=float,
            default=None,
            help="Thoát với mã lỗi nếu độ chính xác top-3 thấp hơn (exit non-zero below this top-3 rate)",
        )
        parser.add_argument("--quiet-misses", action="store_true", help="Không in các câu sai (hide misses)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            questions = questions_read(options["file"])
        except (OSError, EvalFileError) as exc:
            raise CommandError(str(exc)) from exc
        if not questions:
            raise CommandError(f"{options['file']}: không có câu hỏi nào (no questions)")
        report = evaluate(questions)
        if not options["quiet_misses"] and report.misses:
            codes = {c for m in report.misses for c in (*m.got, *m.question.ok)}
            names = dict(Procedure.objects.filter(code__in=codes).values_list("code", "name"))
            self.stdout.write("Misses (question → expected | got):")
            for miss in report.misses:
                where = f"top-{miss.rank}" if miss.rank else "not in top 3"
                expected = ", ".join(miss.question.ok)
                got = "; ".join(f"{c} {names.get(c, '?')[:60]}" for c in miss.got) or "—"
                self.stdout.write(f"  [{where}] {miss.question.q!r} → {expected} | {got}")
        self.stdout.write(
            f"questions: {report.total}  top-1: {report.top1_rate:.3f} ({report.top1})  "
            f"top-3: {report.top3_rate:.3f} ({report.top3})"
        )
        self.stdout.write(
            f"latency ms: p50 {report.percentile(50):.2f}  p95 {report.percentile(95):.2f}  "
            f"p99 {report.percentile(99):.2f}"
        )
        threshold = options["min_top3"]
        if threshold is not None and report.top3_rate < threshold:
            raise CommandError(f"top-3 {report.top3_rate:.3f} < --min-top3 {threshold}")
