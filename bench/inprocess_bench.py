"""In-process benchmarks (no HTTP) — the speed checks that used to be unit-test assertions.

    .venv/bin/python bench/inprocess_bench.py [--rounds 5]

A unit test never asserts a duration (a busy machine must not fail the suite), so what the tests used to
time is measured here, each figure against a baseline taken in the same run, and reported as a ratio:

* **catalogue import** (was ``catalog/tests/test_import.py::test_import_is_fast``): the full import of
  ``data/catalog`` into an empty database and the no-change rerun, against reading and parsing the same
  JSON files (the least any import must do). Targets: full ≤ 160× the parse (twice the 2026-12-01
  figure), rerun ≤ 0.5× the full import.
* **search CPU** (was ``catalog/tests/test_search_catalogue.py::test_latency_p95_under_30ms``): CPU time
  of ``procedure_search`` and of ``procedure_list`` (search + page fetch) over ~50 realistic queries,
  against a primary-key read of one procedure. Targets: p95 < 30 ms CPU; p95 ≤ 30× the bare read.
* **form rendering** (was ``documents/tests/test_forms.py::test_rendering_is_fast_once_warm``): the
  receipt (mẫu 01) rendered warm against its first, cold render in this process (which scans the fonts).
  Target: warm median ≤ 0.5× cold — a regression such as re-reading the fonts every time breaks it.

The database is a fresh SQLite file in ``var/bench-inprocess`` (removed first), or ``DATABASE_URL``,
which must then name an empty, migrated-or-new database. Every figure is CPU time of this process
(``time.process_time``), so other load on the machine barely moves it. Results:
``bench/results/inprocess.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import ROOT, percentile, write_result

VAR_DIR = ROOT / "var" / "bench-inprocess"
CATALOG_DIR = ROOT / "data" / "catalog"

# ~50 realistic queries: names with and without accents, typos, prefixes while typing, codes, filters.
WORKLOAD: list[tuple[str, dict[str, Any]]] = [
    ("dang ky khai sinh", {}),
    ("đăng kí khai sinh", {}),
    ("khai sinh", {}),
    ("khai snh", {}),
    ("tam tru", {}),
    ("dang ki tam tru", {}),
    ("đăng ký tạm trú", {"level": "commune"}),
    ("thuong tru", {}),
    ("giay phep xay dung", {}),
    ("giay phep xay d", {}),
    ("ket hon", {}),
    ("ket hon co yeu to nuoc ngoai", {}),
    ("ho kinh doanh", {}),
    ("dang ky ho kinh doanh", {"service_level": "full_online"}),
    ("1.004194", {}),
    ("004194", {}),
    ("1.00", {}),
    ("ho chieu", {}),
    ("cap ho chieu pho thong", {}),
    ("can cuoc", {}),
    ("cap doi the can cuoc", {}),
    ("ly lich tu phap", {}),
    ("chung thuc", {}),
    ("chung thuc ban sao tu ban chinh", {}),
    ("khai tu", {}),
    ("dang ky xe", {}),
    ("giay phep lai xe", {}),
    ("bang lai xe", {}),
    ("tro cap that nghiep", {}),
    ("bao hiem xa hoi mot lan", {}),
    ("bhxh", {}),
    ("the bao hiem y te", {}),
    ("an toan thuc pham", {}),
    ("thanh lap doanh nghiep", {}),
    ("dang ky doanh nghiep tu nhan", {}),
    ("giay chung nhan quyen su dung dat", {}),
    ("so do", {}),
    ("dat dai", {"level": "province"}),
    ("xac nhan tinh trang hon nhan", {}),
    ("nuoi con nuoi", {}),
    ("tre em duoi 6 tuoi", {}),
    ("thue thu nhap ca nhan", {}),
    ("quyet toan thue", {}),
    ("xuat khau", {}),
    ("giay phep kinh doanh van tai", {}),
    ("mai tang phi", {}),
    ("cai nghien ma tuy", {}),
    ("nguoi co cong", {}),
    ("", {}),
    ("", {"level": "commune", "offset": 40}),
    ("dang ky", {"offset": 60}),
    ("giay phep", {"offset": 100}),
]


def _setup() -> None:
    if not os.environ.get("DATABASE_URL"):
        (VAR_DIR / "motcua.sqlite3").unlink(missing_ok=True)
    os.environ.setdefault("MOTCUA_VAR_DIR", str(VAR_DIR))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "--noinput", verbosity=0)


def _cpu_s(fn: Callable[[], object]) -> float:
    # CPU time of this process, not wall time: on a shared machine the waits are other people's work.
    started = time.process_time()
    fn()
    return time.process_time() - started


def _cpu_ms(fn: Callable[[], object]) -> float:
    return _cpu_s(fn) * 1000


def _parse_catalogue() -> None:
    for path in sorted(CATALOG_DIR.rglob("*")):
        if path.suffix == ".json":
            json.loads(path.read_text(encoding="utf-8"))
        elif path.suffix == ".jsonl":
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    json.loads(line)


def bench_import() -> dict[str, float]:
    from motcua.catalog.models import Procedure
    from motcua.catalog.services import catalog_import

    if Procedure.objects.exists():
        sys.exit("inprocess_bench: the database already holds a catalogue; give it an empty one")
    parse = min(_cpu_s(_parse_catalogue) for _ in range(3))
    full = _cpu_s(lambda: catalog_import(path=CATALOG_DIR))
    rerun = _cpu_s(lambda: catalog_import(path=CATALOG_DIR))
    return {
        "parse_s": parse,
        "full_s": full,
        "rerun_s": rerun,
        "full_over_parse": full / parse,
        "rerun_over_full": rerun / full,
    }


def bench_search(rounds: int) -> dict[str, float]:
    from motcua.catalog.models import Procedure
    from motcua.catalog.search import procedure_search
    from motcua.catalog.selectors import procedure_list

    procedure_search(query="warm up")  # builds the index
    pks = list(Procedure.objects.values_list("pk", flat=True)[:200])
    bare: list[float] = []
    search: list[float] = []
    listing: list[float] = []
    for _ in range(rounds):
        bare += [_cpu_ms(partial(Procedure.objects.get, pk=pk)) for pk in pks[: len(WORKLOAD)]]
        for query, filters in WORKLOAD:
            search.append(_cpu_ms(partial(procedure_search, query=query, limit=20, **filters)))
            listing.append(_cpu_ms(partial(procedure_list, query=query, limit=20, **filters)))
    bare.sort()
    search.sort()
    listing.sort()
    return {
        "search_cpu_p50_ms": statistics.median(search),
        "search_cpu_p95_ms": percentile(search, 95),
        "list_cpu_p95_ms": percentile(listing, 95),
        "bare_read_cpu_p95_ms": percentile(bare, 95),
        "search_p95_over_bare": percentile(search, 95) / percentile(bare, 95),
        "list_p95_over_bare": percentile(listing, 95) / percentile(bare, 95),
    }


def bench_rendering(rounds: int) -> dict[str, float]:
    from motcua.documents.forms import form_receipt_render
    from motcua.documents.tests import factories

    form = factories.receipt()
    cold = _cpu_s(lambda: form_receipt_render(form))
    warm = statistics.median(_cpu_s(lambda: form_receipt_render(form)) for _ in range(max(rounds, 5)))
    return {"cold_s": cold, "warm_median_s": warm, "warm_over_cold": warm / cold}


TARGETS: dict[str, tuple[str, float]] = {
    # figure: (section, upper bound)
    "full_over_parse": ("import", 160),
    "rerun_over_full": ("import", 0.5),
    "search_cpu_p95_ms": ("search", 30),
    "list_cpu_p95_ms": ("search", 30),
    "search_p95_over_bare": ("search", 30),
    "warm_over_cold": ("rendering", 0.5),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    _setup()
    results: dict[str, Any] = {"load_average": os.getloadavg()}
    results["rendering"] = bench_rendering(args.rounds)  # first: its cold render must be the process's first
    results["import"] = bench_import()
    results["search"] = bench_search(args.rounds)
    failed = []
    for figure, (section, bound) in TARGETS.items():
        value = results[section][figure]
        ok = value <= bound
        failed += [] if ok else [figure]
        print(f"{section:<10} {figure:<22} {value:10.3f}  (≤ {bound}) {'✔' if ok else '✘'}")
    path = write_result("inprocess", results)
    print(f"results: {path.relative_to(ROOT)}")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
