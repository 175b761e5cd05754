"""Feedback's part of a person's data export (``motcua.privacy.registry``): ratings and feedback (PAKN)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from motcua.dossiers.personal_data import subject_dossiers
from motcua.feedback.models import Feedback, Rating
from motcua.privacy.registry import Subject, export_section


def _mine(subject: Subject) -> Q:
    q = Q(dossier__in=subject_dossiers(subject))
    if subject.account is not None:
        q |= Q(account=subject.account)
    return q


@export_section("ratings")
def ratings_export(subject: Subject) -> list[dict[str, Any]]:
    return [
        {"dossier": r.dossier.code, "level": r.level, "comment": r.comment, "created_at": r.created_at}
        for r in Rating.objects.filter(_mine(subject)).select_related("dossier").order_by("created_at")
    ]


@export_section("feedback")
def feedback_export(subject: Subject) -> list[dict[str, Any]]:
    return [
        {
            "dossier": f.dossier.code,
            "kind": f.kind,
            "content": f.content,
            "created_at": f.created_at,
            "status": f.status,
            "answer": f.answer,
            "answered_at": f.answered_at,
        }
        for f in Feedback.objects.filter(_mine(subject)).select_related("dossier").order_by("created_at")
    ]
