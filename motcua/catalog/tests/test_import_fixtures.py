"""Builders of small catalogue data sets for the import tests (no tests here)."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# The committed data set, not settings.MOTCUA_DATA_DIR: the tests pin its counts.
REAL_DATA = Path(__file__).resolve().parents[3] / "data" / "catalog"


def row(code: str, name: str | None = None, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": code,
        "name": f"Thủ tục thử {code}" if name is None else name,
        "audience": ["citizen"],
        "vertical": False,
        "popularity": 10,
    }
    data.update(extra)
    return data


def detailed(code: str, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "code": code,
        "name": f"Thủ tục chi tiết {code}",
        "field": "Hộ tịch",
        "level": "commune",
        "competent_authority": "UBND cấp xã",
        "implementing_agency": "Trung tâm Phục vụ hành chính công cấp xã",
        "service_level": "full_online",
        "processing_time": {"amount": 3, "unit": "working_days", "text": "03 ngày làm việc"},
        "fees": [{"name": "Lệ phí", "amount_vnd": 10000, "note": None}],
        "documents": [
            {"name": "Tờ khai", "copies": "1 bản chính", "form_template": "Mẫu 01", "required": True}
        ],
        "steps": ["Nộp hồ sơ", "Trả kết quả"],
        "internal_process": [],
        "result": "Quyết định",
        "legal_basis": ["Luật Hộ tịch 2014"],
        "sources": ["test"],
        "notes": [],
        "in_national_list": True,
        "national_list_name": None,
        "vertical": False,
    }
    data.update(extra)
    return data


def write_catalog(
    root: Path,
    rows: Sequence[dict[str, Any] | str],
    details: Sequence[dict[str, Any] | tuple[str, str]] = (),
    fields: dict[str, Any] | None = None,
) -> Path:
    """Write procedures.jsonl (dicts, or raw strings for broken lines), detailed/*.json and fields.json."""
    root.mkdir(parents=True, exist_ok=True)
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in rows]
    (root / "procedures.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    detailed_dir = root / "detailed"
    detailed_dir.mkdir(exist_ok=True)
    for item in details:
        if isinstance(item, tuple):
            name, text = item
            (detailed_dir / name).write_text(text, encoding="utf-8")
        else:
            (detailed_dir / f"{item['code']}.json").write_text(
                json.dumps(item, ensure_ascii=False, indent=2), encoding="utf-8"
            )
    if fields is None:
        fields = {"heuristic_fields": [{"field": "Hộ tịch"}], "detailed_fields": [{"field": "Hộ tịch"}]}
    (root / "fields.json").write_text(json.dumps(fields, ensure_ascii=False), encoding="utf-8")
    return root


def copy_real(tmp_path: Path) -> Path:
    target = tmp_path / "catalog"
    shutil.copytree(REAL_DATA, target)
    return target
