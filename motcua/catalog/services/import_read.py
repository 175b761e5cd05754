"""Import, phase 1: read and validate data/catalog into records, collecting every problem.

Each file is parsed as JSON here (so that syntax errors get a Vietnamese message with line and column)
and validated against its schema in ``import_schema``; each pydantic error becomes a ``Problem`` with
its file, line (JSON Lines) or JSON path (detailed records), procedure code and Vietnamese message.
What no single record can tell is checked here: duplicate codes, and an approved internal process's
budgets against the statutory time. A code with any invalid source is left out as a whole (see
``importer`` for why), and the valid ones become ``ImportRecord``s: the canonical content that is
hashed and snapshotted (``versioning``) and the process spec to store.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Final, Generic, TypeVar

from pydantic import BaseModel, ValidationError
from tqdm import tqdm

from motcua.catalog.fees import fee_terms_derive
from motcua.catalog.models import Level
from motcua.catalog.provinces import other_province_named
from motcua.catalog.services.budgets import Budget, process_definition_validate
from motcua.catalog.services.common import decimal_text, hash_content
from motcua.catalog.services.import_schema import (
    CatalogueRow,
    DetailedRecord,
    FieldsFile,
    ProcessingTime,
    error_message,
    error_path,
    valid_code,
)
from motcua.catalog.services.process_specs import (
    ProcessSpec,
    process_definition_derive,
    process_definition_from_data,
)
from motcua.catalog.services.versioning import document_content, fee_content

JSONL_NAME: Final = "procedures.jsonl"
DETAILED_DIR: Final = "detailed"
FIELDS_NAME: Final = "fields.json"


@dataclass(frozen=True)
class Problem:
    """One invalid value: where it is (file + line or JSON path) and what is wrong, in Vietnamese."""

    file: str
    message: str
    line: int | None = None
    path: str = ""
    code: str = ""

    @property
    def location(self) -> str:
        if self.line is not None:
            return f"{self.file}:{self.line}"
        return f"{self.file} {self.path}".rstrip()

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


@dataclass
class ImportReport:
    """What an import did; it starts with what the reading found (problems, skipped codes)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refreshed: int = 0  # popularity-only changes: no new version
    invalid: int = 0  # invalid source rows/files (skipped under skip_invalid)
    skipped_codes: list[str] = field(default_factory=list)
    fields_created: int = 0
    processes_created: int = 0
    processes_unchanged: int = 0
    processes_kept_manual: int = 0
    search_terms_created: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged

    @property
    def changed(self) -> bool:
        return bool(
            self.created
            or self.updated
            or self.refreshed
            or self.fields_created
            or self.processes_created
            or self.search_terms_created
        )

    def __str__(self) -> str:
        return (
            f"{self.total} thủ tục: {self.created} mới, {self.updated} cập nhật, {self.unchanged} không đổi, "
            f"{self.invalid} lỗi bỏ qua; {self.fields_created} lĩnh vực mới; "
            f"{self.processes_created} quy trình mới ({self.seconds:.2f} s)"
        )


# ---------------------------------------------------------------------------------------------------
# One source (a line or a file) → a validated model and its problems
# ---------------------------------------------------------------------------------------------------


_M = TypeVar("_M", bound=BaseModel)


@dataclass
class _Source(Generic[_M]):
    """One source of a code: its validated record (None when invalid), problems and where it came from."""

    file: str
    where: str  # "procedures.jsonl:12" or "detailed/1.001193.json"
    code: str | None
    problems: list[Problem]
    record: _M | None = None


def _validated(
    schema: type[_M],
    data: Any,
    *,
    file: str,
    where: str,
    line: int | None,
    context: dict[str, Any] | None = None,
) -> _Source[_M]:
    code = valid_code(data.get("code")) if isinstance(data, dict) else None
    try:
        record = schema.model_validate(data, context=context)
    except ValidationError as exc:
        problems = [
            _problem(file, error_path(e["loc"]), error_message(e), line=line, code=code or "")
            for e in exc.errors()
        ]
        return _Source(file, where, code, problems)
    return _Source(file, where, code, [], record)


def _problem(file: str, path: str, message: str, *, line: int | None = None, code: str = "") -> Problem:
    if line is None:
        return Problem(file, message, path=path, code=code)
    # A line's problems name the key in the message: "popularity: phải là số nguyên không âm".
    if path != "$":
        message = f"{path.removeprefix('$.')}: {message}"
    return Problem(file, message, line=line, code=code)


