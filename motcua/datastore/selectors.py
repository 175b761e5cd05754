"""Reads of the personal data store — kho dữ liệu điện tử (writes in ``services``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import Q, QuerySet

from motcua.accounts.models import Account
from motcua.core.text import fold
from motcua.datastore.models import DocumentReuse, StoredDocument


def document_type_key(name: str) -> str:
    """The matching key of a document type: accents, case and spacing do not matter."""
    return " ".join(fold(name or "").split())


def stored_documents_of(*, owner: Account) -> QuerySet[StoredDocument]:
    """The owner's documents, newest first, with the procedure that issued each result (one query)."""
    return (
        StoredDocument.objects.filter(owner=owner)
        .select_related("source_dossier__procedure")
        .order_by("-created_at", "-pk")
    )


def stored_document_get(*, owner: Account, document_id: int) -> StoredDocument:
    """One of the owner's documents; ``StoredDocument.DoesNotExist`` for another's (the page answers 404)."""
    return StoredDocument.objects.get(owner=owner, pk=document_id)


def stored_documents_matching(
    *, owner: Account, names: Iterable[str], today: date
) -> dict[str, list[StoredDocument]]:
    """For each component name, the owner's still-valid documents with a file of that type — what the
    online submission offers to reuse ("Dùng lại") instead of an upload. One query."""
    wanted = {document_type_key(n): n for n in names}
    found: dict[str, list[StoredDocument]] = {n: [] for n in wanted.values()}
    rows = (
        StoredDocument.objects.filter(owner=owner)
        .exclude(file="")
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .order_by("-created_at", "-pk")
    )
    for row in rows:
        name = wanted.get(document_type_key(row.name))
        if name is not None:
            found[name].append(row)
    return found


def document_reuse_count(*, dossier_id: int) -> int:
    """How many components of the dossier reused a stored document (Decision 766: tái sử dụng dữ liệu)."""
    return DocumentReuse.objects.filter(dossier_id=dossier_id).count()


def documents_expiring(*, on_or_before: date, today: date) -> QuerySet[StoredDocument]:
    """Documents whose validity ends between ``today`` and ``on_or_before`` (the renewal reminder)."""
    return StoredDocument.objects.filter(
        valid_until__gte=today, valid_until__lte=on_or_before
    ).select_related("owner")
