"""The assistant's answers: finding, follow-ups, clarifying, grounding, FAQ, centres, scope, expiry."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django.utils.translation import override

from motcua.assistant.intents import Intent
from motcua.assistant.models import Conversation, FaqEntry, Message, QuestionLog
from motcua.assistant.services import (
    AssistantInvalid,
    assistant_reply,
    conversation_clear,
    conversations_expired_delete,
)
from motcua.catalog.models import Procedure
from motcua.core.formatting import format_vnd

pytestmark = pytest.mark.django_db


def _record_text(procedure: Procedure) -> str:
    """Everything the catalogue record says of a procedure, as one string."""
    parts = [
        procedure.code,
        procedure.name,
        procedure.processing_time_text,
        str(procedure.processing_time_amount or ""),
        procedure.implementing_agency,
        procedure.competent_authority,
        *[str(x) for x in procedure.legal_basis],
    ]
    for doc in procedure.documents.all():
        parts += [doc.name, doc.copies, doc.note]
    for fee in procedure.fees.all():
        parts += [fee.name, format_vnd(fee.amount_vnd)]
    return " ".join(parts)


def _numbers(text: str) -> set[str]:
    return set(re.findall(r"\d+(?:[.,/]\d+)*", text))


def test_citizen_without_diacritics_finds_birth_registration(catalogue) -> None:
    reply = assistant_reply(text="lam giay khai sinh cho con")
    assert reply.intent in (Intent.FIND, Intent.CLARIFY)
    # Among the ranked procedures (the engine decides the order), the user picks the registration.
    assert "1.001193" in [p.code for p in reply.procedures]
    picked = assistant_reply(
        text="Thủ tục đăng ký khai sinh", conversation_id=reply.conversation_id, choose="1.001193"
    )
    assert picked.intent == Intent.CHOOSE
    assert "1.001193" in picked.text
    labels = [link.label for link in picked.links]
    assert "Xem chi tiết thủ tục" in labels
    assert "Nộp hồ sơ trực tuyến" in labels  # complete, full-online: the wizard is offered
    submit = next(link for link in picked.links if link.kind == "submit")
    assert submit.url == "/nop-truc-tuyen/1.001193"
    assert Conversation.objects.get(pk=reply.conversation_id).procedure == catalogue["1.001193"]


def test_name_finds_procedure_and_offers_no_wizard_when_not_eligible(catalogue) -> None:
    reply = assistant_reply(text="dang ky ket hon")
    assert reply.intent == Intent.FIND
    assert reply.procedures[0].code == "1.000894"
    assert all(link.kind != "submit" for link in reply.links)


def test_follow_ups_refer_to_procedure_in_context(catalogue) -> None:
    birth = catalogue["1.001193"]
    first = assistant_reply(text="đăng ký khai sinh")
    cid = first.conversation_id
    fees = assistant_reply(text="phi bao nhieu", conversation_id=cid)
    assert fees.intent == Intent.FEES
    assert "8.000 đồng" in fees.text
    assert "Miễn phí" in fees.text
    time = assistant_reply(text="mất mấy ngày?", conversation_id=cid)
    assert time.intent == Intent.TIME
    assert "3 ngày làm việc" in time.text
    where = assistant_reply(text="nộp ở đâu?", conversation_id=cid)
    assert where.intent == Intent.WHERE
    assert "Ủy ban nhân dân cấp xã" in where.text
    online = assistant_reply(text="có làm online được không?", conversation_id=cid)
    assert online.intent == Intent.ONLINE
    assert online.text.splitlines()[1].startswith("Có.")
    docs = assistant_reply(text="cần giấy tờ gì", conversation_id=cid)
    assert "Tờ khai đăng ký khai sinh" in docs.text
    assert "Giấy chứng sinh" in docs.text
    legal = assistant_reply(text="căn cứ pháp lý", conversation_id=cid)
    assert "60/2014/QH13" in legal.text
    # Every number of every answer is in the record (nothing invented).
    record = _record_text(birth)
    for reply in (fees, time, where, online, docs, legal):
        assert _numbers(reply.text) <= _numbers(record) | {"3"}, reply.text


def test_new_procedure_replaces_context(catalogue) -> None:
    cid = assistant_reply(text="đăng ký khai sinh").conversation_id
    reply = assistant_reply(text="đổi giấy phép lái xe thì phí bao nhiêu", conversation_id=cid)
    assert reply.procedures[0].code == "3.000347"
    assert "3.000347" in reply.text


def test_missing_facts_are_said_missing(bare) -> None:
    cid = assistant_reply(text="cấp giấy phép khai thác cát sỏi").conversation_id
    for question in ("phí bao nhiêu", "mất mấy ngày", "cần giấy tờ gì", "căn cứ pháp lý"):
        reply = assistant_reply(text=question, conversation_id=cid)
        assert "chưa công bố" in reply.text, question
        assert _numbers(reply.text) <= _numbers(bare.code), reply.text
    online = assistant_reply(text="nộp online được không", conversation_id=cid)
    assert online.text.splitlines()[1].startswith("Chưa.")
    assert all(link.kind != "submit" for link in online.links)  # no wizard for an ineligible procedure


def test_close_candidates_ask_one_question_with_buttons(catalogue, settings) -> None:
    settings.MOTCUA_ASSISTANT_CLOSE_MARGIN = 0.6  # the placeholder ranking's 1.0 / 0.5 counts as close
    reply = assistant_reply(text="khai sinh")
    assert reply.intent == Intent.CLARIFY
    assert reply.choices
    codes = [p.code for p in reply.procedures]
    assert "1.001193" in codes
    assert "1.004884" in codes
    log = QuestionLog.objects.get(normalized="khai sinh")
    assert log.reason == "clarify"
    chosen = assistant_reply(
        text="Thủ tục đăng ký lại khai sinh", conversation_id=reply.conversation_id, choose="1.004884"
    )
    assert chosen.intent == Intent.CHOOSE
    assert chosen.procedures[0].code == "1.004884"
    log.refresh_from_db()
    assert log.chosen_code == "1.004884"
    # The follow-up refers to the chosen procedure.
    fee = assistant_reply(text="phí bao nhiêu", conversation_id=reply.conversation_id)
    assert "1.004884" in fee.text


def test_faq_answers_before_procedure_search(catalogue) -> None:
    FaqEntry.objects.create(patterns="mất phí tra cứu\nphi tra cuu", answer="Tra cứu hồ sơ không mất phí.")
    reply = assistant_reply(text="Tra cứu hồ sơ có mất phí tra cứu không?")
    assert reply.intent == Intent.FAQ
    assert reply.text == "Tra cứu hồ sơ không mất phí."


def test_greeting_and_out_of_scope(catalogue) -> None:
    hello = assistant_reply(text="xin chào")
    assert hello.intent == Intent.GREETING
    weather = assistant_reply(text="thời tiết Hạ Long ngày mai thế nào")
    assert weather.intent == Intent.OUT_OF_SCOPE
    assert any(link.kind == "search" for link in weather.links)
    assert QuestionLog.objects.filter(reason="not_found", count=1).exists()
    assistant_reply(text="Thời tiết Hạ Long ngày mai thế nào?")
    assert QuestionLog.objects.get(reason="not_found").count == 2  # the same question, normalised


@time_machine.travel("2026-03-02 09:00 +0700", tick=False)  # a Monday, a working day
def test_commune_hours_and_address(hong_gai) -> None:
    reply = assistant_reply(text="giờ làm việc phường hong gai")
    assert reply.intent == Intent.HOURS
    assert hong_gai.name in reply.text
    assert "08:00–12:00, 13:00–17:00" in reply.text
    assert "Hôm nay là ngày làm việc." in reply.text
    address = assistant_reply(text="địa chỉ trung tâm phường Hồng Gai ở đâu")
    assert address.intent == Intent.ADDRESS
    assert "Số 1 đường Bến Đoan" in address.text
    assert "0203 3825 111" in address.text


@time_machine.travel("2026-03-07 09:00 +0700", tick=False)  # a Saturday
def test_hours_without_commune_asks_which(db) -> None:
    reply = assistant_reply(text="mấy giờ mở cửa")
    assert reply.intent == Intent.HOURS
    assert "Hôm nay là ngày nghỉ." in reply.text
    assert "xã, phường nào" in reply.text


def test_english_when_the_page_is_english(catalogue) -> None:
    with override("en"):
        reply = assistant_reply(text="dang ky khai sinh")
    # The facts are worded in the page's language (the sentences follow once the lead's translation
    # pass fills their English msgstr).
    assert "3 working days" in reply.text


def test_bad_input_changes_nothing(db) -> None:
    for text in ("", "   ", "x" * 1001):
        with pytest.raises(AssistantInvalid):
            assistant_reply(text=text)
    assert not Conversation.objects.exists()
    assert not Message.objects.exists()


def test_conversation_expires_and_is_cleared(catalogue, settings) -> None:
    settings.MOTCUA_ASSISTANT_CONVERSATION_MINUTES = 30
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        cid = assistant_reply(text="đăng ký khai sinh").conversation_id
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        # Within the window the follow-up still knows the procedure (and extends the window).
        assert "1.001193" in assistant_reply(text="phí bao nhiêu", conversation_id=cid).text
    with time_machine.travel(start + timedelta(minutes=29 + 31), tick=False):
        reply = assistant_reply(text="phí bao nhiêu", conversation_id=cid)
        assert reply.conversation_id != cid  # expired: a new conversation without context
        assert reply.intent == Intent.OUT_OF_SCOPE
        assert conversations_expired_delete(now=timezone.now()) == 1
    assert not Conversation.objects.filter(pk=cid).exists()
    assert not Message.objects.filter(conversation_id=cid).exists()
    assert conversation_clear(conversation_id=reply.conversation_id)
    assert not Conversation.objects.exists()
    assert not conversation_clear(conversation_id=reply.conversation_id)


def test_long_conversation_keeps_the_latest_messages(catalogue, monkeypatch) -> None:
    from motcua.assistant import services

    monkeypatch.setattr(services, "MAX_MESSAGES_KEPT", 4)
    cid = assistant_reply(text="đăng ký khai sinh").conversation_id
    for _ in range(9):
        assistant_reply(text="phí bao nhiêu", conversation_id=cid)
    kept = list(Message.objects.filter(conversation_id=cid).order_by("id"))
    assert len(kept) <= 4 + 10
    assert kept[-1].intent == Intent.FEES
    assert kept[0].text != "đăng ký khai sinh"  # the oldest went


def test_province_centre_address(db) -> None:
    from motcua.org.tests.factories import UnitFactory

    UnitFactory.create(
        province_centre=True,
        name="Trung tâm Phục vụ hành chính công tỉnh Quảng Ninh",
        address="Tầng 1 Trụ sở Liên cơ quan số 3, phường Hồng Gai",
    )
    reply = assistant_reply(text="trung tâm hành chính công tỉnh ở đâu")
    assert reply.intent == Intent.ADDRESS
    assert "Trụ sở Liên cơ quan số 3" in reply.text


def test_procedure_code_in_message(catalogue) -> None:
    reply = assistant_reply(text="thủ tục 1.000894.000.00.00.H49 cần giấy tờ gì")
    assert reply.procedures[0].code == "1.000894"
    assert reply.intent == Intent.DOCUMENTS