def _read_jsonl(path: Path, rel: str) -> list[_Source[CatalogueRow]]:
    sources: list[_Source[CatalogueRow]] = []
    with path.open(encoding="utf-8") as handle:
        for number, raw_line in enumerate(handle, start=1):
            if not raw_line.strip():
                continue
            where = f"{rel}:{number}"
            try:
                data = json.loads(raw_line)
            except json.JSONDecodeError as exc:
                message = f"JSON không hợp lệ (bad JSON): {exc.msg}, cột {exc.colno}"
                sources.append(_Source(rel, where, None, [_problem(rel, "$", message, line=number)]))
                continue
            if not isinstance(data, dict):
                message = "mỗi dòng phải là một đối tượng JSON (each line must be a JSON object)"
                sources.append(_Source(rel, where, None, [_problem(rel, "$", message, line=number)]))
                continue
            sources.append(_validated(CatalogueRow, data, file=rel, where=where, line=number))
    # Duplicates are bad rows too: the later occurrence is reported against the first.
    first_line: dict[str, str] = {}
    for source in sources:
        if source.code is None:
            continue
        line = int(source.where.rsplit(":", 1)[1])
        if source.code in first_line:
            message = f"mã {source.code} trùng với {first_line[source.code]} (duplicate code)"
            source.problems.append(Problem(rel, message, line=line, code=source.code))
        else:
            first_line[source.code] = f"dòng {line}"
    return sources


def _read_json(path: Path, rel: str) -> tuple[Any, Problem | None]:
    try:
        return json.loads(path.read_text(encoding="utf-8")), None
    except json.JSONDecodeError as exc:
        detail = f"{exc.msg}, dòng {exc.lineno} cột {exc.colno}"
    except UnicodeDecodeError as exc:
        detail = str(exc)
    return None, Problem(rel, f"JSON không hợp lệ (bad JSON): {detail}", path="$")


def _read_detailed(path: Path, rel: str, warnings: list[str]) -> _Source[DetailedRecord]:
    data, broken = _read_json(path, rel)
    if broken is not None:
        return _Source(rel, rel, None, [broken])
    if not isinstance(data, dict):
        problem = Problem(rel, "tệp phải chứa một đối tượng JSON (must hold a JSON object)", path="$")
        return _Source(rel, rel, None, [problem])
    source = _validated(
        DetailedRecord, data, file=rel, where=rel, line=None, context={"file_stem": path.stem}
    )
    record = source.record
    if record is None:
        return source
    time = record.processing_time
    if time is not None and time.unit_inferred:
        warnings.append(
            f"{rel}: thời hạn thiếu đơn vị, hiểu là {time.resolved_unit} theo văn bản «{time.text[:80]}» "
            f"(unit missing, read as {time.resolved_unit})"
        )
    if record.internal_process:
        budgets = [Budget(s.duration.amount, s.duration.unit) for s in record.internal_process]
        total = Budget(time.amount, time.resolved_unit) if time is not None else None
        for budget_problem in process_definition_validate(total=total, budgets=budgets):
            step = budget_problem.step
            where = "$.internal_process" if step is None else f"$.internal_process[{step}].duration"
            source.problems.append(Problem(rel, budget_problem.message, path=where, code=record.code))
        if source.problems:
            source.record = None
    return source


def _read_fields(path: Path, rel: str) -> tuple[list[str], list[Problem]]:
    data, broken = _read_json(path, rel)
    if broken is not None:
        return [], [broken]
    if not isinstance(data, dict):
        return [], [Problem(rel, "phải là đối tượng JSON (must be a JSON object)", path="$")]
    source = _validated(FieldsFile, data, file=rel, where=rel, line=None)
    if source.record is None:
        return [], source.problems
    entries = [*source.record.heuristic_fields, *source.record.detailed_fields]
    return [entry.field for entry in entries], []


# ---------------------------------------------------------------------------------------------------
# Valid sources of a code → the record to import
# ---------------------------------------------------------------------------------------------------


@dataclass
class ImportRecord:
    """One procedure to import: canonical content, usage metric, process, and the sources it came from."""

    code: str
    content: dict[str, Any]
    popularity: int
    process: ProcessSpec
    origin: str

    @cached_property
    def content_hash(self) -> str:
        return hash_content(self.content)


def _time_extra(kind: str, value: ProcessingTime) -> dict[str, Any]:
    return {
        "kind": kind,
        "amount": decimal_text(value.amount),
        "unit": value.resolved_unit,
        "text": value.text,
    }


