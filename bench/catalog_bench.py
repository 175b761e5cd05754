"""Foundation benchmarks (issue 2): catalogue search latency and due-date API throughput.

    .venv/bin/python bench/catalog_bench.py [--seconds 10] [--clients 4]

Runs gunicorn (2 workers) on loopback against the demo database (SQLite in var/bench by default,
PostgreSQL when DATABASE_URL is set) and compares each endpoint with a bare Django view on the same
server in the same run. Targets: search p95 < 30 ms; due-date API ≥ 0.8× the bare view.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (
    ROOT,
    bench_env,
    prepare_database,
    sequential_latency,
    server,
    throughput,
    write_result,
)

# Realistic citizen queries: accented, unaccented, misspelt, partial, codes, with and without filters.
SEARCH_QUERIES = [
    "đăng ký khai sinh",
    "dang ky khai sinh",
    "đăng kí khai sinh",
    "khai sinh",
    "khai snh",
    "kết hôn",
    "ket hon",
    "tạm trú",
    "tam tru",
    "dang ki tam tru",
    "thường trú",
    "khai tử",
    "hộ kinh doanh",
    "ho kinh doanh",
    "giấy phép xây dựng",
    "giay phep xay dung",
    "chứng thực",
    "chung thuc ban sao",
    "lý lịch tư pháp",
    "ly lich tu phap",
    "đất đai",
    "cấp đổi giấy chứng nhận",
    "an toàn thực phẩm",
    "bảo hiểm y tế",
    "the bao hiem y te",
    "doanh nghiệp",
    "thanh lap cong ty",
    "giấy phép lái xe",
    "hộ chiếu",
    "ho chieu",
    "căn cước",
    "trợ cấp",
    "bảo trợ xã hội",
    "người có công",
    "thuế",
    "hải quan",
    "xuất khẩu",
    "môi trường",
    "khoáng sản",
    "giáo dục",
    "chuyển trường",
    "y tế",
    "hành nghề",
    "dược",
    "nông nghiệp",
    "thủy sản",
    "du lịch",
    "lao động",
    "việc làm",
    "1.001193",
    "004194",
    "xac nhan tinh trang hon nhan",
    "cai nghien",
    "trẻ em",
    "mai táng phí",
    "đính chính",
    "biến động đất đai",
    "quốc tịch",
    "con nuôi",
    "giám hộ",
]
FILTERED = [
    {"q": "đăng ký", "level": "commune"},
    {"q": "giấy phép", "online": "full"},
    {"q": "", "level": "province"},
    {"q": "cấp", "online": "partial"},
]


def search_paths() -> list[str]:
    paths = [f"/api/v1/procedures?{urlencode({'q': q})}" for q in SEARCH_QUERIES]
    paths += [f"/api/v1/procedures?{urlencode(params)}" for params in FILTERED]
    return paths


def due_paths() -> list[str]:
    cases = [
        ("2026-11-23T10:00:00+07:00", "3", "working_days"),
        ("2026-02-13T16:00:00+07:00", "5", "working_days"),
        ("2026-08-21T09:30:00+07:00", "1.5", "working_days"),
        ("2026-11-21T22:00:00+07:00", "12", "working_hours"),
        ("2026-08-28T03:00:00Z", "15", "working_days"),
        ("2026-12-30T11:00:00+07:00", "30", "calendar_days"),
    ]
    return [f"/api/v1/calendar/due?{urlencode({'start': s, 'amount': a, 'unit': u})}" for s, a, u in cases]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=20.0, help="total time per endpoint")
    parser.add_argument("--windows", type=int, default=5, help="alternating endpoint/baseline windows")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()

    env = bench_env(ROOT / "var" / "bench")
    prepare_database(env)
    with server(env, port=args.port):
        search_api = sequential_latency(args.port, search_paths(), rounds=args.rounds)
        search_page = sequential_latency(
            args.port, [f"/thu-tuc/?{urlencode({'q': q})}" for q in SEARCH_QUERIES], rounds=args.rounds
        )
        bare_read = sequential_latency(
            args.port, [f"/bench/bare-procedure?id={i}" for i in range(1, 65)], rounds=args.rounds
        )
        # Alternate short windows of the endpoint and its baseline and take the median ratio: on a
        # shared 2-core machine the background load drifts, and a drift between two long runs would
        # show up as a (false) difference between the endpoints.
        bare_paths = [p.replace("/api/v1/calendar/due", "/bench/bare-json") for p in due_paths()]
        window = args.seconds / args.windows
        pairs = [
            (
                throughput(args.port, due_paths(), seconds=window, clients=args.clients),
                throughput(args.port, bare_paths, seconds=window, clients=args.clients),
            )
            for _ in range(args.windows)
        ]
        ratios = sorted(d.rps / b.rps for d, b in pairs)
        due_ratio = statistics.median(ratios)
        due_rps = statistics.median(d.rps for d, _ in pairs)
        bare_rps = statistics.median(b.rps for _, b in pairs)

    result = {
        "database": env.get("DATABASE_URL", "sqlite"),
        "search_api": search_api.as_dict(),
        "search_page": search_page.as_dict(),
        "bare_pk_read": bare_read.as_dict(),
        "search_api_p95_target_ms": 30,
        "search_api_p95_ok": search_api.p95_ms < 30,
        "due_api": [d.as_dict() for d, _ in pairs],
        "bare_view": [b.as_dict() for _, b in pairs],
        "due_vs_bare_ratios": [round(r, 3) for r in ratios],
        "due_vs_bare_ratio": round(due_ratio, 3),
        "due_ratio_target": 0.8,
        "due_ratio_ok": due_ratio >= 0.8,
        "clients": args.clients,
        "seconds": args.seconds,
    }
    write_result("catalog", result)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    print(
        f"\nsearch API p95 {search_api.p95_ms:.1f} ms (page p95 {search_page.p95_ms:.1f} ms, "
        f"bare PK read p95 {bare_read.p95_ms:.1f} ms) — target < 30 ms\n"
        f"due API {due_rps:.0f} req/s vs bare {bare_rps:.0f} req/s (medians of {args.windows} windows); "
        f"median ratio {due_ratio:.2f}×"
        " — target ≥ 0.8×"
    )


if __name__ == "__main__":
    main()
