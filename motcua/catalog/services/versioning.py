"""Procedure versions — phiên bản thủ tục: canonical content, snapshots and edits outside the import.

A procedure's versioned content (its own columns, field, documents and fees) has one canonical form,
``procedure_content``; its sha256 tells whether an edit or an import changed anything. A change bumps
``Procedure.version`` and keeps a ``ProcedureVersion`` snapshot, so that a dossier records the
version it was received under. The importer builds the same content from the data files
(``document_content``, ``fee_content``, ``CONTENT_COLUMNS``), so the hashes of both paths compare.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from motcua.catalog.models import Field, Procedure, ProcedureVersion, ProcessDefinition, ProcessSource
from motcua.catalog.services.budgets import Budget, budget_engine_error, budget_problems_text
from motcua.catalog.services.common import decimal_text, hash_content
from motcua.catalog.services.process_specs import process_definition_derive
from motcua.catalog.services.processes import process_definition_build
from motcua.core.services import reference_data_changed
from motcua.core.text import fold, nfc

if TYPE_CHECKING:
    from motcua.accounts.models import Account

# Procedure columns that are part of the versioned content, in snapshot order.
CONTENT_COLUMNS: Final = (
    "name",
    "level",
    "audience_citizen",
    "audience_business",
    "is_vertical",
    "competent_authority",
    "implementing_agency",
    "service_level",
    "processing_time_unit",
    "processing_time_text",
    "processing_time_extra",
    "steps",
    "result",
    "legal_basis",
    "notes",
    "sources",
    "has_details",
)


def document_content(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": doc["name"],
        "copies": doc["copies"],
        "form_template": doc["form_template"],
        "required": doc["required"],
        "note": doc["note"],
    }


# When a fee line applies (catalog.fees). In the content only where they differ from these defaults,
# so that adding the columns did not re-version every procedure with fees: a hash changes only where
# the terms say something.
FEE_TERMS_DEFAULTS: Final[Mapping[str, Any]] = {
    "channel": "any",
    "basis": "fixed",
    "case_group": "",
    "case_name": "",
    "conditional": False,
    "exemption": "",
}


def fee_content(fee: Mapping[str, Any]) -> dict[str, Any]:
    content = {"name": fee["name"], "amount_vnd": fee["amount_vnd"], "note": fee["note"]}
    for key, default in FEE_TERMS_DEFAULTS.items():
        value = fee.get(key, default)
        if value != default:
            content[key] = value
    return content


def fee_row(content: Mapping[str, Any]) -> dict[str, Any]:
    """A fee's columns from its canonical content (the defaults filled back in)."""
    return {**FEE_TERMS_DEFAULTS, **content}


def procedure_content(*, procedure: Procedure) -> dict[str, Any]:
    """Canonical content of a stored procedure: what is hashed and snapshotted at each version.

    Must equal the importer's content for the same data, so that the hashes compare.
    """
    content: dict[str, Any] = {
        "code": procedure.code,
        "field": procedure.field.name if procedure.field else "",
    }
    for column in CONTENT_COLUMNS:
        content[column] = getattr(procedure, column)
    content["processing_time_amount"] = decimal_text(procedure.processing_time_amount)
    content["documents"] = [
        document_content(
            {
                "name": d.name,
                "copies": d.copies,
                "form_template": d.form_template,
                "required": d.required,
                "note": d.note,
            }
        )
        for d in procedure.documents.order_by("order")
    ]
    content["fees"] = [
        fee_content(
            {
                "name": f.name,
                "amount_vnd": f.amount_vnd,
                "note": f.note,
                **{key: getattr(f, key) for key in FEE_TERMS_DEFAULTS},
            }
        )
        for f in procedure.fees.order_by("order")
    ]
    if not procedure.applies_here:  # only when False: see import_read._record_build
        content["applies_here"] = False
    return content


def procedure_content_hash(*, procedure: Procedure) -> str:
    return hash_content(procedure_content(procedure=procedure))


def procedure_search_text(name: str, field_name: str) -> str:
    return fold(f"{name} {field_name}")


def procedure_normalise(*, procedure: Procedure) -> Procedure:
    """NFC-normalise the text columns and recompute ``search_text`` (before any save)."""
    for column in (
        "code",
        "name",
        "competent_authority",
        "implementing_agency",
        "processing_time_text",
        "result",
    ):
        setattr(procedure, column, nfc(getattr(procedure, column) or ""))
    for column in ("steps", "legal_basis", "notes", "sources"):
        value = getattr(procedure, column)
        if isinstance(value, list):
            setattr(procedure, column, [nfc(v) if isinstance(v, str) else v for v in value])
    procedure.search_text = procedure_search_text(
        procedure.name, procedure.field.name if procedure.field else ""
    )
    return procedure