def _record_build(
    code: str, row: _Source[CatalogueRow] | None, detailed: _Source[DetailedRecord] | None
) -> ImportRecord:
    listed = row.record if row is not None else None
    base = detailed.record if detailed is not None else None
    is_vertical = listed.vertical if listed is not None else bool(base is not None and base.vertical)
    time = base.processing_time if base is not None else None
    content: dict[str, Any] = {
        "code": code,
        "name": base.name if base is not None else listed.name if listed is not None else "",
        "field": (base.field if base is not None else "") or (listed.field_guess if listed else None) or "",
        "level": base.level
        if base is not None
        else (Level.CENTRAL.value if listed and listed.vertical else ""),
        "audience_citizen": listed is not None and "citizen" in listed.audience,
        "audience_business": listed is not None and "business" in listed.audience,
        "is_vertical": is_vertical,
        "competent_authority": base.competent_authority if base else "",
        "implementing_agency": base.implementing_agency if base else "",
        "service_level": (base.service_level or "") if base else "",
        "processing_time_amount": decimal_text(time.amount) if time else None,
        "processing_time_unit": time.resolved_unit if time else "",
        "processing_time_text": time.text if time else "",
        "processing_time_extra": (
            [_time_extra("max", base.processing_time_max)] if base and base.processing_time_max else []
        )
        + ([_time_extra("extra", t) for t in base.processing_time_extra] if base else []),
        "steps": list(base.steps) if base else [],
        "result": base.result if base else "",
        "legal_basis": list(base.legal_basis) if base else [],
        "notes": list(base.notes) if base else [],
        "sources": list(base.sources) if base else [],
        "has_details": base is not None,
        "documents": [document_content(d.model_dump()) for d in base.documents] if base else [],
        "fees": [fee_content(f) for f in fee_terms_derive([f.model_dump() for f in base.fees])]
        if base
        else [],
    }
    # A procedure of another province (catalog.provinces). Only a False is part of the content, so that
    # the hashes of the procedures that apply here did not change when the rule was added.
    if other_province_named(content["name"]):
        content["applies_here"] = False
    total = Budget(time.amount, time.resolved_unit) if time else None
    internal = [s.model_dump() for s in base.internal_process] if base else []
    process = (
        process_definition_from_data(level=content["level"], total=total, steps=internal)
        if internal
        else process_definition_derive(level=content["level"], total=total)
    )
    origin = " + ".join(s.where for s in (row, detailed) if s is not None)
    return ImportRecord(code, content, listed.popularity if listed else 0, process, origin)


@dataclass
class CatalogRead:
    """The outcome of phase 1: valid records, the fields they name, and every problem found."""

    records: list[ImportRecord]
    field_names: list[str]
    problems: list[Problem]
    invalid_sources: int
    skipped_codes: list[str]
    warnings: list[str]


def _sources_by_code(sources: Sequence[_Source[_M]]) -> dict[str, _Source[_M]]:
    return {s.code: s for s in reversed(sources) if s.code is not None}  # the first occurrence wins


def catalog_read(*, path: Path, progress: bool = False) -> CatalogRead:
    """Read and validate ``path``/procedures.jsonl, detailed/*.json and fields.json (no database)."""
    problems: list[Problem] = []
    warnings: list[str] = []
    if not path.is_dir():
        problems.append(Problem(str(path), "không phải thư mục (not a directory)"))
        return CatalogRead([], [], problems, 1, [], warnings)
    rows: list[_Source[CatalogueRow]] = []
    if (path / JSONL_NAME).is_file():
        rows = _read_jsonl(path / JSONL_NAME, JSONL_NAME)
    else:
        problems.append(Problem(JSONL_NAME, "không tìm thấy tệp (file not found)"))
    detailed_dir = path / DETAILED_DIR
    detailed_files = sorted(detailed_dir.glob("*.json")) if detailed_dir.is_dir() else []
    detailed = [_read_detailed(p, f"{DETAILED_DIR}/{p.name}", warnings) for p in detailed_files]
    field_names: list[str] = []
    if (path / FIELDS_NAME).is_file():
        field_names, field_problems = _read_fields(path / FIELDS_NAME, FIELDS_NAME)
        problems.extend(field_problems)

    bad_codes: set[str] = set()
    sources: list[_Source[Any]] = [*rows, *detailed]
    for source in sources:
        if source.problems:
            problems.extend(source.problems)
            if source.code is not None:
                bad_codes.add(source.code)
    # Two detailed files cannot hold one code: the file name must be the code.
    detailed_codes = _sources_by_code(detailed)
    listed = _sources_by_code(rows)
    codes = [
        c for c in dict.fromkeys([*(s.code for s in rows if s.code), *detailed_codes]) if c not in bad_codes
    ]
    records = [
        _record_build(code, listed.get(code), detailed_codes.get(code))
        for code in tqdm(
            codes, desc="Kiểm tra", unit=" thủ tục", disable=not progress, file=sys.stderr, leave=False
        )
    ]
    field_names.extend(r.content["field"] for r in records if r.content["field"])
    invalid = len({(p.file, p.line) for p in problems})
    return CatalogRead(
        records, list(dict.fromkeys(field_names)), problems, invalid, sorted(bad_codes), warnings
    )
