"""Virtual assistant benchmark (issue 11): p95 per message through ``POST /api/v1/assistant``, beside
the catalogue search API in the same run, and the memory of the search index.

    .venv/bin/python bench/assistant_bench.py [--rounds 5]

Runs gunicorn (2 workers) on loopback against the demo database (the full catalogue; SQLite in
var/bench by default, PostgreSQL when DATABASE_URL is set). Each conversation is a realistic mix: a
first question (accented, unaccented, misspelt, a story), then follow-ups about the procedure in
context (fees, time, place, online), a greeting, opening hours, an out-of-scope question. One
keep-alive connection, one message at a time: the latency one citizen sees. Target: p95 < 50 ms.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import time
import tracemalloc
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import (
    HOST,
    ROOT,
    bench_env,
    prepare_database,
    sequential_latency,
    server,
    summarise,
    write_result,
)

CONVERSATIONS: list[list[str]] = [
    ["làm giấy khai sinh cho con", "phí bao nhiêu?", "mất mấy ngày?", "có làm online được không?"],
    ["dang ky ket hon", "can giay to gi", "nop o dau"],
    ["con tôi mới sinh được 1 tuần, giờ phải làm giấy tờ gì", "lệ phí thế nào"],
    ["đăng kí tạm trú", "bao lâu thì xong"],
    ["xin chào", "giờ làm việc phường Hồng Gai"],
    ["cap doi giay phep lai xe", "phi bao nhieu", "co nop truc tuyen duoc khong"],
    ["thời tiết ngày mai thế nào"],
    ["chứng thực bản sao", "mất phí không"],
    ["thanh lap ho kinh doanh", "can nhung gi", "mat may ngay"],
    ["ly lich tu phap", "nộp ở đâu"],
    ["khai snh", "phi bao nhieu"],
    ["tra cứu hồ sơ"],
]
SEARCH_QUERIES = [
    "đăng ký khai sinh",
    "dang ky ket hon",
    "tạm trú",
    "giấy phép lái xe",
    "chứng thực",
    "hộ kinh doanh",
    "lý lịch tư pháp",
    "khai snh",
    "thời tiết",
    "hộ chiếu",
]


def _post(conn: http.client.HTTPConnection, body: dict[str, object]) -> tuple[float, dict[str, object]]:
    data = json.dumps(body).encode()
    started = time.perf_counter()
    conn.request("POST", "/api/v1/assistant", body=data, headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    raw = response.read()
    elapsed = time.perf_counter() - started
    if response.status != 200:
        raise RuntimeError(f"POST /api/v1/assistant {body} → {response.status}: {raw[:300]!r}")
    return elapsed, json.loads(raw)


def assistant_latency(port: int, *, rounds: int, warmup: int = 1) -> tuple[list[float], dict[str, int]]:
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    samples: list[float] = []
    intents: dict[str, int] = {}
    try:
        for round_no in range(warmup + rounds):
            for messages in CONVERSATIONS:
                cid = ""
                for message in messages:
                    elapsed, answer = _post(conn, {"message": message, "conversation_id": cid or None})
                    cid = str(answer["conversation_id"])
                    if round_no >= warmup:
                        samples.append(elapsed)
                        intents[str(answer["intent"])] = intents.get(str(answer["intent"]), 0) + 1
    finally:
        conn.close()
    return samples, intents


def index_memory(env: dict[str, str]) -> dict[str, float]:
    """Memory the catalogue search index takes in one process (tracemalloc, on the same database)."""
    os.environ.update(
        {k: v for k, v in env.items() if k in ("DJANGO_SETTINGS_MODULE", "MOTCUA_VAR_DIR", "DATABASE_URL")}
    )
    import django

    django.setup()
    from motcua.catalog.search import SearchIndex, _load_rows

    rows = _load_rows()
    tracemalloc.start()
    index = SearchIndex.build(rows)
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "procedures": len(index.docs),
        "index_mb": round(current / 2**20, 2),
        "build_peak_mb": round(peak / 2**20, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--port", type=int, default=8766)
    args = parser.parse_args()

    env = bench_env(ROOT / "var" / "bench")
    prepare_database(env)
    with server(env, port=args.port):
        samples, intents = assistant_latency(args.port, rounds=args.rounds)
        search = sequential_latency(
            args.port,
            [f"/api/v1/procedures?{urlencode({'q': q})}" for q in SEARCH_QUERIES],
            rounds=args.rounds,
        )
    assistant = summarise(samples)
    memory = index_memory(env)
    result = {
        "database": env.get("DATABASE_URL", "sqlite"),
        "assistant_api": assistant.as_dict(),
        "assistant_intents": intents,
        "search_api": search.as_dict(),
        "assistant_p95_target_ms": 50,
        "assistant_p95_ok": assistant.p95_ms < 50,
        "index": memory,
        "rounds": args.rounds,
    }
    write_result("assistant", result)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    print(
        f"\nassistant API p95 {assistant.p95_ms:.1f} ms (p50 {assistant.p50_ms:.1f} ms, "
        f"{assistant.count} messages) "
        f"— target < 50 ms; search API p95 {search.p95_ms:.1f} ms; index {memory['index_mb']} MB "
        f"for {memory['procedures']} procedures"
    )


if __name__ == "__main__":
    main()
