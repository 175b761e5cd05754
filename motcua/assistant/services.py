"""Writes of the assistant — trợ lý ảo: answer a message in its conversation, clear, expire, log.

``assistant_reply`` is the one entry point of every channel (portal panel, ``/tro-ly-ao``, kiosk,
``POST /api/v1/assistant``). Order of decisions for a message:

1. a button's choice (``choose``: a procedure code offered by the last clarifying question);
2. the verifier digits the assistant asked for, or a dossier code → public tracking (``tracking``);
3. an FAQ entry (``FaqEntry``) — before any procedure search;
4. greeting, thanks, help;
5. opening hours / address of a centre named by its commune (``selectors.centre_named``);
6. a procedure: ranked by ``engine.assistant_rank`` on the message as typed, or the procedure in
   context for a follow-up; close candidates → one clarifying question with buttons;
7. nothing → out of scope, politely, with the search.

Every fact of an answer comes from the catalogue record (``answers``). Questions answered badly are
logged anonymously (``QuestionLog``).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from motcua.assistant import answers, llm
from motcua.assistant.engine import assistant_rank, confident_threshold, is_close
from motcua.assistant.intents import VERIFIER_ONLY, WEAK, Intent, Reading, mentions_centre, read
from motcua.assistant.models import Conversation, Message, QuestionLog, Speaker
from motcua.assistant.selectors import (
    centre_named,
    conversation_get,
    faq_match,
    procedure_for_answer,
    province_centre,
)
from motcua.assistant.tracking import tracker
from motcua.catalog.models import Procedure
from motcua.catalog.search import ProcedureMatch, normalize_query
from motcua.catalog.selectors import procedure_online_eligibility
from motcua.core.text import nfc
from motcua.org.models import Unit
from motcua.worktime.selectors import get_schedule, is_working_day

MAX_MESSAGE_LENGTH = 1000
DEFAULT_CONVERSATION_MINUTES = 30
MAX_MESSAGES_KEPT = 60  # per conversation: older ones are dropped (a chat, not an archive)


class AssistantInvalid(ValueError):
    """Bad input (empty or too long message): the channel shows the Vietnamese message."""


@dataclass(frozen=True)
class Link:
    label: str
    url: str
    kind: str  # procedure, submit, tracking, search, faq, centre


@dataclass(frozen=True)
class RankedProcedure:
    code: str
    name: str
    confidence: float
    url: str


@dataclass
class Reply:
    conversation_id: str
    text: str
    intent: str
    procedures: list[RankedProcedure] = field(default_factory=list)
    followups: list[str] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    # True: the procedures are buttons answering a clarifying question.
    choices: bool = False

    def payload(self) -> dict[str, object]:
        return {
            "intent": self.intent,
            "choices": self.choices,
            "procedures": [p.__dict__ for p in self.procedures],
            "followups": self.followups,
            "links": [link.__dict__ for link in self.links],
        }


def conversation_minutes() -> int:
    return int(getattr(settings, "MOTCUA_ASSISTANT_CONVERSATION_MINUTES", DEFAULT_CONVERSATION_MINUTES))


def _new_conversation(now: datetime) -> Conversation:
    """A new conversation, not saved yet (``_store`` inserts it with the first exchange)."""
    return Conversation(
        id=secrets.token_urlsafe(24),
        created_at=now,
        expires_at=now + timedelta(minutes=conversation_minutes()),
    )


def message_clean(text: str | None) -> str:
    """The message as kept (NFC, trimmed); ``AssistantInvalid`` if empty or too long."""
    text = nfc(text or "").strip()
    if not text:
        raise AssistantInvalid(_("Vui lòng nhập câu hỏi."))
    if len(text) > MAX_MESSAGE_LENGTH:
        raise AssistantInvalid(
            _("Câu hỏi dài quá %(n)s ký tự. Vui lòng hỏi ngắn gọn hơn.") % {"n": MAX_MESSAGE_LENGTH}
        )
    return text


def conversation_clear(*, conversation_id: str) -> bool:
    """Delete a conversation and its messages (the user's «Xóa hội thoại»); False if there was none."""
    deleted, _rows = Conversation.objects.filter(pk=conversation_id).delete()
    return deleted > 0


def conversations_expired_delete(*, now: datetime) -> int:
    """Delete every conversation past its expiry (periodic job); how many were deleted."""
    _deleted, by_model = Conversation.objects.filter(expires_at__lte=now).delete()
    return int(by_model.get("assistant.Conversation", 0))


# ---- links ---------------------------------------------------------------------------------------


def _open_url(code: str, conversation: Conversation) -> str:
    """The procedure page through the click-through recorder (learning from use)."""
    return reverse("assistant:open", kwargs={"code": code}) + "?" + urlencode({"c": conversation.pk})


def _procedure_links(procedure: Procedure, conversation: Conversation) -> list[Link]:
    links = [Link(_("Xem chi tiết thủ tục"), _open_url(procedure.code, conversation), "procedure")]
    if procedure_online_eligibility(procedure).allowed:
        links.append(
            Link(
                _("Nộp hồ sơ trực tuyến"),
                reverse("portal:submit_start", kwargs={"code": procedure.code}),
                "submit",
            )
        )
    return links


def _search_link(words: str = "") -> Link:
    url = reverse("catalog:procedure_search") + (("?" + urlencode({"q": words})) if words else "")
    return Link(_("Tìm thủ tục"), url, "search")


def _tracking_link() -> Link:
    return Link(_("Tra cứu hồ sơ"), reverse("portal:tracking"), "tracking")


def _followups_for(procedure: Procedure) -> list[str]:
    return [
        _("Cần giấy tờ gì?"),
        _("Phí bao nhiêu?"),
        _("Mất mấy ngày?"),
        _("Nộp ở đâu?"),
        _("Có làm online được không?"),
    ]


# ---- the reply ------------------------------------------------------------------------------------

_TOPIC_TEXT = {
    Intent.DOCUMENTS: answers.documents_text,
    Intent.FEES: answers.fees_text,
    Intent.TIME: answers.time_text,
    Intent.WHERE: answers.where_text,
    Intent.ONLINE: answers.online_text,
    Intent.LEGAL: answers.legal_text,
}


def _procedure_reply(
    conversation: Conversation, procedure_code: str, topic: Intent | None, confidence: float | None = None
) -> Reply:
    procedure = procedure_for_answer(code=procedure_code)
    conversation.procedure = procedure
    conversation.candidates = []
    if topic in _TOPIC_TEXT:
        text = answers.title(procedure) + "\n" + _TOPIC_TEXT[topic](procedure)
        intent = str(topic)
    else:
        text = answers.summary_text(procedure)
        intent = str(Intent.FIND)
    url = reverse("catalog:procedure_detail", kwargs={"code": procedure.code})
    ranked = [
        RankedProcedure(procedure.code, procedure.name, confidence if confidence is not None else 1.0, url)
    ]
    return Reply(
        conversation_id=conversation.pk,
        text=text,
        intent=intent,
        procedures=ranked,
        followups=_followups_for(procedure),
        links=_procedure_links(procedure, conversation),
    )


def _ranked(matches: list[ProcedureMatch]) -> list[RankedProcedure]:
    by_code = Procedure.objects.only("code", "name").in_bulk([m.code for m in matches], field_name="code")
    return [
        RankedProcedure(
            m.code,
            by_code[m.code].name,
            round(m.confidence, 3),
            reverse("catalog:procedure_detail", kwargs={"code": m.code}),
        )
        for m in matches
        if m.code in by_code
    ]


def _hours_text() -> str:
    schedule = get_schedule()

    def hhmm(micros: int) -> str:
        minutes = micros // 60_000_000
        return f"{minutes // 60:02d}:{minutes % 60:02d}"

    periods = ", ".join(f"{hhmm(a)}–{hhmm(b)}" for a, b in schedule.periods)
    names = {
        1: _("Thứ Hai"),
        2: _("Thứ Ba"),
        3: _("Thứ Tư"),
        4: _("Thứ Năm"),
        5: _("Thứ Sáu"),
        6: _("Thứ Bảy"),
        7: _("Chủ Nhật"),
    }
    days = sorted(schedule.weekdays)
    if days == list(range(days[0], days[-1] + 1)) if days else False:
        day_text = _("%(first)s đến %(last)s") % {"first": names[days[0]], "last": names[days[-1]]}
    else:
        day_text = ", ".join(names[d] for d in days)
    today = timezone.localdate()
    today_text = _("Hôm nay là ngày làm việc.") if is_working_day(today) else _("Hôm nay là ngày nghỉ.")
    return (
        _("Giờ làm việc: %(days)s, %(periods)s (trừ ngày nghỉ lễ, Tết).")
        % {"days": day_text, "periods": periods}
        + " "
        + today_text
    )


def _centre_reply(conversation: Conversation, unit: Unit | None, *, hours: bool, address: bool) -> Reply:
    lines: list[str] = []
    links: list[Link] = []
    if unit is not None:
        lines.append(f"{unit.name}.")
        if address or not hours:
            lines.append(
                _("Địa chỉ: %(address)s.") % {"address": unit.address.rstrip(".")}
                if unit.address
                else _(
                    "Danh mục chưa có địa chỉ của trung tâm này; vui lòng gọi UBND xã, phường "
                    "để được hướng dẫn."
                )
            )
            if unit.phone:
                lines.append(_("Điện thoại: %(phone)s.") % {"phone": unit.phone})
        lines.append(_hours_text())
        intent = Intent.ADDRESS if address and not hours else Intent.HOURS
    else:
        lines.append(_hours_text())
        lines.append(_("Bạn hỏi trung tâm của xã, phường nào? Ví dụ: «giờ làm việc phường Hồng Gai»."))
        intent = Intent.HOURS if hours else Intent.ADDRESS
    return Reply(conversation_id=conversation.pk, text="\n".join(lines), intent=str(intent), links=links)


def _tracking_reply(
    conversation: Conversation, request: HttpRequest | None, code: str, verifier: str | None
) -> Reply:
    lookup = tracker()
    link = _tracking_link()
    if lookup is None or request is None:
        text = _("Bạn tra cứu hồ sơ %(code)s tại trang «Tra cứu hồ sơ».") % {"code": code}
        return Reply(conversation.pk, text, str(Intent.TRACK), links=[link])
    outcome = lookup(request=request, code=code, verifier=verifier)
    view = outcome.view
    if view is None:
        conversation.tracking_code = ""
        message = outcome.message or _("Không tìm thấy hồ sơ có mã «%(code)s».") % {"code": code}
        return Reply(conversation.pk, _(message), str(Intent.TRACK), links=[link])
    lines = [
        _("Hồ sơ %(code)s — %(procedure)s.") % {"code": view.code, "procedure": view.procedure_name},
        _("Tình trạng: %(status)s.") % {"status": _(view.status_label)},
    ]
    if view.appointed_at:
        lines.append(
            _("Ngày hẹn trả kết quả: %(date)s.")
            % {"date": timezone.localtime(view.appointed_at).strftime("%d/%m/%Y %H:%M")}
        )
    if view.current_unit_name:
        lines.append(_("Đang ở: %(unit)s.") % {"unit": view.current_unit_name})
    if view.verified:
        conversation.tracking_code = ""
        if view.applicant_initials:
            lines.append(_("Người nộp: %(initials)s.") % {"initials": view.applicant_initials})
        if view.supplement_items:
            names = "; ".join(str(i.get("name", "")) for i in view.supplement_items if i.get("name"))
            if names:
                lines.append(_("Giấy tờ cần bổ sung: %(items)s.") % {"items": names})
        if view.reason:
            lines.append(_("Lý do: %(reason)s.") % {"reason": view.reason.rstrip(".")})
    elif outcome.verifier_wrong:
        conversation.tracking_code = ""
        lines.append(_("4 số xác minh không đúng, nên chưa hiện thông tin người nộp."))
    else:
        conversation.tracking_code = view.code
        lines.append(
            _(
                "Để xem thêm thông tin người nộp và giấy tờ cần bổ sung, bạn nhắn 4 số cuối "
                "số điện thoại hoặc "
                "số định danh của người nộp."
            )
        )
    return Reply(
        conversation.pk,
        "\n".join(lines),
        str(Intent.TRACK),
        links=[
            Link(
                _("Tra cứu hồ sơ"), reverse("portal:tracking_detail", kwargs={"code": view.code}), "tracking"
            )
        ],
    )


def _log_question(
    conversation: Conversation, text: str, reason: str, candidates: list[str], now: datetime
) -> None:
    normalized = normalize_query(text)[:1000]
    if not normalized:
        return
    log, created = QuestionLog.objects.get_or_create(
        normalized=normalized,
        defaults={
            "text": text,
            "reason": reason,
            "candidates": candidates,
            "first_seen": now,
            "last_seen": now,
        },
    )
    if not created:
        QuestionLog.objects.filter(pk=log.pk).update(
            count=F("count") + 1, text=text, reason=reason, candidates=candidates, last_seen=now
        )
    conversation.last_question = log


def question_log_choose(*, conversation_id: str, code: str) -> None:
    """Record the procedure a user opened from an answer (click-through) on the conversation's last
    logged question: what the assistant should have answered."""
    conversation = conversation_get(conversation_id=conversation_id)
    if conversation is None or conversation.last_question_id is None:
        return
    QuestionLog.objects.filter(pk=conversation.last_question_id).update(
        chosen_code=code[:20], chosen_count=F("chosen_count") + 1
    )


def _decide(
    conversation: Conversation, text: str, choose: str, request: HttpRequest | None, now: datetime
) -> Reply:
    pk = conversation.pk
    if choose and Procedure.objects.filter(code=choose, is_active=True, applies_here=True).exists():
        if conversation.last_question_id:
            QuestionLog.objects.filter(pk=conversation.last_question_id).update(
                chosen_code=choose[:20], chosen_count=F("chosen_count") + 1
            )
        reply = _procedure_reply(conversation, choose, None)
        reply.intent = str(Intent.CHOOSE)
        return reply
    if conversation.tracking_code and (m := VERIFIER_ONLY.match(text)):
        return _tracking_reply(conversation, request, conversation.tracking_code, m.group(1))
    reading: Reading = read(text)
    if reading.dossier_code:
        return _tracking_reply(conversation, request, reading.dossier_code, reading.verifier or None)
    if (entry := faq_match(reading.tokens)) is not None:
        links = [Link(_("Xem thêm"), entry.link, "faq")] if entry.link else []
        return Reply(pk, entry.answer, str(Intent.FAQ), links=links)
    if reading.thanks and not reading.rest:
        return Reply(pk, _("Rất vui được giúp bạn. Bạn cần hỏi gì thêm cứ nhắn nhé."), str(Intent.THANKS))
    if (reading.greeting or reading.help) and not reading.rest:
        return Reply(
            pk,
            _(
                "Xin chào! Tôi là trợ lý ảo của Trung tâm Phục vụ hành chính công tỉnh Quảng Ninh. "
                "Bạn có thể hỏi: cần làm thủ tục gì (ví dụ «làm giấy khai sinh cho con»), giấy tờ, "
                "lệ phí, thời gian, nơi "
                "nộp; tình trạng hồ sơ (nhắn mã hồ sơ); giờ làm việc của trung tâm xã, phường."
            ),
            str(Intent.GREETING if reading.greeting else Intent.HELP),
            followups=[_("Làm giấy khai sinh cho con"), _("Giờ làm việc"), _("Tra cứu hồ sơ")],
            links=[_search_link(), _tracking_link()],
        )
    centre = (
        centre_named(reading.tokens)
        if (reading.hours or reading.address or mentions_centre(reading.tokens))
        else None
    )
    if (
        centre is None
        and (reading.hours or reading.address)
        and "tinh" in reading.tokens
        and mentions_centre(reading.tokens)  # "trung tâm … tỉnh ở đâu", not "nộp ở đâu" about a procedure
    ):
        centre = province_centre()
    if reading.hours or (centre is not None and reading.address):
        return _centre_reply(conversation, centre, hours=reading.hours, address=reading.address)
    if reading.track_words and not reading.rest:
        return Reply(
            pk,
            _(
                "Bạn nhắn mã hồ sơ (in trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả), "
                "ví dụ 000.22.07.H49-251122-0007."
            ),
            str(Intent.TRACK),
            links=[_tracking_link()],
        )
    # A procedure: named in the message, or the one in context for a follow-up.
    follow_up = bool(reading.topic and conversation.procedure_id and all(w in WEAK for w in reading.rest))
    matches = assistant_rank(text, limit=3) if reading.rest and not follow_up else []
    if not matches and reading.topic and conversation.procedure_id:
        return _procedure_reply(conversation, conversation.procedure.code, reading.topic)  # type: ignore[union-attr]
    if not matches:
        _log_question(conversation, text, "not_found", [], now)
        return Reply(
            pk,
            _(
                "Xin lỗi, tôi chưa hiểu câu hỏi hoặc câu hỏi nằm ngoài phạm vi thủ tục hành chính. "
                "Bạn thử hỏi "
                "tên thủ tục (ví dụ «đăng ký kết hôn»), hoặc tìm trong danh mục thủ tục."
            ),
            str(Intent.OUT_OF_SCOPE),
            followups=[_("Làm giấy khai sinh cho con"), _("Giờ làm việc")],
            links=[_search_link(" ".join(reading.rest))],
        )
    top = matches[0]
    if is_close(matches) or top.confidence < confident_threshold():
        ranked = _ranked(matches)
        conversation.candidates = [p.code for p in ranked]
        _log_question(
            conversation,
            text,
            "clarify" if is_close(matches) else "low_confidence",
            conversation.candidates,
            now,
        )
        return Reply(
            pk,
            _("Bạn muốn hỏi thủ tục nào dưới đây? Bấm vào thủ tục phù hợp."),
            str(Intent.CLARIFY),
            procedures=ranked,
            links=[_search_link(" ".join(reading.rest))],
            choices=True,
        )
    reply = _procedure_reply(conversation, top.code, reading.topic, top.confidence)
    if len(matches) > 1:
        reply.procedures += _ranked(matches[1:])
    return reply


def _store(conversation: Conversation, *, new: bool, text: str, reply: Reply, now: datetime) -> None:
    """Save the conversation and the exchange: one statement each (the chat's hot path)."""
    conversation.expires_at = now + timedelta(minutes=conversation_minutes())
    conversation.messages_count += 2
    conversation.save(force_insert=new)
    Message.objects.bulk_create(
        [
            Message(conversation=conversation, speaker=Speaker.USER, text=text, created_at=now),
            Message(
                conversation=conversation,
                speaker=Speaker.ASSISTANT,
                text=reply.text,
                intent=reply.intent,
                payload=reply.payload(),
                created_at=now,
            ),
        ]
    )
    if conversation.messages_count > MAX_MESSAGES_KEPT + 10:  # trim now and then, not every message
        keep = conversation.messages.order_by("-id").values_list("id", flat=True)[:MAX_MESSAGES_KEPT]
        conversation.messages.exclude(id__in=list(keep)).delete()
        conversation.messages_count = MAX_MESSAGES_KEPT
        conversation.save(update_fields=["messages_count"])


def assistant_reply(
    *, text: str, conversation_id: str = "", choose: str = "", request: HttpRequest | None = None
) -> Reply:
    """Answer ``text`` in its conversation (a new one when the id is unknown or expired).

    Raises ``AssistantInvalid`` for an empty or too long message; nothing is written then.
    """
    text = message_clean(text)
    choose = (choose or "").strip()[:20]
    now = timezone.now()
    rephrasing = llm.llm_enabled()
    with transaction.atomic():
        conversation = conversation_get(conversation_id=conversation_id)
        new = conversation is None
        if conversation is None:
            conversation = _new_conversation(now)
        reply = _decide(conversation, text, choose, request, now)
        if not rephrasing:
            _store(conversation, new=new, text=text, reply=reply, now=now)
            return reply
        # The context is saved now; the exchange after the model answered.
        conversation.save(force_insert=new)
    # Outside the transaction: a slow model must not hold a database connection in a transaction.
    reply.text = llm.rephrase(reply.text, language=get_language() or "vi")
    with transaction.atomic():
        _store(conversation, new=False, text=text, reply=reply, now=now)
    return reply
