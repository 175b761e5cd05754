"""Understanding benchmark (issue 11): ``procedure_understand`` cost per message and the index's memory.

    .venv/bin/python bench/understand_bench.py [--rounds 5]

Imports the catalogue (with the vocabulary) into a fresh SQLite file in ``var/bench-understand`` (or the
empty database ``DATABASE_URL`` names), then measures, in this process (no HTTP — the assistant's HTTP
benchmark is ``bench/assistant_bench.py``):

* **build**: CPU time to build both indexes (names and understanding) from the database, and the
  memory they hold (``tracemalloc``, after a garbage collection);
* **per message**: CPU time of ``procedure_understand(text, limit=3)`` over every question of
  ``data/assistant/devset.jsonl`` and ``heldout.jsonl`` (262 messages: names, colloquial phrasing,
  stories, typos), ``--rounds`` rounds after a warm-up round; and of ``procedure_search`` (the portal's
  search box) over the same messages, for comparison.

Target: per-message p95 well under 10 ms of CPU. Results: ``bench/results/understand.json``.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import ROOT, percentile, write_result

VAR_DIR = ROOT / "var" / "bench-understand"
TARGET_P95_MS = 10.0


def _setup() -> None:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    if not os.environ.get("DATABASE_URL"):
        (VAR_DIR / "motcua.sqlite3").unlink(missing_ok=True)
    os.environ.setdefault("MOTCUA_VAR_DIR", str(VAR_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from motcua.catalog.services import catalog_import

    call_command("migrate", "--noinput", verbosity=0)
    catalog_import(path=ROOT / "data" / "catalog")


def _messages() -> list[str]:
    out: list[str] = []
    for name in ("devset.jsonl", "heldout.jsonl"):
        for line in (ROOT / "data" / "assistant" / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.append(json.loads(line)["q"])
    return out


def _timings(fn: Any, messages: list[str], rounds: int) -> dict[str, float]:
    for text in messages:
        fn(text)
    samples: list[float] = []
    for _ in range(rounds):
        for text in messages:
            started = time.process_time()
            fn(text)
            samples.append((time.process_time() - started) * 1000)
    samples.sort()
    return {
        "p50_ms": round(percentile(samples, 50), 3),
        "p95_ms": round(percentile(samples, 95), 3),
        "p99_ms": round(percentile(samples, 99), 3),
        "max_ms": round(samples[-1], 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    _setup()
    from motcua.catalog import search

    started = time.process_time()
    search._index_build()
    build_s = time.process_time() - started  # without tracemalloc, which slows allocation a lot
    gc.collect()
    tracemalloc.start()
    engine = search._index_build()
    gc.collect()
    memory, _peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del engine
    messages, rounds = _messages(), args.rounds
    results: dict[str, Any] = {
        "load_average": os.getloadavg(),
        "messages": len(messages),
        "build_cpu_s": round(build_s, 3),
        "index_memory_mb": round(memory / 1e6, 1),
        "understand": _timings(lambda t: search.procedure_understand(t, limit=3), messages, rounds),
        "portal_search": _timings(lambda t: search.procedure_search(query=t, limit=20), messages, rounds),
    }
    for key, value in results.items():
        print(f"{key:<16} {value}")
    ok = results["understand"]["p95_ms"] < TARGET_P95_MS
    print(f"understand p95 < {TARGET_P95_MS} ms: {'✔' if ok else '✘'}")
    path = write_result("understand", results)
    print(f"results: {path.relative_to(ROOT)}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
