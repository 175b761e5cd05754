"""Result documents as downloads — tải kết quả giải quyết: one way to serve them, for every channel.

Each channel checks who may download first (the back office: an official of the dossier's units; the
portal: the applicant once the result is ready; the API: either); this only builds the answer.
"""

from __future__ import annotations

from django.http import FileResponse, Http404

from motcua.dossiers.models import Dossier, DossierResultDocument, DvcqgStatus

# The applicant sees the result once it is ready (status 9) or handed over (status 10).
RESULT_VISIBLE_STATUSES = frozenset({DvcqgStatus.DONE, DvcqgStatus.RETURNED})


def result_documents(*, dossier: Dossier) -> list[DossierResultDocument]:
    """The dossier's result documents, oldest first (one query)."""
    return list(DossierResultDocument.objects.filter(dossier=dossier).order_by("uploaded_at", "pk"))


def result_document_get(*, dossier: Dossier, document_id: int) -> DossierResultDocument | None:
    return DossierResultDocument.objects.filter(dossier=dossier, pk=document_id).first()


def result_filename(document: DossierResultDocument) -> str:
    """Named from the dossier code (ASCII, safe in every browser), never from what was uploaded."""
    return f"Ket-qua-{document.dossier.code}-{document.pk}.pdf"


def result_response(document: DossierResultDocument) -> FileResponse:
    """The signed PDF as an attachment, never cached by a shared cache (it is personal data)."""
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404("Tệp đã bị xóa khỏi kho lưu trữ.") from exc
    response = FileResponse(
        handle, as_attachment=True, filename=result_filename(document), content_type="application/pdf"
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
