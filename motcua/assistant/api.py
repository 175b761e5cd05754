"""The assistant API — ``POST /api/v1/assistant`` and ``DELETE /api/v1/assistant/{id}``.

Anonymous, like public tracking (no auth, no CSRF: nothing is written beyond the conversation the
caller started). Rate-limited per client with the panel and the kiosk (``assistant.rate``). The API
always speaks Vietnamese (``core.language``).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema

from motcua.assistant.rate import assistant_rate_limited
from motcua.assistant.services import AssistantInvalid, assistant_reply, conversation_clear
from motcua.core.api_errors import ErrorOut, error_body

router = Router(tags=["Trợ lý ảo"])


class AssistantIn(Schema):
    message: str = Field(description="Câu hỏi (tối đa 1.000 ký tự)")
    conversation_id: str | None = Field(
        None, description="Mã hội thoại của câu trả lời trước; bỏ trống để bắt đầu"
    )
    choose: str | None = Field(None, description="Mã thủ tục người dùng chọn từ câu hỏi làm rõ (nút bấm)")


class ProcedureOut(Schema):
    code: str
    name: str
    confidence: float = Field(description="Độ tin cậy trong [0, 1]")
    url: str


class LinkOut(Schema):
    label: str
    url: str
    kind: str = Field(description="procedure, submit, tracking, search, faq")


class AssistantOut(Schema):
    conversation_id: str
    reply: str = Field(description="Câu trả lời, các dòng cách nhau bằng \\n")
    intent: str
    procedures: list[ProcedureOut]
    choices: bool = Field(description="true: procedures là các lựa chọn của câu hỏi làm rõ")
    followups: list[str] = Field(description="Câu hỏi tiếp theo gợi ý")
    links: list[LinkOut]


def _error(status: int, detail: str, *, retry_after: int = 0) -> HttpResponse:
    import json

    response = HttpResponse(
        json.dumps(error_body(status, detail), ensure_ascii=False),
        status=status,
        content_type="application/json; charset=utf-8",
    )
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


@router.post(
    "",
    response={200: AssistantOut, 400: ErrorOut, 429: ErrorOut},
    summary="Hỏi trợ lý ảo",
)
def assistant_ask(request: HttpRequest, payload: AssistantIn) -> HttpResponse | dict[str, object]:
    """Answer a message in its conversation: the reply text, the intent, ranked procedures (code, name,
    confidence, page), suggested follow-ups and action links. Facts come only from the catalogue."""
    if wait := assistant_rate_limited(request):
        return _error(429, f"Bạn hỏi quá nhanh. Vui lòng thử lại sau {wait} giây.", retry_after=wait)
    try:
        reply = assistant_reply(
            text=payload.message,
            conversation_id=payload.conversation_id or "",
            choose=payload.choose or "",
            request=request,
        )
    except AssistantInvalid as exc:
        return _error(400, str(exc))
    return {
        "conversation_id": reply.conversation_id,
        "reply": reply.text,
        "intent": reply.intent,
        "procedures": [p.__dict__ for p in reply.procedures],
        "choices": reply.choices,
        "followups": reply.followups,
        "links": [link.__dict__ for link in reply.links],
    }


@router.delete(
    "/{conversation_id}",
    response={204: None, 404: ErrorOut},
    summary="Xóa hội thoại",
)
def assistant_clear(request: HttpRequest, conversation_id: str) -> HttpResponse:
    """Delete the conversation and its messages now (they would expire on their own)."""
    if not conversation_clear(conversation_id=conversation_id[:64]):
        return _error(404, "Không tìm thấy hội thoại (có thể đã hết hạn hoặc đã xóa).")
    return HttpResponse(status=204)
