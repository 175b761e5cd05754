"""The data store's part of a person's data export (``motcua.privacy.registry``): the list of documents.

The files themselves are downloadable one by one from «Kho dữ liệu» (the export stays a small JSON).
"""

from __future__ import annotations

from typing import Any

from motcua.datastore.models import StoredDocument
from motcua.privacy.registry import Subject, export_section


@export_section("datastore")
def datastore_export(subject: Subject) -> list[dict[str, Any]]:
    if subject.account is None:
        return []
    return [
        dict(row)
        for row in StoredDocument.objects.filter(owner=subject.account)
        .order_by("created_at")
        .values("name", "origin", "issuer", "issued_on", "valid_until", "file_sha256", "created_at")
    ]
