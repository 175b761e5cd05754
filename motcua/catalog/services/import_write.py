"""Import, phase 2: write the validated records with bulk statements, in the caller's transaction.

Each record's content hash is compared with what was last imported, so an unchanged catalogue costs a
handful of queries (``make run`` imports on every start). A changed procedure gets the next version
and a snapshot (``ProcedureVersion``); its documents and fees are updated in place; its process goes
through ``processes.process_definitions_sync``. Bulk writes send no signals: ``importer`` restamps
the reference data itself.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import Any, Final, TypeVar

from django.utils import timezone
from tqdm import tqdm

from motcua.catalog.models import Field, Procedure, ProcedureDocument, ProcedureFee, ProcedureVersion
from motcua.catalog.services.common import BULK_BATCH, to_decimal
from motcua.catalog.services.import_read import CatalogRead, ImportRecord, ImportReport
from motcua.catalog.services.processes import process_definitions_sync
from motcua.catalog.services.versioning import (
    CONTENT_COLUMNS,
    FEE_TERMS_DEFAULTS,
    fee_row,
    field_slug,
    procedure_search_text,
)
from motcua.core.orm import objects_insert

_PROCEDURE_COLUMNS: Final = (
    *CONTENT_COLUMNS,
    "processing_time_amount",
    "field_id",
    "search_text",
    "applies_here",
)


def _procedure_values(record: ImportRecord, field_ids: Mapping[str, int]) -> dict[str, Any]:
    content = record.content
    values = {column: content[column] for column in CONTENT_COLUMNS}
    values["processing_time_amount"] = to_decimal(content["processing_time_amount"])
    values["field_id"] = field_ids.get(content["field"]) if content["field"] else None
    values["search_text"] = procedure_search_text(content["name"], content["field"])
    values["applies_here"] = content.get("applies_here", True)
    return values


_Child = TypeVar("_Child", ProcedureDocument, ProcedureFee)


def _children_sync(
    model: type[_Child],
    items: Mapping[int, list[dict[str, Any]]],
    columns: Sequence[str],
) -> None:
    """Rewrite the documents or fees of changed procedures, updating rows in place by order.

    In place rather than delete + insert: dossiers point at catalogue documents, and those links should
    survive a re-import that only corrects a wording.
    """
    if not items:
        return
    existing: dict[tuple[int, int], _Child] = {}
    ids = list(items)
    for start in range(0, len(ids), BULK_BATCH):
        for stored in model.objects.filter(procedure_id__in=ids[start : start + BULK_BATCH]):
            existing[(stored.procedure_id, stored.order)] = stored
    to_update: list[_Child] = []
    to_create: list[_Child] = []
    for pid, rows in items.items():
        for order, row in enumerate(rows, start=1):
            obj: _Child | None = existing.pop((pid, order), None)
            if obj is None:
                to_create.append(model(procedure_id=pid, order=order, **row))
            else:
                for column in columns:
                    setattr(obj, column, row[column])
                to_update.append(obj)
    if existing:
        model.objects.filter(pk__in=[o.pk for o in existing.values()]).delete()
    if to_update:
        model.objects.bulk_update(to_update, list(columns), batch_size=BULK_BATCH)
    if to_create:
        model.objects.bulk_create(to_create, batch_size=BULK_BATCH)


def catalog_write(*, read: CatalogRead, report: ImportReport, progress: bool = False) -> None:
    """Write the valid records in the caller's transaction, filling ``report``'s counts."""
    # Fields first: procedures point at them.
    field_ids = dict(Field.objects.values_list("name", "id"))
    missing = [name for name in read.field_names if name not in field_ids]
    if missing:
        taken = set(Field.objects.values_list("code", flat=True))
        created_fields = Field.objects.bulk_create(
            [Field(name=n, code=field_slug(n, taken)) for n in missing]
        )
        field_ids.update({f.name: f.pk for f in created_fields})
        report.fields_created = len(created_fields)

    existing = {
        code: (pk, imported_hash, popularity, version)
        for code, pk, imported_hash, popularity, version in Procedure.objects.values_list(
            "code", "id", "imported_hash", "popularity", "version"
        )
    }
    now = timezone.now()
    to_create: list[Procedure] = []
    to_update: list[Procedure] = []
    to_refresh: list[Procedure] = []
    changed: list[ImportRecord] = []
    for record in tqdm(
        read.records, desc="Nhập", unit=" thủ tục", disable=not progress, file=sys.stderr, leave=False
    ):
        content_hash = record.content_hash
        stored = existing.get(record.code)
        if stored is None:
            to_create.append(
                Procedure(
                    code=record.code,
                    popularity=record.popularity,
                    version=1,
                    content_hash=content_hash,
                    imported_hash=content_hash,
                    **_procedure_values(record, field_ids),
                )
            )
            changed.append(record)
        elif stored[1] != content_hash:
            to_update.append(
                Procedure(
                    pk=stored[0],
                    code=record.code,
                    popularity=record.popularity,
                    version=stored[3] + 1,
                    content_hash=content_hash,
                    imported_hash=content_hash,
                    updated_at=now,
                    **_procedure_values(record, field_ids),
                )
            )
            changed.append(record)
        else:
            report.unchanged += 1
            if stored[2] != record.popularity:
                to_refresh.append(Procedure(pk=stored[0], popularity=record.popularity, updated_at=now))
    objects_insert(Procedure, to_create)
    if to_update:
        Procedure.objects.bulk_update(
            to_update,
            [*_PROCEDURE_COLUMNS, "popularity", "version", "content_hash", "imported_hash", "updated_at"],
            batch_size=BULK_BATCH,
        )
    if to_refresh:
        Procedure.objects.bulk_update(to_refresh, ["popularity", "updated_at"], batch_size=BULK_BATCH)
    report.created, report.updated, report.refreshed = len(to_create), len(to_update), len(to_refresh)

    ids = {p.code: p.pk for p in (*to_create, *to_update)}
    if any(pk is None for pk in ids.values()):  # new rows: the bulk insert returns no ids
        ids = dict(Procedure.objects.filter(code__in=list(ids)).values_list("code", "id"))
    versions = {p.code: p.version for p in (*to_create, *to_update)}
    _children_sync(
        ProcedureDocument,
        {ids[r.code]: r.content["documents"] for r in changed},
        ("name", "copies", "form_template", "required", "note"),
    )
    _children_sync(
        ProcedureFee,
        {ids[r.code]: [fee_row(f) for f in r.content["fees"]] for r in changed},
        ("name", "amount_vnd", "note", *FEE_TERMS_DEFAULTS),
    )
    objects_insert(
        ProcedureVersion,
        [
            ProcedureVersion(
                procedure_id=ids[r.code],
                number=versions[r.code],
                content_hash=r.content_hash,
                snapshot=r.content,
                source=r.origin[:300],
            )
            for r in changed
        ],
    )
    all_ids = {code: pk for code, (pk, *_rest) in existing.items()} | ids
    processes = process_definitions_sync(specs={all_ids[r.code]: r.process for r in read.records})
    report.processes_created = len(processes.created_ids)
    report.processes_unchanged = processes.unchanged
    report.processes_kept_manual = processes.kept_manual
