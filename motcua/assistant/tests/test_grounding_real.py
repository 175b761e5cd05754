"""Grounding on the real catalogue (data/catalog) and the real Quảng Ninh centres: every number an
answer shows is in the procedure's record; a fact the record lacks is said to be missing."""

from __future__ import annotations

import re

import pytest

from motcua.assistant.intents import Intent
from motcua.assistant.services import assistant_reply
from motcua.catalog.models import Procedure
from motcua.catalog.public import citizen_text
from motcua.core.formatting import format_duration, format_vnd

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

QUESTIONS = ("phí bao nhiêu", "mất mấy ngày", "cần giấy tờ gì", "nộp ở đâu", "căn cứ pháp lý")
_NUMBER = re.compile(r"\d+(?:[.,/]\d+)*")


def _record_numbers(procedure: Procedure) -> set[str]:
    parts = [
        procedure.code,
        procedure.name,
        procedure.processing_time_text,
        format_duration(procedure.processing_time_amount, procedure.processing_time_unit),
        procedure.implementing_agency,
        procedure.competent_authority,
        *[str(x) for x in procedure.legal_basis],
    ]
    for doc in procedure.documents.all():
        parts += [doc.name, doc.copies, doc.note]
    for fee in procedure.fees.all():
        parts += [fee.name, fee.case_name, fee.exemption, fee.note, format_vnd(fee.amount_vnd)]
    numbers: set[str] = set()
    for part in parts:
        numbers |= set(_NUMBER.findall(str(part or "")))
        numbers |= set(_NUMBER.findall(citizen_text(str(part or ""))))
    return numbers


def test_every_number_shown_is_in_the_record(real_catalogue: None) -> None:
    procedures = list(
        Procedure.objects.filter(has_details=True, applies_here=True).order_by("-popularity")[:25]
    )
    assert procedures
    for procedure in procedures:
        cid = assistant_reply(text=procedure.code).conversation_id
        allowed = _record_numbers(procedure) | {"4"}  # "bấm 4 số cuối" is not a fact of a procedure
        for question in QUESTIONS:
            reply = assistant_reply(text=question, conversation_id=cid)
            assert reply.procedures[0].code == procedure.code, (procedure.code, question)
            shown = set(_NUMBER.findall(reply.text))
            assert shown <= allowed, (procedure.code, question, shown - allowed, reply.text)
    # A procedure without published fees says so.
    bare = Procedure.objects.filter(applies_here=True, is_active=True, fees__isnull=True).first()
    assert bare is not None
    cid = assistant_reply(text=bare.code).conversation_id
    assert "chưa công bố phí, lệ phí" in assistant_reply(text="phí bao nhiêu", conversation_id=cid).text


def test_real_commune_centre_hours(quang_ninh_units: None) -> None:
    reply = assistant_reply(text="gio lam viec phuong hong gai")
    assert reply.intent == Intent.HOURS
    assert "Hồng Gai" in reply.text
    assert "08:00–12:00, 13:00–17:00" in reply.text
