"""Forms sent with the applicant's e-mails: form 01 (giấy tiếp nhận hồ sơ và hẹn trả kết quả).

When a dossier is received — at the counter (``receive``) or an online submission accepted by
reception (``accept``) — the receipt e-mail carries form 01 as PDF, rendered from the dossier by the
same builder the back office prints (``dossiers.form_builders``), so the online applicant holds the
same paper as one who came to the counter.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse

from motcua.documents import forms as doc_forms
from motcua.dossiers import form_builders
from motcua.dossiers.events import EventKind
from motcua.dossiers.models import Dossier

RECEIPT_KINDS = frozenset({EventKind.RECEIVE, EventKind.ACCEPT})


def receipt_form_attachment(*, dossier_id: int) -> tuple[str, bytes, str] | None:
    """Form 01 of a received dossier as an e-mail attachment, or None (never received)."""
    dossier = (
        Dossier.objects.select_related("procedure", "receiving_unit", "process").filter(pk=dossier_id).first()
    )
    if dossier is None or dossier.received_at is None:
        return None
    tracking = settings.MOTCUA_PUBLIC_BASE_URL + reverse("portal:tracking_detail", args=[dossier.code])
    content = doc_forms.form_receipt_render(
        form_builders.receipt_form_build(dossier=dossier, tracking_url=tracking)
    )
    return (f"mau-01-giay-tiep-nhan-{dossier.code}.pdf", content, "application/pdf")
