"""The engine's part of a person's data export (``motcua.privacy.registry``).

Dossiers are never purged: a submitted dossier and its audit events are an administrative record kept
under the archives law (docs/privacy.md), not personal data past its purpose.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from motcua.dossiers.models import STATE_STATUS, Dossier, DossierComponent, DossierEvent
from motcua.privacy.registry import Subject, export_section


def subject_dossiers(subject: Subject) -> QuerySet[Dossier]:
    """The dossiers of ``subject``: their account's, and those filed under their identity number."""
    q = Q(pk__in=[])
    if subject.account is not None:
        q |= Q(applicant_user=subject.account)
    if subject.id_number:
        q |= Q(applicant_id_number=subject.id_number)
    return Dossier.objects.filter(q)


@export_section("dossiers")
def dossiers_export(subject: Subject) -> list[dict[str, Any]]:
    dossiers = (
        subject_dossiers(subject)
        .select_related("procedure")
        .prefetch_related(
            Prefetch("components", queryset=DossierComponent.objects.order_by("order")),
            Prefetch("events", queryset=DossierEvent.objects.order_by("seq")),
            "fees",
        )
        .order_by("submitted_at")
    )
    return [
        {
            "code": d.code,
            "procedure": {"code": d.procedure.code, "name": d.procedure.name} if d.procedure else None,
            "channel": d.channel,
            "state": d.state,
            "status": STATE_STATUS.get(d.state),
            "submitted_at": d.submitted_at,
            "received_at": d.received_at,
            "due_at": d.due_at,
            "finished_at": d.finished_at,
            "returned_at": d.returned_at,
            "applicant": {
                "kind": d.applicant_kind,
                "name": d.applicant_name,
                "id_number": d.applicant_id_number,
                "birth_date": d.applicant_birth_date,
                "phone": d.applicant_phone,
                "email": d.applicant_email,
                "address": d.applicant_address,
            },
            "representative": {
                "name": d.representative_name,
                "id_number": d.representative_id_number,
                "phone": d.representative_phone,
            },
            "summary": d.summary,
            "fees_total_vnd": d.fees_total,
            "fees_paid": d.fees_paid,
            "fees": [
                {"name": f.name, "amount_vnd": f.amount_vnd, "paid_at": f.paid_at} for f in d.fees.all()
            ],
            # The list of components, not their files: each file is downloadable from the dossier's page
            # (and the data store); a JSON document stays small enough to e-mail or print.
            "components": [
                {
                    "order": c.order,
                    "name": c.name,
                    "paper_presented": c.paper_presented,
                    "has_file": bool(c.file),
                    "file_sha256": c.file_sha256,
                    "uploaded_at": c.uploaded_at,
                    "is_supplement": c.is_supplement,
                }
                for c in d.components.all()
            ],
            # The history as the applicant's timeline tells it: what happened, when, why.
            "history": [
                {
                    "seq": e.seq,
                    "at": e.at,
                    "action": e.action,
                    "from_state": e.from_state,
                    "to_state": e.to_state,
                    "reason": e.reason,
                }
                for e in d.events.all()
            ],
        }
        for d in dossiers
    ]