@transaction.atomic
def procedure_version_record(
    *, procedure: Procedure, source: str = "", editor: Account | None = None
) -> ProcedureVersion | None:
    """Snapshot the stored content as a new version if it differs from the last one.

    Call after the procedure and its documents and fees are saved (the admin calls it from
    ``save_related``); ``editor`` is recorded on the snapshot (who changed what). A change also
    re-derives the default process if the current one is derived (the time or level may have
    changed); an approved or manual process is kept.
    """
    locked = Procedure.objects.select_for_update().get(pk=procedure.pk)
    content = procedure_content(procedure=locked)
    content_hash = hash_content(content)
    has_versions = locked.versions.exists()
    if content_hash == locked.content_hash and has_versions:
        return None
    number = locked.version + 1 if has_versions else locked.version
    field_name = locked.field.name if locked.field else ""
    Procedure.objects.filter(pk=locked.pk).update(
        version=number, content_hash=content_hash, search_text=procedure_search_text(locked.name, field_name)
    )
    procedure.version, procedure.content_hash = number, content_hash
    reference_data_changed()  # the version number a new dossier records has changed
    version = ProcedureVersion.objects.create(
        procedure=locked,
        number=number,
        content_hash=content_hash,
        snapshot=content,
        source=source[:300],
        edited_by=editor,
    )
    current = ProcessDefinition.objects.filter(procedure=locked, is_current=True).first()
    if current is None or current.source == ProcessSource.DERIVED:
        locked.refresh_from_db()
        process_definition_build(procedure=locked)
    return version


def procedure_time_errors(*, procedure: Procedure) -> dict[str, str]:
    """Why the processing time (thời hạn giải quyết) of an edited, unsaved ``procedure`` cannot be
    stored, by field; empty when it can.

    The time must be one the worktime engine computes deadlines with, and when the current process is
    the derived default (it follows the time, ``procedure_version_record``), its five steps must be
    derivable from it with budgets summing to the time.
    """
    amount, unit = procedure.processing_time_amount, procedure.processing_time_unit
    if amount is not None and not unit:
        return {"processing_time_unit": "Chọn đơn vị của thời hạn giải quyết."}
    if amount is not None and amount <= 0:
        return {"processing_time_amount": "Thời hạn giải quyết phải lớn hơn 0."}
    if not unit:
        return {}
    engine_error = budget_engine_error(Budget(amount, unit))
    if engine_error is not None:
        return {"processing_time_amount": f"Thời hạn không tính được hạn xử lý: {engine_error}"}
    current = (
        ProcessDefinition.objects.filter(procedure_id=procedure.pk, is_current=True).first()
        if procedure.pk
        else None
    )
    if current is None or current.source == ProcessSource.DERIVED:
        problems = process_definition_derive(level=procedure.level, total=Budget(amount, unit)).problems()
        if problems:
            return {
                "processing_time_amount": "Không chia được thời hạn này cho các bước của quy trình "
                f"mặc định: {budget_problems_text(problems)}"
            }
    return {}


_EDITABLE_COLUMNS: Final = frozenset(
    {*CONTENT_COLUMNS, "field", "processing_time_amount", "is_active", "popularity", "applies_here"}
)


@transaction.atomic
def procedure_update(
    *, procedure: Procedure, data: Mapping[str, Any], source: str = "", editor: Account | None = None
) -> Procedure:
    """Edit a procedure's own columns; a content change bumps the version and keeps a snapshot."""
    unknown = set(data) - _EDITABLE_COLUMNS
    if unknown:
        raise ValueError(f"Không sửa được (not editable): {', '.join(sorted(unknown))}")
    for column, value in data.items():
        setattr(procedure, column, value)
    procedure_normalise(procedure=procedure)
    procedure.full_clean(exclude=["content_hash", "imported_hash", "search_text"])
    errors = procedure_time_errors(procedure=procedure)
    if errors:
        raise ValidationError(errors)
    procedure.save()
    procedure_version_record(procedure=procedure, source=source, editor=editor)
    return procedure


def field_get_or_create(*, name: str) -> Field:
    name = nfc(name)
    existing = Field.objects.filter(name=name).first()
    if existing is not None:
        return existing
    taken = set(Field.objects.values_list("code", flat=True))
    return Field.objects.create(name=name, code=field_slug(name, taken))


def field_slug(name: str, taken: set[str]) -> str:
    base = (slugify(fold(name)) or "linh-vuc")[:112]
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    taken.add(slug)
    return slug
