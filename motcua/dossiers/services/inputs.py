"""Inputs of the engine's writes — what channels pass in — and the one text check every write uses."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from django.core.files import File

from motcua.core.text import nfc
from motcua.dossiers.errors import DossierInvalid
from motcua.dossiers.models import ApplicantKind

MAX_REASON = 2000


@dataclass(frozen=True)
class ApplicantData:
    """Applicant — người nộp / chủ hồ sơ, and an optional representative (người được ủy quyền)."""

    name: str
    kind: str = ApplicantKind.PERSON
    id_number: str = ""
    birth_date: date | None = None
    phone: str = ""
    email: str = ""
    address: str = ""
    representative_name: str = ""
    representative_id_number: str = ""
    representative_phone: str = ""


@dataclass(frozen=True)
class ComponentData:
    """One component — thành phần hồ sơ: a catalogue document (``document_id``) or an extra one (``name``)."""

    document_id: int | None = None
    name: str = ""
    paper_presented: bool = False
    file: File | None = None


@dataclass(frozen=True)
class RequestedItem:
    """An item the applicant must supply (bổ sung) — a document name and what is wrong with it."""

    name: str
    note: str = ""


@dataclass(frozen=True)
class FeeData:
    """An amount to pay — phí, lệ phí, nghĩa vụ tài chính."""

    name: str
    amount_vnd: int


def text_clean(
    value: str, *, field: str, label: str, required: bool = True, max_length: int = MAX_REASON
) -> str:
    cleaned = nfc(value or "")
    if required and not cleaned:
        raise DossierInvalid({field: f"Vui lòng nhập {label}."})
    if len(cleaned) > max_length:
        raise DossierInvalid({field: f"{label.capitalize()} dài quá {max_length} ký tự."})
    return cleaned


@contextmanager
def errors_collected(errors: dict[str, str]) -> Iterator[None]:
    """Run one check of a write and add its field errors to ``errors`` instead of stopping there, so
    the officer or applicant is told every mistake at once; the caller raises when ``errors`` is not
    empty."""
    try:
        yield
    except DossierInvalid as exc:
        errors |= exc.errors
